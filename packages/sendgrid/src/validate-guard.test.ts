import { SslClickError } from '@sslclick/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clickThroughEdge, cutOverToCdn, fastRetry, startSendGridWorld } from '../test/sendgrid-world.js';
import type { SendGridWorld } from '../test/sendgrid-world.js';
import { createSendGridLinks } from './sendgrid-links.js';
import type { SendGridLinksSettings } from './sendgrid-links.js';

const fullKey = 'SG.full-access-0123456789.abcdefghijklmn';
const readOnlyKey = 'SG.read-only-0123456789.abcdefghijklmnop';

let world: SendGridWorld;

beforeAll(async () => {
  world = await startSendGridWorld();
  world.api.addApiKey(fullKey, { scopes: ['whitelabel.read', 'whitelabel.update'], username: 'acme' });
  world.api.addApiKey(readOnlyKey, { scopes: ['whitelabel.read'], username: 'acme' });
});

afterAll(async () => {
  await world?.close();
});

beforeEach(() => {
  world.api.server.clearRequests();
});

function links(settings: SendGridLinksSettings = {}): ReturnType<typeof createSendGridLinks> {
  return createSendGridLinks({ apiKey: fullKey, baseURL: world.api.url, retry: fastRetry, verification: { ...world.sandbox.verification, timeoutMs: 1_000 }, ...settings });
}

async function failure(promise: Promise<unknown>): Promise<SslClickError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(SslClickError.isInstance(error), `expected an SslClickError, got ${String(error)}`).toBe(true);
  return error as SslClickError;
}

function validatePosts(): number {
  return world.api.server.requests.filter((record) => record.method === 'POST' && record.path.endsWith('/validate')).length;
}

describe('validate before the cutover (the only safe moment)', () => {
  it('validates a branding whose CNAME still points at sendgrid.net, and the origin starts serving it', async () => {
    const created = world.api.addLinkBranding({ domain: 'before.example', subdomain: 'url1001', username: 'acme', valid: false });
    expect(world.sandbox.origin.brandedHosts()).not.toContain('url1001.before.example');
    const result = await links().validate(created.id);
    expect(result).toEqual({
      id: created.id,
      hostname: 'url1001.before.example',
      valid: true,
      results: { domain_cname: { valid: true, reason: null }, owner_cname: { valid: true, reason: null } },
      observedCname: 'sendgrid.net',
    });
    expect(validatePosts()).toBe(1);
    expect((await links().get(created.id)).valid).toBe(true);
    expect(world.sandbox.origin.brandedHosts()).toContain('url1001.before.example');
  });

  it('validates an EU branding against eu.sendgrid.net and an Auto SSL one against click.sendgrid.net', async () => {
    const eu = world.api.addLinkBranding({ domain: 'before.eu', subdomain: 'url1002', username: 'acme', region: 'eu', valid: false });
    const auto = world.api.addLinkBranding({ domain: 'auto.example', subdomain: 'url1003', username: 'acme', autoSsl: true, valid: false });
    expect(await links().validate(eu.id)).toMatchObject({ valid: true, observedCname: 'eu.sendgrid.net' });
    expect(await links().validate(auto.id)).toMatchObject({ valid: true, observedCname: 'click.sendgrid.net' });
  });

  it('validates on behalf of a sub-user its own branding', async () => {
    world.api.addSubuser('acme', 'acme-news');
    const created = world.api.addLinkBranding({ domain: 'news.example', subdomain: 'url1004', username: 'acme-news', valid: false });
    expect(await links({ subuser: 'acme-news' }).validate(created.id)).toMatchObject({ valid: true });
    // The parent without on-behalf-of does not see it.
    expect((await failure(links().validate(created.id))).code).toBe('NOT_FOUND');
  });

  it('needs whitelabel.update: PERMISSION naming it, and the branding is unchanged', async () => {
    const created = world.api.addLinkBranding({ domain: 'scope.example', subdomain: 'url1005', username: 'acme', valid: false });
    const error = await failure(links({ apiKey: readOnlyKey }).validate(created.id));
    expect(error).toMatchObject({ code: 'PERMISSION', httpStatus: 403, operation: 'links.validate' });
    expect(error.message).toContain('"whitelabel.update"');
    expect(world.api.getLinkBranding(created.id)?.valid).toBe(false);
  });
});

