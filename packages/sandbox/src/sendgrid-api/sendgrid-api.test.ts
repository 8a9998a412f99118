import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox.js';
import type { Sandbox } from '../sandbox.js';
import { startSendGridApi } from './sendgrid-api.js';
import type { SendGridApi } from './sendgrid-api.js';

let sandbox: Sandbox;
let api: SendGridApi;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = await startSendGridApi(sandbox, { maxPageSize: 2 });
  api.addApiKey('parent-key', { scopes: ['whitelabel.read', 'whitelabel.update'], username: 'parent' });
  api.addApiKey('mail-only-key', { scopes: ['mail.send'], username: 'parent' });
  api.addApiKey('other-key', { scopes: ['whitelabel.read'], username: 'other' });
  api.addSubuser('parent', 'child');
});

afterAll(async () => {
  await api?.close();
  await sandbox?.close();
});

async function call(path: string, key: string | undefined, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...headers },
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('the fake SendGrid v3 link branding API', () => {
  it('answers auth failures in SendGrid’s format', async () => {
    expect(await call('/v3/whitelabel/links', undefined)).toEqual({ status: 401, body: { errors: [{ field: null, message: 'authorization required' }] } });
    expect(await call('/v3/whitelabel/links', 'nope')).toEqual({ status: 401, body: { errors: [{ field: null, message: 'authorization required' }] } });
    expect(await call('/v3/whitelabel/links', 'mail-only-key')).toEqual({ status: 403, body: { errors: [{ field: null, message: 'access forbidden' }] } });
    expect((await call('/v3/whitelabel/links', 'other-key', { 'on-behalf-of': 'child' })).status).toBe(403);
  });

  it('publishes a branding’s records in the sandbox zone and serves a valid one at the origin', () => {
    const branding = api.addLinkBranding({ domain: 'example.com', subdomain: 'url1', username: 'parent' });
    expect(branding).toMatchObject({ domain: 'example.com', subdomain: 'url1', username: 'parent', valid: true, legacy: false, default: false });
    expect(sandbox.dns.zone.getRecords('url1.example.com')).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
    expect(sandbox.dns.zone.getRecords(`${branding.user_id}.example.com`)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
    expect(sandbox.origin.brandedHosts()).toContain('url1.example.com');
    const pending = api.addLinkBranding({ domain: 'example.org', subdomain: 'url2', username: 'parent', valid: false });
    expect(pending.dns.domain_cname.valid).toBe(false);
    expect(sandbox.origin.brandedHosts()).not.toContain('url2.example.org');
  });

  it('pages with limit and offset, cut to maxPageSize', async () => {
    api.addLinkBranding({ domain: 'example.net', subdomain: 'url3', username: 'parent' });
    const first = await call('/v3/whitelabel/links?limit=10', 'parent-key');
    expect((first.body as unknown[]).length).toBe(2);
    const rest = await call('/v3/whitelabel/links?limit=2&offset=2', 'parent-key');
    expect((rest.body as Array<{ subdomain: string }>).map((branding) => branding.subdomain)).toEqual(['url3']);
    expect((await call('/v3/whitelabel/links?limit=x', 'parent-key')).status).toBe(400);
  });

  it('scopes by on-behalf-of and the sub-user association', async () => {
    const own = api.addLinkBranding({ domain: 'child.example', subdomain: 'url4', username: 'child' });
    const asChild = await call('/v3/whitelabel/links', 'parent-key', { 'on-behalf-of': 'child' });
    expect((asChild.body as Array<{ id: number }>).map((branding) => branding.id)).toEqual([own.id]);
    expect((await call('/v3/whitelabel/links/subuser?username=child', 'parent-key')).status).toBe(404);
    const shared = api.addLinkBranding({ domain: 'shared.example', subdomain: 'url5', username: 'parent' });
    const associated = await call(`/v3/whitelabel/links/${shared.id}/subuser`, 'parent-key', { 'content-type': 'application/json' }, 'POST');
    expect(associated.status).toBe(400); // no body: username required
    const response = await fetch(`${api.url}/v3/whitelabel/links/${shared.id}/subuser`, {
      method: 'POST',
      headers: { authorization: 'Bearer parent-key', 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'child' }),
    });
    expect(response.status).toBe(200);
    expect(await call('/v3/whitelabel/links/subuser?username=child', 'parent-key')).toMatchObject({ status: 200, body: { id: shared.id } });
    // The sub-user may not validate its parent's branding.
    expect((await call(`/v3/whitelabel/links/${shared.id}/validate`, 'parent-key', { 'on-behalf-of': 'child' }, 'POST')).status).toBe(403);
  });

  it('validates against the zone: a moved CNAME fails, marks the branding invalid and stops the origin serving it', async () => {
    const branding = api.addLinkBranding({ domain: 'moved.example', subdomain: 'url6', username: 'parent' });
    expect(api.validateLinkBranding(branding.id)).toEqual({
      id: branding.id,
      valid: true,
      validation_results: { domain_cname: { valid: true, reason: null }, owner_cname: { valid: true, reason: null } },
    });
    sandbox.dns.zone.setRecord({ name: 'url6.moved.example', type: 'CNAME', value: 'edge.cdn.example' });
    const answer = await call(`/v3/whitelabel/links/${branding.id}/validate`, 'parent-key', {}, 'POST');
    expect(answer).toMatchObject({
      status: 200,
      body: { valid: false, validation_results: { domain_cname: { valid: false, reason: 'Expected CNAME to match "sendgrid.net." but found "edge.cdn.example.".' } } },
    });
    expect(api.getLinkBranding(branding.id)?.valid).toBe(false);
    expect(sandbox.origin.brandedHosts()).not.toContain('url6.moved.example');
  });

  it('returns SendGrid’s own default branding when none applies', async () => {
    const answer = await call('/v3/whitelabel/links/default', 'other-key');
    expect(answer).toMatchObject({ status: 200, body: { id: 0, domain: 'sendgrid.net', default: true, valid: true } });
  });
});
