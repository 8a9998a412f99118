/**
 * Fidelity of the fake SendGrid v3 link branding API: one test per behaviour @sslclick/sendgrid
 * relies on, asserted on the wire, each citing its evidence. The spec cited throughout is
 * twilio/sendgrid-oai `spec/yaml/tsg_link_branding_v3.yaml` (SendGrid's own OpenAPI description).
 * Where the evidence leaves the behaviour open, the fake is switched and every variant is tested.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox.js';
import type { Sandbox } from '../sandbox.js';
import { startSendGridApi } from './sendgrid-api.js';
import type { SendGridApi } from './sendgrid-api.js';

let sandbox: Sandbox;
let api: SendGridApi;
const parentKey = 'SG.fidelity-parent.0123456789abcdef';

beforeAll(async () => {
  sandbox = await startSandbox();
  api = await startSendGridApi(sandbox);
  api.addApiKey(parentKey, { scopes: ['whitelabel.read', 'whitelabel.update'], username: 'fidelity' });
  api.addApiKey('SG.fidelity-mail.0123456789abcdef', { scopes: ['mail.send'], username: 'fidelity' });
  api.addSubuser('fidelity', 'fidelity-sub');
  for (let index = 1; index <= 5; index += 1) api.addLinkBranding({ domain: `page${index}.fidelity.example`, subdomain: 'url1', username: 'fidelity' });
});

afterAll(async () => {
  await api?.close();
  await sandbox?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(path: string, options: { key?: string | undefined; headers?: Record<string, string>; method?: string } = {}): Promise<Answer> {
  const key = 'key' in options ? options.key : parentKey;
  const response = await fetch(`${api.url}${path}`, {
    method: options.method ?? 'GET',
    headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...options.headers },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const errorBody = (message: string | RegExp): unknown => ({ errors: [{ field: null, message: typeof message === 'string' ? message : expect.stringMatching(message) }] });

describe('link branding reads', () => {
  it('GET /v3/whitelabel/links answers a bare JSON array of LinkBranding200 objects with numeric ids', async () => {
    // Evidence: spec, GetWhitelabelLinks (200: type array, items LinkBranding200; id and user_id integers).
    const answer = await call('/v3/whitelabel/links');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Array.isArray(answer.body)).toBe(true);
    for (const branding of answer.body as Array<Record<string, unknown>>) {
      expect(branding).toMatchObject({ id: expect.any(Number), domain: expect.any(String), subdomain: 'url1', username: 'fidelity', user_id: expect.any(Number), default: false, valid: true, legacy: false });
      expect(Number.isSafeInteger(branding.id) && Number.isSafeInteger(branding.user_id)).toBe(true);
      expect(branding.dns).toMatchObject({ domain_cname: { valid: true, type: 'cname', host: `url1.${String(branding.domain)}`, data: 'sendgrid.net' }, owner_cname: { type: 'cname', data: 'sendgrid.net' } });
    }
  });

  it('limit bounds the page size', async () => {
    // Evidence: spec, GetWhitelabelLinks parameter limit ("Limits the number of results returned per page").
    expect((await call('/v3/whitelabel/links?limit=2')).body).toHaveLength(2);
  });

  describe.each(['honoured', 'ignored'] as const)('offset %s (undocumented for this path: both are served)', (listOffset) => {
    it(`offset=2 ${listOffset === 'honoured' ? 'skips' : 'does not skip'} the first two brandings`, async () => {
      // Evidence: the spec documents only limit for GET /v3/whitelabel/links; SendGrid's general
      // pagination page (https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/responses)
      // shows limit + offset for v3 lists. Unsure, so the client is tested under both answers.
      api.setBehaviour({ listOffset });
      try {
        const first = (await call('/v3/whitelabel/links?limit=2&offset=0')).body as Array<{ id: number }>;
        const second = (await call('/v3/whitelabel/links?limit=2&offset=2')).body as Array<{ id: number }>;
        if (listOffset === 'honoured') expect(second.map((branding) => branding.id)).not.toEqual(first.map((branding) => branding.id));
        else expect(second).toEqual(first);
      } finally {
        api.setBehaviour({ listOffset: 'honoured' });
      }
    });
  });

  it('GET /v3/whitelabel/links/{id} answers one object; an id the caller cannot see is 404 in SendGrid’s error format', async () => {
    // Evidence: spec, GetWhitelabelLinksId (200 LinkBranding200); error body { errors: [{ field, message }] }
    // from https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors.
    const [first] = (await call('/v3/whitelabel/links?limit=1')).body as Array<{ id: number }>;
    expect((await call(`/v3/whitelabel/links/${first?.id ?? 0}`)).body).toMatchObject({ id: first?.id });
    const missing = await call('/v3/whitelabel/links/987654321');
    expect(missing).toMatchObject({ status: 404, body: errorBody(/not found/) });
  });

  it('on-behalf-of acts for a sub-user with the parent’s key: only the sub-user’s own brandings', async () => {
    // Evidence: spec, components.parameters.OnBehalfOf ("the Subuser's username ... with the parent
    // account's API key") on GetWhitelabelLinks.
    const own = api.addLinkBranding({ domain: 'sub.fidelity.example', subdomain: 'url2', username: 'fidelity-sub' });
    const asSubuser = await call('/v3/whitelabel/links', { headers: { 'on-behalf-of': 'fidelity-sub' } });
    expect((asSubuser.body as Array<{ id: number }>).map((branding) => branding.id)).toEqual([own.id]);
    expect(((await call('/v3/whitelabel/links')).body as Array<{ id: number }>).map((branding) => branding.id)).not.toContain(own.id);
  });

  it('GET /v3/whitelabel/links/subuser?username= answers the associated parent branding as one object, asked as the parent', async () => {
    // Evidence: spec, GetWhitelabelLinksSubuser (query username required; 200 LinkBranding200, a single
    // object; no on-behalf-of parameter). A sub-user without an association answers 404 here: the
    // spec documents no error for it, and the client treats 404 and an empty body alike.
    expect((await call('/v3/whitelabel/links/subuser?username=fidelity-sub')).status).toBe(404);
    const [shared] = (await call('/v3/whitelabel/links?limit=1')).body as Array<{ id: number }>;
    api.associateSubuser(shared?.id ?? 0, 'fidelity-sub');
    const associated = await call('/v3/whitelabel/links/subuser?username=fidelity-sub');
    expect(associated).toMatchObject({ status: 200, body: { id: shared?.id, username: 'fidelity' } });
    expect(Array.isArray(associated.body)).toBe(false);
  });

  describe.each([true, false])('a sub-user’s own list shows the associated parent branding: %s (undocumented: both are served)', (subuserSeesAssociatedBranding) => {
    it('the sub-user’s list and GET /{id} follow the switch; /subuser always answers it', async () => {
      // Evidence: the spec says the association lets sub-users "send mail using their parent's link
      // branding" but not whether their own GET /v3/whitelabel/links lists it. Unsure: both served.
      api.setBehaviour({ subuserSeesAssociatedBranding });
      try {
        const associated = (await call('/v3/whitelabel/links/subuser?username=fidelity-sub')).body as { id: number };
        const listed = ((await call('/v3/whitelabel/links', { headers: { 'on-behalf-of': 'fidelity-sub' } })).body as Array<{ id: number }>).map((branding) => branding.id);
        expect(listed.includes(associated.id)).toBe(subuserSeesAssociatedBranding);
        expect((await call(`/v3/whitelabel/links/${associated.id}`, { headers: { 'on-behalf-of': 'fidelity-sub' } })).status).toBe(subuserSeesAssociatedBranding ? 200 : 404);
      } finally {
        api.setBehaviour({ subuserSeesAssociatedBranding: true });
      }
    });
  });

  it('GET /v3/whitelabel/links/default falls back to SendGrid’s own u<id>.ct.sendgrid.net branding', async () => {
    // Evidence: spec, GetWhitelabelLinksDefault ("Default SendGrid-branded links (i.e., 100.ct.sendgrid.net)").
    api.addApiKey('SG.fidelity-empty.0123456789abcdef', { scopes: ['whitelabel.read'], username: 'fidelity-empty' });
    const answer = await call('/v3/whitelabel/links/default', { key: 'SG.fidelity-empty.0123456789abcdef' });
    expect(answer.status).toBe(200);
    expect(answer.body.dns.domain_cname.host).toMatch(/^u\d+\.ct\.sendgrid\.net$/);
  });
});

describe('validation', () => {
  it('POST /{id}/validate answers {id, valid, validation_results} with SendGrid’s reason text when the CNAME moved', async () => {
    // Evidence: spec, PostWhitelabelLinksIdValidate (200 { id, valid, validation_results: { domain_cname:
    // { valid, reason }, owner_cname } }, reason example 'Expected CNAME to match "sendgrid.net." but found "example.com.".').
    const branding = api.addLinkBranding({ domain: 'moved.fidelity.example', subdomain: 'url3', username: 'fidelity' });
    sandbox.dns.zone.setRecord({ name: 'url3.moved.fidelity.example', type: 'CNAME', value: 'example.com' });
    const answer = await call(`/v3/whitelabel/links/${branding.id}/validate`, { method: 'POST' });
    expect(answer).toMatchObject({
      status: 200,
      body: { id: branding.id, valid: false, validation_results: { domain_cname: { valid: false, reason: 'Expected CNAME to match "sendgrid.net." but found "example.com.".' }, owner_cname: { valid: true, reason: null } } },
    });
  });
});

describe('errors', () => {
  it('a missing or unknown key is 401 "authorization required"', async () => {
    // Evidence: https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors
    // (401 "Requires authentication"; body { errors: [{ field, message }] }). The client relies on
    // the status only, never on the message text.
    expect(await call('/v3/whitelabel/links', { key: undefined })).toMatchObject({ status: 401, body: errorBody('authorization required') });
    expect(await call('/v3/whitelabel/links', { key: 'SG.unknown.0123456789abcdef' })).toMatchObject({ status: 401, body: errorBody('authorization required') });
  });

  it('a key without the whitelabel scope is 403 "access forbidden"', async () => {
    // Evidence: https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors
    // (403; body { errors: [{ field, message }] }). The client relies on the status only, never on
    // the message text, and names the scope the call needs.
    expect(await call('/v3/whitelabel/links', { key: 'SG.fidelity-mail.0123456789abcdef' })).toMatchObject({ status: 403, body: errorBody('access forbidden') });
  });

  it('after too many bad requests every request is 403 for a while, even with a good key', async () => {
    // Evidence: https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors
    // ("403 Too many bad requests. Temporary block"); so a 403 alone does not prove a missing scope.
    api.setBehaviour({ blockAfterUnauthorized: 2 });
    try {
      await call('/v3/whitelabel/links', { key: 'SG.bad-1.0123456789abcdef' });
      await call('/v3/whitelabel/links', { key: 'SG.bad-2.0123456789abcdef' });
      expect((await call('/v3/whitelabel/links')).status).toBe(403);
    } finally {
      api.setBehaviour({ blockAfterUnauthorized: undefined });
    }
    expect((await call('/v3/whitelabel/links')).status).toBe(200);
  });

  it('a 429 carries X-RateLimit-Limit, -Remaining and -Reset (epoch seconds)', async () => {
    // Evidence: https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/rate-limits
    // (X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset as a Unix timestamp; 429 when exceeded).
    api.server.injectFault({ kind: 'rate-limit', retryAfterSeconds: 1 });
    const limited = await call('/v3/whitelabel/links');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(limited.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    expect(reset).toBeLessThan(Date.now() / 1000 + 3600);
  });
});
