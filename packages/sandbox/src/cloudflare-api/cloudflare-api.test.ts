import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox.js';
import { startCloudflareApi, type CloudflareApi } from './cloudflare-api.js';

let sandbox: Sandbox;
let api: CloudflareApi;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = await startCloudflareApi(sandbox, { certificateIssueDelayMs: 60_000 });
});

afterAll(async () => {
  await api?.close();
  await sandbox?.close();
});

async function call(path: string, init: RequestInit & { token?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${api.url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.token === '' ? {} : { authorization: `Bearer ${init.token ?? api.tokens.full}` }) },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the fake Cloudflare v4 API', () => {
  it('answers in the v4 envelope, pages lists and ends them with an empty page', async () => {
    api.addZone({ name: 'alpha.test' });
    api.addZone({ name: 'beta.test' });
    const first = await call('/zones?per_page=1&page=1');
    expect(first.body).toMatchObject({ success: true, errors: [], messages: [], result_info: { page: 1, per_page: 1, count: 1, total_count: 2, total_pages: 2 } });
    expect(await call('/zones?per_page=1&page=3')).toMatchObject({ status: 200, body: { result: [] } });
    expect((await call('/zones?name=beta.test')).body.result).toEqual([expect.objectContaining({ name: 'beta.test', status: 'active' })]);
  });

  it('rejects unknown tokens with 401 and weak ones with 403, in Cloudflare’s codes', async () => {
    expect(await call('/zones', { token: 'nope'.repeat(10) })).toMatchObject({ status: 401, body: { success: false, errors: [{ code: 9109, message: 'Invalid access token' }] } });
    expect(await call('/zones', { token: 'nope-nope-nope' })).toMatchObject({ status: 400, body: { success: false, errors: [{ code: 6003, error_chain: [{ code: 6111 }] }] } });
    expect(await call('/zones', { token: '' })).toMatchObject({ status: 401, body: { errors: [{ code: 10000 }] } });
    const zone = api.addZone({ name: 'gamma.test' });
    const denied = await call(`/zones/${zone.id}/dns_records`, { method: 'POST', token: api.tokens.readOnly, body: JSON.stringify({ type: 'A', name: 'x', content: '192.0.2.1', ttl: 1 }) });
    expect(denied).toMatchObject({ status: 403, body: { errors: [{ code: 10000, message: 'Authentication error' }] } });
    expect(await call(`/zones/${zone.id}/rulesets/phases/http_config_settings/entrypoint`)).toMatchObject({ status: 404, body: { errors: [{ code: 10003 }] } });
  });

  it('drives the data plane: DNS-only as is, proxied to the edge once a covering pack is active', async () => {
    const zone = api.addZone({ name: 'delta.test', universalSsl: false });
    const hostname = 'url9.delta.test';
    const created = await call(`/zones/${zone.id}/dns_records`, { method: 'POST', body: JSON.stringify({ type: 'CNAME', name: 'url9', content: 'sendgrid.net', ttl: 1 }) });
    expect(created.body.result).toMatchObject({ name: hostname, proxied: false });
    expect(sandbox.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
    const id = (created.body.result as { id: string }).id;
    await call(`/zones/${zone.id}/dns_records/${id}`, { method: 'PATCH', body: JSON.stringify({ proxied: true }) });
    expect(sandbox.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'A', value: '127.0.0.1' })]);
    expect(sandbox.edge.getRoute(hostname)).toMatchObject({ originHost: 'sendgrid.net', originProtocol: 'http', hostHeader: 'viewer' });
    expect(sandbox.edge.getCertificate(hostname)).toBeUndefined();

    const order = await call(`/zones/${zone.id}/ssl/certificate_packs/order`, {
      method: 'POST',
      body: JSON.stringify({ type: 'advanced', hosts: ['delta.test', hostname], certificate_authority: 'google', validation_method: 'txt', validity_days: 90 }),
    });
    expect(order.body.result).toMatchObject({ status: 'pending_validation' });
    expect((await call(`/zones/${zone.id}/ssl/certificate_packs`)).body.result).toEqual([]);
    sandbox.clock.advance(60_000);
    await api.sync();
    expect(sandbox.edge.getCertificate(hostname)?.names).toEqual(['delta.test', hostname]);
    expect((await call(`/zones/${zone.id}/ssl/certificate_packs`)).body.result).toEqual([expect.objectContaining({ status: 'active' })]);
  });

  it('adds, edits and deletes single rules without touching the others, and PUT replaces the phase', async () => {
    const zone = api.addZone({ name: 'epsilon.test' });
    const ruleset = await api.addRuleset(zone.id, { phase: 'http_config_settings', rules: [{ action: 'set_config', expression: 'true', action_parameters: { ssl: 'strict' } }] });
    const added = await call(`/zones/${zone.id}/rulesets/${ruleset.id}/rules`, { method: 'POST', body: JSON.stringify({ action: 'set_config', expression: 'http.host eq "a.epsilon.test"', action_parameters: { ssl: 'full' } }) });
    const rules = (added.body.result as { rules: Array<{ id: string }> }).rules;
    expect(rules).toHaveLength(2);
    const deleted = await call(`/zones/${zone.id}/rulesets/${ruleset.id}/rules/${rules[1]?.id}`, { method: 'DELETE' });
    expect((deleted.body.result as { rules: unknown[] }).rules).toEqual([ruleset.rules[0]]);
    await call(`/zones/${zone.id}/rulesets/phases/http_config_settings/entrypoint`, { method: 'PUT', body: JSON.stringify({ rules: [] }) });
    expect(api.entrypoint(zone.id, 'http_config_settings')?.rules).toEqual([]);
  });
});
