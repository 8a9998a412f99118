import { SslClickError } from '@sslclick/core';
import type { ProgressEvent } from '@sslclick/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fastRetry, startSendGridWorld } from '../test/sendgrid-world.js';
import type { SendGridWorld } from '../test/sendgrid-world.js';
import { createSendGridLinks } from './sendgrid-links.js';
import type { SendGridLinksSettings } from './sendgrid-links.js';

const parentKey = 'SG.parent-key-0123456789.abcdefghijklmnop';
const readOnlyKey = 'SG.read-only-key-0123456789.abcdefghijk';
const noScopeKey = 'SG.no-scope-key-0123456789.abcdefghijkl';
const otherParentKey = 'SG.other-parent-0123456789.abcdefghijkl';
const pagingKey = 'SG.paging-key-01234567890.abcdefghijklmn';

let world: SendGridWorld;

beforeAll(async () => {
  world = await startSendGridWorld({ maxPageSize: 50 });
  const { api } = world;
  api.addApiKey(parentKey, { scopes: ['whitelabel.read', 'whitelabel.update'], username: 'acme' });
  api.addApiKey(readOnlyKey, { scopes: ['whitelabel.read'], username: 'acme' });
  api.addApiKey(noScopeKey, { scopes: ['mail.send'], username: 'acme' });
  api.addApiKey(otherParentKey, { scopes: ['whitelabel.read'], username: 'globex' });
  api.addApiKey(pagingKey, { scopes: ['whitelabel.read'], username: 'initech' });
});

afterAll(async () => {
  await world?.close();
});

function links(settings: SendGridLinksSettings = {}): ReturnType<typeof createSendGridLinks> {
  return createSendGridLinks({ apiKey: parentKey, baseURL: world.api.url, retry: fastRetry, verification: world.sandbox.verification, ...settings });
}

async function failure(promise: Promise<unknown>): Promise<SslClickError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(SslClickError.isInstance(error), `expected an SslClickError, got ${String(error)}`).toBe(true);
  return error as SslClickError;
}

