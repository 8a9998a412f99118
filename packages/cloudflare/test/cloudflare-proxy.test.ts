import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError, verifyHostname, type ProgressEvent } from '@sslclick/core';
import { createCloudflareProxy } from '../src/index.js';
import { cloudflareWrites, createTestProxy, nextLabel, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from './cloudflare-world.js';

let world: CloudflareWorld;

beforeAll(async () => {
  world = await startCloudflareWorld();
});

afterAll(async () => {
  await world?.close();
});

async function caught(promise: Promise<unknown>): Promise<SslClickError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(SslClickError.isInstance(error)).toBe(true);
  return error as SslClickError;
}

function requestsSince(index: number) {
  return world.cloudflare.server.requests.slice(index);
}

describe('apply', () => {
  it('takes a DNS-only branding record to ready, and a click through the edge reaches SendGrid', async () => {
    // A zone in Strict mode that caches everything: without our rules, SendGrid's *.sendgrid.net
    // certificate would give 526 and repeat clicks would be cached.
    const zone = world.cloudflare.addZone({ name: 'strict-shop.com', ssl: 'strict', cacheEverything: true });
    const hostname = await seedBrandedHost(world, { zone });
    const events: ProgressEvent[] = [];
    const adapter = createTestProxy(world);
    const before = world.cloudflare.server.requests.length;

    const status = await adapter.apply({ hostname }, { onProgress: (event) => events.push(event) });

    expect(status).toMatchObject({ provider: 'cloudflare', hostname, origin: 'sendgrid.net', state: 'ready', ready: true });
    expect(status.edge.state).toBe('deployed');
    expect(status.certificate.state).toBe('issued');
    expect(status.dns).toMatchObject({ managed: true, pointsToCdn: true });
    expect(status.checks.find((check) => check.id === 'tls-valid')?.ok).toBe(true);
    // Without a tracked link the edge's answer cannot prove SendGrid knows the Host (issue 12).
    expect(status.checks.find((check) => check.id === 'reaches-sendgrid')).toMatchObject({ ok: null, detail: expect.stringContaining('only a tracked link shows that SendGrid knows the Host') });
    expect(status.resources.filter((resource) => resource.owned).map((resource) => resource.kind)).toEqual(['ruleset-rule', 'ruleset-rule']);
    expect(status.nextSteps.join(' ')).toMatch(/SendGrid support/);
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['zone-found', 'rule-created', 'record-proxied', 'edge-verified']));

    // What Cloudflare received: two rules added one by one (entrypoints created), one record edit; no phase replaced.
    const writes = requestsSince(before).filter((request) => request.write);
    expect(writes.map((request) => `${request.method} ${request.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}/g, ':id')}`)).toEqual([
      'POST /client/v4/zones/:id/rulesets',
      'POST /client/v4/zones/:id/rulesets',
      'PATCH /client/v4/zones/:id/dns_records/:id',
    ]);
    const configuration = world.cloudflare.entrypoint(zone.id, 'http_config_settings');
    expect(configuration?.rules).toEqual([
      expect.objectContaining({ action: 'set_config', expression: `http.host eq "${hostname}"`, action_parameters: { ssl: 'full' }, description: expect.stringMatching(/^sslclick:/) }),
    ]);
    expect(world.cloudflare.entrypoint(zone.id, 'http_request_cache_settings')?.rules).toEqual([
      expect.objectContaining({ action: 'set_cache_settings', action_parameters: { cache: false } }),
    ]);
    const [record] = world.cloudflare.recordsAt(zone.id, hostname);
    expect(record).toMatchObject({ type: 'CNAME', content: 'sendgrid.net', proxied: true });

    // The data plane: the host resolves to the edge, which forwards as Cloudflare would in SSL mode Full.
    expect(world.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'A', value: '127.0.0.1' })]);
    expect(world.edge.getRoute(hostname)).toMatchObject({ provider: 'cloudflare', originHost: 'sendgrid.net', originProtocol: 'https', hostHeader: 'viewer', verifyOriginCertificate: false, cache: false });
    expect(world.edge.getCertificate(hostname)?.names).toEqual(['strict-shop.com', '*.strict-shop.com']);

    // Checked from the outside as SendGrid support does, with a real tracked link.
    const link = world.origin.createLink(hostname, 'https://shop.example.org/sale');
    const verified = await verifyHostname(hostname, { ...world.verification, sampleLink: link.clickUrl });
    expect(verified.ok).toBe(true);
    expect(verified.observed.https?.location).toBe('https://shop.example.org/sale');

    // Again: nothing to write.
    const writesBefore = cloudflareWrites(world);
    const again = await adapter.apply({ hostname });
    expect(again.ready).toBe(true);
    expect(cloudflareWrites(world)).toBe(writesBefore);
  });

  it('keeps the customer’s own Configuration and Cache rules byte for byte through apply and destroy', async () => {
    const zone = world.cloudflare.addZone({ name: 'ruled-shop.com' });
    const theirConfiguration = await world.cloudflare.addRuleset(zone.id, {
      phase: 'http_config_settings',
      description: 'the shop’s own settings',
      rules: [
        { action: 'set_config', expression: '(http.host eq "www.ruled-shop.com")', action_parameters: { ssl: 'strict', automatic_https_rewrites: true }, description: 'www strict', enabled: true },
        { action: 'set_config', expression: 'http.request.uri.path contains "/admin"', action_parameters: { bic: true }, description: 'admin', enabled: false },
      ],
    });
    const theirCache = await world.cloudflare.addRuleset(zone.id, {
      phase: 'http_request_cache_settings',
      rules: [{ action: 'set_cache_settings', expression: 'true', action_parameters: { cache: true, edge_ttl: { mode: 'override_origin', default: 7200 } }, description: 'cache everything' }],
    });
    const readRules = async (phase: string) => {
      const response = await fetch(`${world.cloudflare.url}/zones/${zone.id}/rulesets/phases/${phase}/entrypoint`, {
        headers: { authorization: `Bearer ${world.cloudflare.tokens.full}` },
      });
      const body = (await response.json()) as { result: { rules: Array<{ description?: string }> } };
      return body.result.rules;
    };
    const theirs = (rules: Array<{ description?: string }>) => JSON.stringify(rules.filter((rule) => !rule.description?.startsWith('sslclick:')));
    const configurationBefore = JSON.stringify(await readRules('http_config_settings'));
    const cacheBefore = JSON.stringify(await readRules('http_request_cache_settings'));
    const hostname = await seedBrandedHost(world, { zone });
    const adapter = createTestProxy(world);
    const start = world.cloudflare.server.requests.length;

    const status = await adapter.apply({ hostname });
    expect(status.ready).toBe(true);
    expect(theirs(await readRules('http_config_settings'))).toBe(configurationBefore);
    expect(theirs(await readRules('http_request_cache_settings'))).toBe(cacheBefore);
    // Ours was added at the end of their entrypoints, and their "cache everything" no longer hides clicks.
    expect(world.cloudflare.entrypoint(zone.id, 'http_config_settings')?.id).toBe(theirConfiguration.id);
    expect(world.cloudflare.entrypoint(zone.id, 'http_request_cache_settings')?.id).toBe(theirCache.id);
    expect(world.edge.getRoute(hostname)?.cache).toBe(false);
    const writePaths = requestsSince(start).filter((request) => request.write).map((request) => `${request.method} ${request.path}`);
    expect(writePaths.filter((path) => path.startsWith('POST') && path.endsWith('/rules'))).toHaveLength(2);
    expect(writePaths.some((path) => path.startsWith('PUT'))).toBe(false);

    await adapter.destroy({ hostname });
    expect(JSON.stringify(await readRules('http_config_settings'))).toBe(configurationBefore);
    expect(JSON.stringify(await readRules('http_request_cache_settings'))).toBe(cacheBefore);
    expect(requestsSince(start).some((request) => request.method === 'PUT')).toBe(false);
  });

  it('stops before any write when no certificate covers a two-level host, and says both ways out', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com` });
    const writesBefore = cloudflareWrites(world);
    const error = await caught(createTestProxy(world).apply({ hostname }));
    expect(error.code).toBe('UNSAFE');
    expect(error.message).toMatch(/orderCertificate: true/);
    expect(error.message).toMatch(/first-level/);
    expect(cloudflareWrites(world)).toBe(writesBefore);
  });

  it('orders an advanced certificate pack with orderCertificate, waits for it, and destroy removes it', async () => {
    const hostname = await seedBrandedHost(world, { name: `${nextLabel()}.mail.example.com`, comment: 'SendGrid branding' });
    const adapter = createTestProxy(world, { orderCertificate: true });
    const events: ProgressEvent[] = [];
    const start = world.cloudflare.server.requests.length;

    const plan = await adapter.plan({ hostname });
    // In apply's order: the rules (the Configuration Rule carrying the order marker), the order,
    // then the one PATCH of the record, which proxies it and notes the pack's id.
    expect(plan.changes.map((change) => `${change.action} ${change.resource.kind}`)).toEqual([
      'create ruleset-rule',
      'create ruleset-rule',
      'create certificate-pack',
      'update dns-record',
    ]);
    expect(plan.changes[0]?.description).toMatch(/sslclick orders the certificate pack/);
    expect(plan.changes[3]?.description).toMatch(/noting the ordered pack's id/);

    const status = await adapter.apply({ hostname }, { onProgress: (event) => events.push(event) });
    expect(status.ready).toBe(true);
    expect(status.certificate.state).toBe('issued');
    expect(status.certificate.notAfter).toEqual(expect.any(String));
    const owned = status.resources.find((resource) => resource.kind === 'certificate-pack');
    expect(owned).toMatchObject({ owned: true });
    const order = requestsSince(start).find((request) => request.path.endsWith('/ssl/certificate_packs/order'));
    expect(JSON.parse(order?.body ?? '{}')).toMatchObject({ type: 'advanced', hosts: ['example.com', hostname], validation_method: 'txt' });
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['certificate-ordered', 'certificate-waiting', 'certificate-ready']));
    expect(world.edge.getCertificate(hostname)?.names).toEqual(['example.com', hostname]);
    const [record] = world.cloudflare.recordsAt(world.zone.id, hostname);
    expect(record?.comment).toBe(`SendGrid branding [sslclick pack ${owned?.id}]`);

    const destroyed = await adapter.destroy({ hostname });
    expect(destroyed.resources.filter((resource) => resource.owned)).toEqual([]);
    expect(requestsSince(start).some((request) => request.method === 'DELETE' && request.path.endsWith(`/certificate_packs/${owned?.id}`))).toBe(true);
    expect(world.cloudflare.recordsAt(world.zone.id, hostname)).toEqual([expect.objectContaining({ content: 'sendgrid.net', proxied: false, comment: 'SendGrid branding' })]);
    expect(world.cloudflare.certificatePacks(world.zone.id).some((pack) => pack.id === owned?.id)).toBe(false);
  });

  it('treats A records and CNAMEs to anything else as conflicts, without writing', async () => {
    const adapter = createTestProxy(world);
    const withA = await seedBrandedHost(world, { type: 'A', content: '198.51.100.4' });
    const withCname = await seedBrandedHost(world, { content: 'shop.myshopify.com' });
    const writesBefore = cloudflareWrites(world);
    const first = await caught(adapter.apply({ hostname: withA }));
    expect(first.code).toBe('CONFLICT');
    expect(first.message).toMatch(/A → 198\.51\.100\.4/);
    const second = await caught(adapter.apply({ hostname: withCname }));
    expect(second.code).toBe('CONFLICT');
    expect(second.message).toMatch(/adopt: true/);
    expect(cloudflareWrites(world)).toBe(writesBefore);
  });

  it('takes a foreign CNAME over with adopt: true', async () => {
    const hostname = await seedBrandedHost(world, { content: 'old-proxy.example.net' });
    world.origin.addBrandedHost(hostname);
    const status = await createTestProxy(world).apply({ hostname, adopt: true });
    expect(status.ready).toBe(true);
    expect(world.cloudflare.recordsAt(world.zone.id, hostname)).toEqual([expect.objectContaining({ type: 'CNAME', content: 'sendgrid.net', proxied: true })]);
  });

  it('creates a missing branding record DNS-only and stops, asking to validate the branding now', async () => {
    const hostname = `${nextLabel()}.example.com`;
    const writesBefore = cloudflareWrites(world);
    const status = await createTestProxy(world).apply({ hostname });
    expect(cloudflareWrites(world)).toBe(writesBefore + 1);
    expect(status.ready).toBe(false);
    expect(status.nextSteps[0]).toMatch(/Validate the link branding/);
    expect(status.nextSteps[0]).toMatch(/never pass again/);
    expect(world.cloudflare.recordsAt(world.zone.id, hostname)).toEqual([expect.objectContaining({ type: 'CNAME', content: 'sendgrid.net', proxied: false })]);
    expect(world.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
    expect(world.cloudflare.entrypoint(world.zone.id, 'http_config_settings')?.rules.some((rule) => String(rule.expression).includes(hostname)) ?? false).toBe(false);
  });

  it('leaves an Auto SSL record (click.sendgrid.net) alone and says no CDN is needed', async () => {
    const hostname = await seedBrandedHost(world, { content: 'click.sendgrid.net' });
    const writesBefore = cloudflareWrites(world);
    const status = await createTestProxy(world).apply({ hostname });
    expect(cloudflareWrites(world)).toBe(writesBefore);
    expect(status.ready).toBe(false);
    expect(status.nextSteps.join(' ')).toMatch(/Auto SSL/);
    expect(status.nextSteps.join(' ')).toMatch(/changed nothing/);
    expect(world.cloudflare.recordsAt(world.zone.id, hostname)).toEqual([expect.objectContaining({ content: 'click.sendgrid.net', proxied: false })]);
  });

  it('puts the record back as it was when the check through the edge fails', async () => {
    const zone = world.cloudflare.addZone({ name: 'overridden.com' });
    const hostname = await seedBrandedHost(world, { zone });
    const adapter = createTestProxy(world, { cutoverCheckTimeoutMs: 1_200 });
    const events: string[] = [];
    const status = await adapter.apply(
      { hostname },
      {
        onProgress: (event) => {
          events.push(event.type);
          // Someone adds a rule after ours forcing Full (strict) for the host: SendGrid's certificate gives 526.
          if (event.type === 'record-proxied') {
            world.cloudflare.entrypoint(zone.id, 'http_config_settings')?.rules.push({ id: 'f'.repeat(32), action: 'set_config', expression: `http.host eq "${hostname}"`, action_parameters: { ssl: 'strict' }, enabled: true });
            void world.cloudflare.sync();
          }
        },
      },
    );
    expect(events).toContain('record-rolled-back');
    expect(status.state).toBe('failed');
    expect(status.ready).toBe(false);
    expect(status.edge.state).toBe('failed');
    expect(status.checks.find((check) => check.id === 'reaches-sendgrid')).toMatchObject({ ok: false, detail: expect.stringMatching(/526/) });
    expect(status.nextSteps[0]).toMatch(/put back as it was/);
    expect(world.cloudflare.recordsAt(zone.id, hostname)).toEqual([expect.objectContaining({ content: 'sendgrid.net', proxied: false })]);
    expect(world.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
  });

  it('rides out a storm of 429s with Retry-After', async () => {
    const hostname = await seedBrandedHost(world);
    const events: ProgressEvent[] = [];
    const start = world.cloudflare.server.requests.length;
    world.cloudflare.server.injectFault({ kind: 'rate-limit', times: 3, retryAfterSeconds: 0 });
    world.cloudflare.server.injectFault({ kind: 'rate-limit', match: { write: true }, times: 2, retryAfterSeconds: 1 });
    const status = await createTestProxy(world).apply({ hostname }, { onProgress: (event) => events.push(event) });
    world.cloudflare.server.clearFaults();
    expect(status.ready).toBe(true);
    expect(requestsSince(start).filter((request) => request.status === 429)).toHaveLength(5);
    expect(events.filter((event) => event.type === 'request-retrying')).toHaveLength(5);
  });

  it('rides out 5xx answers and an HTML error page from a proxy', async () => {
    const hostname = await seedBrandedHost(world);
    world.cloudflare.server.injectFault({ kind: 'server-error', times: 1 });
    world.cloudflare.server.injectFault({ kind: 'html-error', match: { write: true }, times: 1 });
    const status = await createTestProxy(world).apply({ hostname });
    world.cloudflare.server.clearFaults();
    expect(status.ready).toBe(true);
  });
});

describe('credentials and permissions', () => {
  it('gives CREDENTIALS for a token Cloudflare rejects, without the token in the message', async () => {
    const hostname = await seedBrandedHost(world);
    // Shaped like an API token (40 characters), but unknown: 401 with 9109. A malformed one is in vendor-variants.test.ts.
    const token = 'not-a-real-token-0123456789abcdefghijklm';
    const adapter = createTestProxy(world, { apiToken: token });
    const error = await caught(adapter.apply({ hostname }));
    expect(error.code).toBe('CREDENTIALS');
    expect(error.httpStatus).toBe(401);
    expect(error.message).toMatch(/9109/);
    expect(error.message).not.toContain(token);
    expect(JSON.stringify(error)).not.toContain(token);
  });

  it('names both places when no token is given', () => {
    const saved = process.env.CLOUDFLARE_API_TOKEN;
    delete process.env.CLOUDFLARE_API_TOKEN;
    try {
      expect(() => createCloudflareProxy({})).toThrowError(/apiToken.*CLOUDFLARE_API_TOKEN/);
    } finally {
      if (saved !== undefined) process.env.CLOUDFLARE_API_TOKEN = saved;
    }
  });

  it('plans with a read-only token, and apply names the missing permission', async () => {
    const hostname = await seedBrandedHost(world);
    const adapter = createTestProxy(world, { apiToken: world.cloudflare.tokens.readOnly });
    const writesBefore = cloudflareWrites(world);
    const plan = await adapter.plan({ hostname });
    expect(plan.changes.map((change) => change.action)).toEqual(['create', 'create', 'update']);
    const error = await caught(adapter.apply({ hostname }));
    expect(error.code).toBe('PERMISSION');
    expect(error.message).toMatch(/Zone > Config Rules > Edit/);
    // The 403 was the only write attempted.
    expect(cloudflareWrites(world)).toBe(writesBefore + 1);
  });

  it('rejects bad settings and bad input before any request', async () => {
    expect(() => createTestProxy(world, { zoneId: 'example.com' })).toThrowError(/32 hexadecimal/);
    expect(() => createTestProxy(world, { certificateAuthority: 'digicert' as never })).toThrowError(/certificateAuthority/);
    const requestsBefore = world.cloudflare.server.requests.length;
    const adapter = createTestProxy(world);
    expect((await caught(adapter.apply({ hostname: 'example.com' }))).code).toBe('INVALID_INPUT');
    expect((await caught(adapter.apply({ hostname: 'url1.example.com', origin: 'evil.example.net' }))).code).toBe('INVALID_INPUT');
    expect(world.cloudflare.server.requests.length).toBe(requestsBefore);
  });
});

describe('zones', () => {
  it('uses the longest matching zone, where Universal SSL covers the host', async () => {
    const nested = world.cloudflare.addZone({ name: 'news.example.com' });
    const hostname = await seedBrandedHost(world, { zone: nested });
    expect(hostname.endsWith('.news.example.com')).toBe(true);
    const status = await createTestProxy(world).apply({ hostname });
    expect(status.ready).toBe(true);
    expect(world.cloudflare.entrypoint(nested.id, 'http_config_settings')).toBeDefined();
  });

  it('uses zoneId without searching, and refuses a host outside it', async () => {
    const hostname = await seedBrandedHost(world);
    const adapter = createTestProxy(world, { zoneId: world.zone.id });
    const start = world.cloudflare.server.requests.length;
    const status = await adapter.status({ hostname });
    expect(status.state).toBe('absent');
    expect(requestsSince(start).some((request) => request.path.endsWith('/zones'))).toBe(false);
    expect((await caught(adapter.apply({ hostname: 'url1.other-domain.org' }))).code).toBe('INVALID_INPUT');
  });

  it('says so when the zone is missing or not active', async () => {
    const pending = world.cloudflare.addZone({ name: 'not-yet.org', status: 'pending' });
    const adapter = createTestProxy(world);
    const inactive = await caught(adapter.apply({ hostname: `url1.${pending.name}` }));
    expect(inactive.code).toBe('CONFLICT');
    expect(inactive.message).toMatch(/"pending", not active/);
    const missing = await caught(adapter.apply({ hostname: 'url1.nowhere.net' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toMatch(/No Cloudflare zone/);
  });
});

describe('destroy', () => {
  it('restores the DNS-only record, removes only our rules, and is fine twice', async () => {
    const hostname = await seedBrandedHost(world);
    const adapter = createTestProxy(world);
    await adapter.apply({ hostname });
    const first = await adapter.destroy({ hostname });
    expect(first.state).toBe('absent');
    expect(world.cloudflare.recordsAt(world.zone.id, hostname)).toEqual([expect.objectContaining({ type: 'CNAME', content: 'sendgrid.net', proxied: false })]);
    expect(world.dns.zone.getRecords(hostname)).toEqual([expect.objectContaining({ type: 'CNAME', value: 'sendgrid.net' })]);
    expect(world.edge.getRoute(hostname)).toBeUndefined();
    const rules = world.cloudflare.entrypoint(world.zone.id, 'http_config_settings')?.rules ?? [];
    expect(rules.some((rule) => String(rule.expression).includes(hostname))).toBe(false);
    const writes = cloudflareWrites(world);
    const second = await adapter.destroy({ hostname });
    expect(second.state).toBe('absent');
    expect(cloudflareWrites(world)).toBe(writes);
  });
});
