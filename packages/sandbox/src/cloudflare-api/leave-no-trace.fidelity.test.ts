/**
 * Fidelity of the fake Cloudflare API in the behaviours `destroy` relies on to leave no trace
 * (issue 16, part 3), one test per behaviour, each citing its evidence. (Kept apart from
 * fidelity.test.ts, which another change is writing at the same time; they can be merged.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox.js';
import { startCloudflareApi, type CloudflareApi } from './cloudflare-api.js';

let sandbox: Sandbox;
let api: CloudflareApi;

/** One request in Cloudflare's wire format, as the official SDK sends it. */
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: () => Record<string, unknown> }> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${api.tokens.full}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  sandbox = await startSandbox();
  api = await startCloudflareApi(sandbox);
});

afterAll(async () => {
  await api?.close();
  await sandbox?.close();
});

describe('the fake Cloudflare API, for destroy', () => {
  // Evidence: "Delete ruleset: Deletes all the versions of an existing ruleset at the account or
  // zone level … DELETE /zones/{zone_id}/rulesets/{ruleset_id} … returns a 204 No Content HTTP
  // status code", https://developers.cloudflare.com/ruleset-engine/rulesets-api/delete/ ; the SDK
  // method is `client.rulesets.delete(rulesetId, { zone_id })` returning void,
  // https://developers.cloudflare.com/api/node/resources/rulesets/methods/delete/ . A phase
  // entrypoint is a zone ruleset (kind "zone"), so it goes the same way, and the phase then has none.
  it('deletes a zone ruleset (a phase entrypoint) with 204 and no body; the phase then has no entrypoint', async () => {
    const zone = api.addZone({ name: 'delete-ruleset.test' });
    const ruleset = await api.addRuleset(zone.id, { phase: 'http_config_settings', rules: [] });
    const deleted = await call('DELETE', `/zones/${zone.id}/rulesets/${ruleset.id}`);
    expect(deleted).toMatchObject({ status: 204, text: '' });
    expect((await call('GET', `/zones/${zone.id}/rulesets/phases/http_config_settings/entrypoint`)).status).toBe(404);
    expect((await call('DELETE', `/zones/${zone.id}/rulesets/${ruleset.id}`)).status).toBe(404);
  });

  // Evidence: a ruleset carries a `description`, set on create and returned with the ruleset, e.g.
  // the ruleset object in https://developers.cloudflare.com/ruleset-engine/rulesets-api/delete-rule/
  // ("description": "My first custom ruleset"), and cloudflare/terraform-provider-cloudflare
  // internal/services/ruleset/testdata/rulesetcachesettingsnocacheforstatus.tf, which creates a
  // zone ruleset of kind "zone" in http_request_cache_settings with a description.
  it('keeps the description given when an entrypoint is created, and returns it with the entrypoint', async () => {
    const zone = api.addZone({ name: 'describe-ruleset.test' });
    const created = await call('POST', `/zones/${zone.id}/rulesets`, {
      kind: 'zone',
      phase: 'http_config_settings',
      name: 'default',
      description: 'Created by a tool',
      rules: [{ action: 'set_config', expression: 'true', action_parameters: { ssl: 'full' } }],
    });
    expect(created.json().result).toMatchObject({ description: 'Created by a tool' });
    expect((await call('GET', `/zones/${zone.id}/rulesets/phases/http_config_settings/entrypoint`)).json().result).toMatchObject({ description: 'Created by a tool' });
  });

  // Evidence: PATCH is "Update DNS Record" and PUT "Overwrite DNS Record: Overwrite an existing DNS
  // record", https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/edit/
  // and …/methods/update/ : a PATCH leaves the fields it does not send (the comment) as they are.
  it('PATCH of a DNS record keeps the fields it leaves out (the comment), PUT resets them', async () => {
    const zone = api.addZone({ name: 'patch-record.test' });
    const record = await api.addDnsRecord(zone.id, { name: 'url1', type: 'CNAME', content: 'sendgrid.net', ttl: 300, comment: 'the branding' });
    await call('PATCH', `/zones/${zone.id}/dns_records/${record.id}`, { type: 'CNAME', name: record.name, content: 'example.global.ssl.fastly.net', proxied: false, ttl: 300 });
    expect(api.recordsAt(zone.id, record.name)).toEqual([expect.objectContaining({ content: 'example.global.ssl.fastly.net', ttl: 300, comment: 'the branding' })]);
    await call('PUT', `/zones/${zone.id}/dns_records/${record.id}`, { type: 'CNAME', name: record.name, content: 'sendgrid.net', ttl: 1 });
    expect(api.recordsAt(zone.id, record.name)).toEqual([expect.objectContaining({ content: 'sendgrid.net', comment: null })]);
  });
});