describe('findByHostname', () => {
  it('reads a classic branding: route, origin, owner record', async () => {
    const created = world.api.addLinkBranding({ domain: 'example.com', subdomain: 'url1234', username: 'acme', default: true });
    const branding = await links().findByHostname('URL1234.Example.com.');
    expect(branding).toMatchObject({
      id: created.id,
      domain: 'example.com',
      subdomain: 'url1234',
      hostname: 'url1234.example.com',
      valid: true,
      default: true,
      legacy: false,
      username: 'acme',
      userId: created.user_id,
      route: 'classic',
      origin: 'sendgrid.net',
    });
    expect(branding?.records).toEqual([
      { name: 'url1234.example.com', type: 'CNAME', value: 'sendgrid.net', purpose: expect.stringContaining('moves to the CDN') },
      { name: `${created.user_id}.example.com`, type: 'CNAME', value: 'sendgrid.net', purpose: expect.stringContaining('stays at sendgrid.net') },
    ]);
    expect(branding?.raw.dns.domain_cname).toEqual({ valid: true, type: 'cname', host: 'url1234.example.com', data: 'sendgrid.net' });
  });

  it('recognises an Auto SSL branding by its click.sendgrid.net CNAME and extra records', async () => {
    world.api.addLinkBranding({ domain: 'auto.example', subdomain: 'links', username: 'acme', autoSsl: true });
    const branding = await links().findByHostname('links.auto.example');
    expect(branding?.route).toBe('auto-ssl');
    expect(branding?.origin).toBe('sendgrid.net');
    expect(branding?.records.map((record) => [record.type, record.name])).toEqual([
      ['CNAME', 'links.auto.example'],
      ['CNAME', `${branding?.userId}.auto.example`],
      ['CNAME', '_acme-challenge.links.auto.example'],
      ['TXT', '_cf-custom-hostname.links.auto.example'],
    ]);
    expect(branding?.records[0]?.value).toBe('click.sendgrid.net');
    expect(branding?.records[2]?.value).toMatch(/^links\.auto\.example\.[0-9a-f]+\.dcv\.cloudflare\.com$/);
  });

  it('reads an EU branding through the EU client: origin eu.sendgrid.net', async () => {
    world.api.addApiKey('SG.eu-key-0123456789.abcdefghijklmnopq', { scopes: ['whitelabel.read'], username: 'acme-eu' });
    world.api.addLinkBranding({ domain: 'example.eu', subdomain: 'url77', username: 'acme-eu', region: 'eu' });
    const client = links({ apiKey: 'SG.eu-key-0123456789.abcdefghijklmnopq', region: 'eu' });
    expect(client.region).toBe('eu');
    const branding = await client.findByHostname('url77.example.eu');
    expect(branding).toMatchObject({ route: 'classic', origin: 'eu.sendgrid.net' });
    expect(branding?.records[0]).toMatchObject({ type: 'CNAME', value: 'eu.sendgrid.net' });
  });

  it('returns undefined for a host the account has no branding for', async () => {
    expect(await links().findByHostname('url9999.nowhere.example')).toBeUndefined();
  });

  it('rejects a bad hostname before any request', async () => {
    const before = world.api.server.requests.length;
    const error = await failure(links().findByHostname('https://url1234.example.com/'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(world.api.server.requests.length).toBe(before);
  });

  it('gets one branding by id, and NOT_FOUND for an id the account does not have', async () => {
    const created = world.api.addLinkBranding({ domain: 'get.example', subdomain: 'url5', username: 'acme' });
    expect((await links().get(created.id)).hostname).toBe('url5.get.example');
    const error = await failure(links().get(987_654));
    expect(error).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, provider: 'sendgrid' });
    expect(error.message).toContain('link branding 987654');
    expect((await failure(links().get(-1))).code).toBe('INVALID_INPUT');
  });

  it('reads the default branding for a domain, falling back to SendGrid’s own', async () => {
    const client = links({ apiKey: otherParentKey });
    const fallback = await client.defaultBranding();
    expect(fallback.hostname).toMatch(/^u\d+\.ct\.sendgrid\.net$/);
    const withDomain = await links().defaultBranding({ domain: 'example.com' });
    expect(withDomain.hostname).toBe('url1234.example.com');
  });
});

describe('sub-users (on-behalf-of)', () => {
  beforeAll(() => {
    world.api.addSubuser('acme', 'acme-marketing');
    world.api.addSubuser('globex', 'globex-sales');
    world.api.addLinkBranding({ domain: 'marketing.example', subdomain: 'url42', username: 'acme-marketing' });
    const shared = world.api.addLinkBranding({ domain: 'shared.example', subdomain: 'url43', username: 'acme' });
    world.api.associateSubuser(shared.id, 'acme-marketing');
  });

  it("lists the sub-user's brandings with the parent's key, not the parent's own", async () => {
    const client = links({ subuser: 'acme-marketing' });
    expect(client.subuser).toBe('acme-marketing');
    const hostnames = (await client.list()).map((branding) => branding.hostname);
    expect(hostnames).toEqual(['url42.marketing.example', 'url43.shared.example']);
    expect(await client.findByHostname('url1234.example.com')).toBeUndefined();
    const own = await client.findByHostname('url42.marketing.example');
    expect(own).toMatchObject({ username: 'acme-marketing', valid: true });
  });

  it('the parent does not see a sub-user’s own brandings without on-behalf-of', async () => {
    expect(await links().findByHostname('url42.marketing.example')).toBeUndefined();
  });

  it("reads the parent's branding associated with a sub-user, and undefined when none is", async () => {
    const associated = await links().subuserBranding('acme-marketing');
    expect(associated).toMatchObject({ hostname: 'url43.shared.example', username: 'acme' });
    world.api.addSubuser('acme', 'acme-support');
    expect(await links().subuserBranding('acme-support')).toBeUndefined();
    // The call is the parent's own, so it works from a client set up for a sub-user too.
    expect((await links({ subuser: 'acme-marketing' }).subuserBranding('acme-marketing'))?.id).toBe(associated?.id);
  });

  it("refuses to act for another account's sub-user: PERMISSION naming the sub-user", async () => {
    const error = await failure(links({ subuser: 'globex-sales' }).list());
    expect(error).toMatchObject({ code: 'PERMISSION', httpStatus: 403 });
    expect(error.message).toContain('"globex-sales"');
    expect(error.message).toContain('whitelabel.read');
  });
});