describe('validate after the cutover is refused', () => {
  it('refuses with UNSAFE when the CNAME moved to a CDN, sends no POST, and the links keep working', async () => {
    const created = world.api.addLinkBranding({ domain: 'after.example', subdomain: 'url2001', username: 'acme' });
    const edgeName = await cutOverToCdn(world.sandbox, 'url2001.after.example');
    const link = world.sandbox.origin.createLink('url2001.after.example', 'https://shop.example/sale', { protocol: 'https' });
    expect(await clickThroughEdge(world.sandbox, link.clickUrl)).toEqual({ status: 302, location: 'https://shop.example/sale' });

    const error = await failure(links().validate(created.id));
    expect(error).toMatchObject({ code: 'UNSAFE', provider: 'sendgrid', operation: 'links.validate', retryable: false });
    expect(error.message).toContain(`CNAME to ${edgeName}`);
    expect(error.message).toContain('never to re-validate');
    expect(validatePosts()).toBe(0);
    expect(world.api.server.writes()).toBe(0);
    expect(world.api.getLinkBranding(created.id)?.valid).toBe(true);
    expect(await clickThroughEdge(world.sandbox, link.clickUrl)).toEqual({ status: 302, location: 'https://shop.example/sale' });
  });

  it('refuses when a proxied or flattened record answers with addresses and no CNAME', async () => {
    const created = world.api.addLinkBranding({ domain: 'proxied.example', subdomain: 'url2002', username: 'acme' });
    world.sandbox.dns.zone.deleteRecord('url2002.proxied.example');
    world.sandbox.dns.zone.setRecord({ name: 'url2002.proxied.example', type: 'A', value: '127.0.0.1' });
    const error = await failure(links().validate(created.id));
    expect(error.code).toBe('UNSAFE');
    expect(error.message).toContain('no CNAME');
    expect(validatePosts()).toBe(0);
  });

  it('refuses when the host does not resolve, or leads to the wrong SendGrid region', async () => {
    const unpublished = world.api.addLinkBranding({ domain: 'unpublished.example', subdomain: 'url2003', username: 'acme', valid: false, publishDns: false });
    expect((await failure(links().validate(unpublished.id))).message).toContain('could not be resolved');
    const wrongRegion = world.api.addLinkBranding({ domain: 'region.example', subdomain: 'url2004', username: 'acme', valid: false });
    world.sandbox.dns.zone.setRecord({ name: 'url2004.region.example', type: 'CNAME', value: 'eu.sendgrid.net' });
    expect((await failure(links().validate(wrongRegion.id))).code).toBe('UNSAFE');
    expect(validatePosts()).toBe(0);
  });

  it('the danger is real: a validation sent past the guard breaks the branding and the origin stops serving it', async () => {
    const created = world.api.addLinkBranding({ domain: 'danger.example', subdomain: 'url2005', username: 'acme' });
    const edgeName = await cutOverToCdn(world.sandbox, 'url2005.danger.example');
    const link = world.sandbox.origin.createLink('url2005.danger.example', 'https://shop.example/cart', { protocol: 'https' });
    expect((await clickThroughEdge(world.sandbox, link.clickUrl)).status).toBe(302);

    // A raw call straight to the fake, as a user clicking "Verify" in the SendGrid app would do.
    const response = await fetch(`${world.api.url}/v3/whitelabel/links/${created.id}/validate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fullKey}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: created.id,
      valid: false,
      validation_results: {
        domain_cname: { valid: false, reason: `Expected CNAME to match "sendgrid.net." but found "${edgeName}.".` },
        owner_cname: { valid: true, reason: null },
      },
    });
    expect((await links().get(created.id)).valid).toBe(false);
    expect(world.sandbox.origin.brandedHosts()).not.toContain('url2005.danger.example');
    expect((await clickThroughEdge(world.sandbox, link.clickUrl)).status).toBe(404);
  });
});
