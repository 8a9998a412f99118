import { SslClickError } from '@sslclick/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastRetry, startSendGridWorld, type SendGridWorld } from '../test/sendgrid-world.js';
import { createSendGridLinks } from './sendgrid-links.js';

const parentKey = 'SG.subusers-parent-0123456789.abcdefghijk';
const brandingOnlyKey = 'SG.subusers-branding-01234567.abcdefghijk';

let world: SendGridWorld;

beforeAll(async () => {
  world = await startSendGridWorld({ maxPageSize: 2 });
  world.api.addApiKey(parentKey, { scopes: ['whitelabel.read', 'subusers.read'], username: 'umbrella' });
  world.api.addApiKey(brandingOnlyKey, { scopes: ['whitelabel.read'], username: 'umbrella' });
  for (const name of ['shop', 'billing', 'news']) world.api.addSubuser('umbrella', name);
});

afterAll(async () => {
  await world?.close();
});

describe('SendGridLinks.listSubusers', () => {
  it('lists every sub-user across pages, without acting on behalf of one', async () => {
    const links = createSendGridLinks({ apiKey: parentKey, baseURL: world.api.url, retry: fastRetry, pageSize: 2, subuser: 'shop' });
    const subusers = await links.listSubusers();
    expect(subusers.map((subuser) => subuser.username)).toEqual(['billing', 'news', 'shop']);
    expect(subusers.every((subuser) => subuser.disabled === false && Number.isInteger(subuser.id))).toBe(true);
    const requests = world.api.server.requests.filter((request) => request.path.startsWith('/v3/subusers'));
    expect(requests.length).toBe(2);
  });

  it('a key without subusers.read is PERMISSION naming the scope', async () => {
    const error = await createSendGridLinks({ apiKey: brandingOnlyKey, baseURL: world.api.url, retry: fastRetry })
      .listSubusers()
      .catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('PERMISSION');
    expect((error as Error).message).toContain('subusers.read');
    expect((error as Error).message).not.toContain(brandingOnlyKey);
  });
});

describe('SendGridLinks.forSubuser', () => {
  it('acts for the sub-user with the parent’s key: its own brandings, not the parent’s', async () => {
    world.api.addLinkBranding({ domain: 'umbrella.example', username: 'umbrella', publishDns: false });
    const own = world.api.addLinkBranding({ domain: 'shop.example', username: 'shop', publishDns: false });
    const parent = createSendGridLinks({ apiKey: parentKey, baseURL: world.api.url, retry: fastRetry });
    const shop = parent.forSubuser('shop');
    expect(shop.subuser).toBe('shop');
    expect((await shop.list()).map((branding) => branding.hostname)).toEqual([own.dns.domain_cname.host]);
    expect((await parent.list()).map((branding) => branding.username)).toEqual(['umbrella']);
  });

  it('refuses a username that cannot be sent as on-behalf-of with INVALID_INPUT, before any request', () => {
    const parent = createSendGridLinks({ apiKey: parentKey, baseURL: world.api.url, retry: fastRetry });
    expect(() => parent.forSubuser('shop\r\nx-injected: 1')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