describe('list paging', () => {
  it('pages with limit and offset until a short page', async () => {
    for (let index = 1; index <= 5; index += 1) {
      world.api.addLinkBranding({ domain: `page${index}.example`, subdomain: `url${index}`, username: 'initech' });
    }
    world.api.server.clearRequests();
    const all = await links({ apiKey: pagingKey, pageSize: 2 }).list();
    expect(all.map((branding) => branding.domain)).toEqual(['page1.example', 'page2.example', 'page3.example', 'page4.example', 'page5.example']);
    expect(world.api.server.requests.map((record) => record.query)).toEqual([
      '?limit=2&offset=0',
      '?limit=2&offset=2',
      '?limit=2&offset=4',
    ]);
  });

  it('stops the first page short of a full one without an extra request', async () => {
    world.api.server.clearRequests();
    expect(await links({ apiKey: pagingKey, pageSize: 6 }).list()).toHaveLength(5);
    expect(world.api.server.requests).toHaveLength(1);
  });

  it('reads the whole list in one page when a proxy drops the offset, instead of looping or stopping short', async () => {
    world.api.server.clearRequests();
    // A proxy in front of the API that drops the offset parameter.
    const droppingOffset: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      url.searchParams.delete('offset');
      return fetch(url, init);
    };
    const all = await links({ apiKey: pagingKey, pageSize: 2, fetch: droppingOffset }).list();
    expect(all.map((branding) => branding.domain)).toEqual(['page1.example', 'page2.example', 'page3.example', 'page4.example', 'page5.example']);
    expect(world.api.server.requests.map((record) => record.query)).toEqual(['?limit=2', '?limit=2', '?limit=500']);
  });
});

describe.each(['honoured', 'ignored'] as const)('list paging when SendGrid %s the offset', (listOffset) => {
  const bigKey = `SG.big-${listOffset}-key-0123456789.abcdefghijk`;
  beforeAll(() => {
    world.api.setBehaviour({ listOffset });
  });
  afterAll(() => {
    world.api.setBehaviour({ listOffset: 'honoured' });
  });

  it('returns every branding exactly once, in a bounded number of requests', async () => {
    world.api.server.clearRequests();
    const all = await links({ apiKey: pagingKey, pageSize: 2 }).list();
    expect(all.map((branding) => branding.domain)).toEqual(['page1.example', 'page2.example', 'page3.example', 'page4.example', 'page5.example']);
    expect(world.api.server.requests.map((record) => record.query)).toEqual(
      listOffset === 'honoured'
        ? ['?limit=2&offset=0', '?limit=2&offset=2', '?limit=2&offset=4']
        : ['?limit=2&offset=0', '?limit=2&offset=2', '?limit=500&offset=0'],
    );
  });

  it('ends at an empty page or the repeated one when the list fills its pages exactly', async () => {
    world.api.addApiKey('SG.exact-key-0123456789.abcdefghijklmn', { scopes: ['whitelabel.read'], username: `exact-${listOffset}` });
    for (let index = 1; index <= 4; index += 1) {
      world.api.addLinkBranding({ domain: `exact${index}-${listOffset}.example`, subdomain: 'url1', username: `exact-${listOffset}` });
    }
    const all = await links({ apiKey: 'SG.exact-key-0123456789.abcdefghijklmn', pageSize: 2 }).list();
    expect(all).toHaveLength(4);
  });

  it('with more brandings than one page of 500 holds: complete when offset works, PROVIDER saying why when not', { timeout: 20_000 }, async () => {
    const bigWorld = await startSendGridWorld({ listOffset });
    try {
      bigWorld.api.addApiKey(bigKey, { scopes: ['whitelabel.read'], username: 'huge' });
      for (let index = 1; index <= 501; index += 1) {
        bigWorld.api.addLinkBranding({ domain: `huge${index}.example`, subdomain: 'url1', username: 'huge', publishDns: false });
      }
      const client = createSendGridLinks({ apiKey: bigKey, baseURL: bigWorld.api.url, retry: fastRetry, pageSize: 500 });
      if (listOffset === 'honoured') {
        expect(await client.list()).toHaveLength(501);
      } else {
        const error = await failure(client.list());
        expect(error).toMatchObject({ code: 'PROVIDER', retryable: false });
        expect(error.message).toContain('ignores "offset"');
        expect(error.message).toContain('at least 500');
      }
      expect(bigWorld.api.server.requests.length).toBe(2);
    } finally {
      await bigWorld.close();
    }
  });
});

