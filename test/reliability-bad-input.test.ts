/**
 * Bad input through the whole job (issue: reliability, item 6): hostnames and options given to
 * setup() and the verifier each get an SslClickError with the right code and a message that says
 * what to do, and the vendor's request log shows zero writes. The adapters' own settings,
 * credentials and malformed vendor answers are covered in each adapter's reliability tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, SslClickError, verifyHostname, type SslClickErrorCode } from '@sslclick/core';
import { createSendGridLinks } from '@sslclick/sendgrid';
import { createTestProxy, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from '../packages/cloudflare/test/cloudflare-world.js';

let world: CloudflareWorld;
beforeAll(async () => {
  world = await startCloudflareWorld();
});
afterAll(async () => world?.close());

async function failure(run: () => Promise<unknown>): Promise<SslClickError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(SslClickError.isInstance(error), `expected an SslClickError, got ${String(error)}`).toBe(true);
  return error as SslClickError;
}

const hostnameCases: Array<[string, string, SslClickErrorCode, RegExp]> = [
  ['empty', '', 'INVALID_INPUT', /empty/],
  ['whitespace only', '   ', 'INVALID_INPUT', /whitespace/],
  ['an IPv4 address', '203.0.113.7', 'INVALID_INPUT', /IP address/],
  ['an IPv6 address', '::1', 'INVALID_INPUT', /IP address/],
  ['a wildcard', '*.example.com', 'INVALID_INPUT', /wildcard/],
  ['the zone apex', 'example.com', 'INVALID_INPUT', /zone apex/],
  ['an over-long label', `${'x'.repeat(64)}.example.com`, 'INVALID_INPUT', /at most 63/],
  ['a pasted https URL', 'https://url1234.example.com/ls/click?upn=abc', 'INVALID_INPUT', /only the host name/],
  ['a host with a port', 'url1234.example.com:443', 'INVALID_INPUT', /port/],
  ['a single label', 'url1234', 'INVALID_INPUT', /single label/],
  ['an emoji label', 'url☃️.example.com', 'INVALID_INPUT', /symbols or emoji/],
  ['an underscore', 'url_1234.example.com', 'INVALID_INPUT', /characters a host name cannot have/],
];

describe('setup() refuses bad hostnames before any vendor call', () => {
  it.each(hostnameCases)('%s → %s', async (_name, hostname, code, reason) => {
    const before = world.cloudflare.server.requests.length;
    const error = await failure(() => setup(createTestProxy(world), { hostname }, { verification: world.verification }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(reason);
    expect(world.cloudflare.server.requests.length).toBe(before);
  });
});

describe('setup() with a hostname whose zone is not in the account', () => {
  it('is NOT_FOUND, naming the zone to add, with zero writes', async () => {
    const writes = world.cloudflare.server.writes();
    const error = await failure(() => setup(createTestProxy(world), { hostname: 'url1.elsewhere.example.net' }, { verification: world.verification }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toMatch(/zone/i);
    expect(world.cloudflare.server.writes()).toBe(writes);
  });
});

describe('SendGrid credentials and options', () => {
  it('a missing API key names the setting and the environment variable', () => {
    const saved = process.env.SENDGRID_API_KEY;
    delete process.env.SENDGRID_API_KEY;
    try {
      expect(() => createSendGridLinks({})).toThrow(/apiKey.*SENDGRID_API_KEY|SENDGRID_API_KEY.*apiKey/);
    } finally {
      if (saved !== undefined) process.env.SENDGRID_API_KEY = saved;
    }
  });

  it('an expired (unknown) SendGrid key stops setup with CREDENTIALS before any CDN write', async () => {
    const { startSendGridApi } = await import('@sslclick/sandbox');
    const sendgrid = await startSendGridApi(world);
    try {
      const hostname = await seedBrandedHost(world);
      const writes = world.cloudflare.server.writes();
      const links = createSendGridLinks({ apiKey: 'SG.expired-key.0000000000000000', baseURL: sendgrid.url, retry: { minDelay: 5, maxDelay: 10 } });
      const error = await failure(() => setup(createTestProxy(world), { hostname }, { sendgrid: links, verification: world.verification }));
      expect(error.code).toBe('CREDENTIALS');
      expect(error.message).not.toContain('SG.expired-key.0000000000000000');
      expect(world.cloudflare.server.writes()).toBe(writes);
    } finally {
      await sendgrid.close();
    }
  });
});

describe('verifier options', () => {
  it('a sampleLink that is not a URL is INVALID_INPUT', async () => {
    const error = await failure(() => verifyHostname('url1.example.com', { sampleLink: 'ls/click?upn=abc' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/tracked link copied from a sent message/);
  });
});
