// Fidelity of the fake's GET /v3/subusers, which `readiness` relies on to include every sub-user.
// Evidence: SendGrid's OpenAPI description, twilio/sendgrid-oai spec/json/tsg_subusers_v3.json
// (operation GetSubusers: `limit` and `offset` query parameters, a 200 body that is a bare array of
// { disabled, email, id, username }, 401 `authorization required` in SendGrid's error envelope),
// and the scope `subusers.read` as SendGrid's API key permission list names it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox.js';
import { startSendGridApi, type SendGridApi } from './sendgrid-api.js';

let sandbox: Sandbox;
let api: SendGridApi;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = await startSendGridApi(sandbox, { maxPageSize: 2 });
  api.addApiKey('parent-key', { scopes: ['whitelabel.read', 'subusers.read'], username: 'parent' });
  api.addApiKey('branding-only-key', { scopes: ['whitelabel.read'], username: 'parent' });
  for (const name of ['child-a', 'child-b', 'child-c']) api.addSubuser('parent', name);
  api.addApiKey('child-key', { scopes: ['whitelabel.read', 'subusers.read'], username: 'child-a' });
  api.addSubuser('other', 'not-mine');
});

afterAll(async () => {
  await api?.close();
  await sandbox?.close();
});

async function call(path: string, key: string | undefined, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${api.url}${path}`, { headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...headers } });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('GET /v3/subusers (fidelity)', () => {
  it('answers a bare array of { disabled, email, id, username } with the account’s own sub-users only', async () => {
    // tsg_subusers_v3.json, GetSubusers 200: an array of Subuser, e.g. { "disabled": false, "email": …, "id": 1234, "username": … }.
    const { status, body } = await call('/v3/subusers?limit=10&offset=0', 'parent-key');
    expect(status).toBe(200);
    expect(Array.isArray(body)).toBe(true);
    const users = body as Array<Record<string, unknown>>;
    expect(users.map((user) => user.username)).toEqual(['child-a', 'child-b']);
    for (const user of users) expect(Object.keys(user).sort()).toEqual(['disabled', 'email', 'id', 'username']);
  });

  it('pages with limit and offset', async () => {
    // tsg_subusers_v3.json: `limit` sets the page size, `offset` the position to continue from.
    const first = (await call('/v3/subusers?limit=2&offset=0', 'parent-key')).body as Array<{ username: string }>;
    const second = (await call('/v3/subusers?limit=2&offset=2', 'parent-key')).body as Array<{ username: string }>;
    expect([...first, ...second].map((user) => user.username)).toEqual(['child-a', 'child-b', 'child-c']);
  });

  it('refuses a missing key (401), a key without subusers.read (403) and a sub-user’s key (403)', async () => {
    // tsg_subusers_v3.json GetSubusers 401: { errors: [{ field: null, message: 'authorization required' }] }.
    expect(await call('/v3/subusers', undefined)).toEqual({ status: 401, body: { errors: [{ field: null, message: 'authorization required' }] } });
    expect((await call('/v3/subusers', 'branding-only-key')).status).toBe(403);
    expect((await call('/v3/subusers', 'child-key')).status).toBe(403);
  });
});