describe.each([true, false])('a sub-user whose own list %s shows the associated parent branding', (subuserSeesAssociatedBranding) => {
  beforeAll(() => {
    world.api.setBehaviour({ subuserSeesAssociatedBranding });
  });
  afterAll(() => {
    world.api.setBehaviour({ subuserSeesAssociatedBranding: true });
  });

  it('list and findByHostname include it, read once from the parent side', async () => {
    world.api.server.clearRequests();
    const client = links({ subuser: 'acme-marketing' });
    expect((await client.list()).map((branding) => branding.hostname)).toEqual(['url42.marketing.example', 'url43.shared.example']);
    const subuserCalls = world.api.server.requests.filter((record) => record.path === '/v3/whitelabel/links/subuser');
    // Asked as the parent: the fake answers 404 to a sub-user asking about itself.
    expect(subuserCalls.map((record) => record.query)).toEqual(['?username=acme-marketing']);
    expect(await client.findByHostname('url43.shared.example')).toMatchObject({ username: 'acme', valid: true });
  });

  it('get by id finds it too', async () => {
    const associated = await links().subuserBranding('acme-marketing');
    expect((await links({ subuser: 'acme-marketing' }).get(associated?.id ?? 0)).hostname).toBe('url43.shared.example');
  });
});

describe('vendor errors are translated with zero writes', () => {
  it('an unknown key is CREDENTIALS, and the key appears nowhere', async () => {
    const badKey = 'SG.unknown-key-0123456789.abcdefghijklm';
    const error = await failure(links({ apiKey: badKey }).list());
    expect(error).toMatchObject({ code: 'CREDENTIALS', httpStatus: 401, provider: 'sendgrid', operation: 'links.list' });
    expect(error.message).toContain('authorization required');
    expect(error.message).toContain('SENDGRID_API_KEY');
    expect(JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) })).not.toContain(badKey);
    expect(world.api.server.writes()).toBe(0);
  });

  it('a key without the scope is PERMISSION naming whitelabel.read', async () => {
    const error = await failure(links({ apiKey: noScopeKey }).list());
    expect(error).toMatchObject({ code: 'PERMISSION', httpStatus: 403 });
    expect(error.message).toContain('"whitelabel.read"');
    expect(error.message).not.toContain(noScopeKey);
    expect(world.api.server.writes()).toBe(0);
  });

  it("SendGrid's temporary block after bad requests is a 403 too: the message names both causes, not only the scope", async () => {
    world.api.setBehaviour({ blockAfterUnauthorized: 1 });
    try {
      expect((await failure(links({ apiKey: 'SG.wrong-key-0123456789.abcdefghijklmn' }).list())).code).toBe('CREDENTIALS');
      world.api.server.clearRequests();
      const error = await failure(links().list());
      expect(error).toMatchObject({ code: 'PERMISSION', httpStatus: 403, retryable: false });
      expect(error.message).toContain('"whitelabel.read"');
      expect(error.message).toContain('temporarily blocking');
      expect(error.message).toContain('wait a few minutes');
      // Not retried: hammering a blocked API prolongs the block.
      expect(world.api.server.requests).toHaveLength(1);
    } finally {
      world.api.setBehaviour({ blockAfterUnauthorized: undefined });
    }
  });

  it('an HTML 502 from a gateway is PROVIDER after the retries, saying so', async () => {
    world.api.server.clearRequests();
    world.api.server.injectFault({ kind: 'html-error', times: 3 });
    const error = await failure(links().list());
    expect(error).toMatchObject({ code: 'PROVIDER', httpStatus: 502, retryable: true });
    expect(error.message).toContain('HTML page');
    expect(error.message).toContain('502 Bad Gateway');
    expect(world.api.server.requests).toHaveLength(fastRetry.maxAttempts);
    expect(world.api.server.writes()).toBe(0);
  });

  it('a malformed JSON body is PROVIDER, not retried', async () => {
    world.api.server.clearRequests();
    world.api.server.injectFault({ kind: 'malformed' });
    const error = await failure(links().list());
    expect(error.code).toBe('PROVIDER');
    expect(error.message).toContain('not valid JSON');
    expect(world.api.server.requests).toHaveLength(1);
    expect(world.api.server.writes()).toBe(0);
  });

  it('a 500 that persists is PROVIDER; a refused connection is PROVIDER naming the base URL', async () => {
    world.api.server.injectFault({ kind: 'server-error', times: 3 });
    expect((await failure(links().list())).code).toBe('PROVIDER');
    const unreachable = await failure(links({ baseURL: 'http://127.0.0.1:9' }).list());
    expect(unreachable).toMatchObject({ code: 'PROVIDER', retryable: true });
    expect(unreachable.message).toContain('http://127.0.0.1:9');
  });

  it('rides out a 429 with Retry-After and reports the retry', async () => {
    world.api.server.clearRequests();
    world.api.server.injectFault({ kind: 'rate-limit', retryAfterSeconds: 1 });
    const events: ProgressEvent[] = [];
    const startedAt = Date.now();
    const all = await links().list({ onProgress: (event) => events.push(event) });
    expect(all.length).toBeGreaterThan(0);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
    expect(world.api.server.requests.map((record) => record.status)).toEqual([429, 200]);
    expect(events).toEqual([expect.objectContaining({ type: 'request-retrying', provider: 'sendgrid', delayMs: 1000 })]);
  });

  it('a 429 that outlasts the retries is RATE_LIMITED', async () => {
    world.api.server.injectFault({ kind: 'rate-limit', retryAfterSeconds: 0, times: 3 });
    expect((await failure(links().list())).code).toBe('RATE_LIMITED');
  });
});

describe('settings', () => {
  it('takes the key from SENDGRID_API_KEY, and names both places when it is missing', async () => {
    vi.stubEnv('SENDGRID_API_KEY', parentKey);
    try {
      const client = createSendGridLinks({ baseURL: world.api.url });
      expect((await client.list()).length).toBeGreaterThan(0);
      vi.stubEnv('SENDGRID_API_KEY', '');
      const error = (() => {
        try {
          createSendGridLinks({ baseURL: world.api.url });
        } catch (caught) {
          return caught as SslClickError;
        }
        return undefined;
      })();
      expect(error?.code).toBe('CREDENTIALS');
      expect(error?.message).toContain('"apiKey"');
      expect(error?.message).toContain('SENDGRID_API_KEY');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('checks settings at construction', () => {
    const invalid = (settings: Record<string, unknown>): string | undefined => {
      try {
        createSendGridLinks({ apiKey: parentKey, ...settings } as SendGridLinksSettings);
      } catch (error) {
        return (error as SslClickError).code;
      }
      return undefined;
    };
    expect(invalid({ region: 'us' })).toBe('INVALID_INPUT');
    expect(invalid({ baseURL: 'api.sendgrid.com' })).toBe('INVALID_INPUT');
    expect(invalid({ baseURL: 'ftp://api.sendgrid.com' })).toBe('INVALID_INPUT');
    expect(invalid({ subuser: '  ' })).toBe('INVALID_INPUT');
    expect(invalid({ pageSize: 0 })).toBe('INVALID_INPUT');
    expect(invalid({ region: 'eu' })).toBeUndefined();
  });

  it('holds the key nowhere a user could print it', () => {
    const client = links();
    expect(JSON.stringify(client)).not.toContain(parentKey);
    expect(Object.values(client).map(String).join(' ')).not.toContain(parentKey);
  });
});
