/**
 * Where the evidence about Cloudflare's API is unsure, the fake answers each plausible way
 * (`CloudflareApiVariants`) and the adapter must be right under every one. Evidence for each
 * variant: packages/sandbox/src/cloudflare-api/fidelity.test.ts and the README's assumptions table.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError } from '@sslclick/core';
import { defaultCloudflareApiVariants, type CloudflareApiVariants, type CloudflarePermission } from '@sslclick/sandbox';
import { cloudflareWrites, createTestProxy, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from './cloudflare-world.js';

let world: CloudflareWorld;
let zoneCounter = 0;

beforeAll(async () => {
  world = await startCloudflareWorld();
});

afterEach(() => {
  Object.assign(world.cloudflare.variants, defaultCloudflareApiVariants);
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

/** A branded host in a zone of its own, so rules of one case never meet another's. */
async function freshHost(): Promise<{ hostname: string; zoneId: string }> {
  zoneCounter += 1;
  const zone = world.cloudflare.addZone({ name: `variant-${zoneCounter}.com` });
  return { hostname: await seedBrandedHost(world, { zone }), zoneId: zone.id };
}

describe.each<CloudflareApiVariants['malformedToken']>(['invalid-header-400', 'invalid-token-401'])('a malformed token, answered %s', (variant) => {
  it('is CREDENTIALS, names what to check, and never shows the token', async () => {
    world.cloudflare.variants.malformedToken = variant;
    const { hostname } = await freshHost();
    // A token pasted with its quotes: not the 40 characters an API token has.
    const token = '"cfut_pasted-with-quotes-9f8e7d"';
    const error = await caught(createTestProxy(world, { apiToken: token }).apply({ hostname }));
    expect(error.code).toBe('CREDENTIALS');
    expect(error.retryable).toBe(false);
    expect(error.httpStatus).toBe(variant === 'invalid-header-400' ? 400 : 401);
    expect(error.message).toMatch(variant === 'invalid-header-400' ? /6003: Invalid request headers; 6111: Invalid format for Authorization header/ : /9109/);
    expect(error.message).toMatch(/CLOUDFLARE_API_TOKEN or the apiToken setting/);
    expect(JSON.stringify({ message: error.message, error })).not.toContain('pasted-with-quotes');
  });
});

describe.each([false, true])('rules echoed with defaulted fields: %s', (echo) => {
  it('sees no drift in fields sslclick never set, so a second apply writes nothing', async () => {
    world.cloudflare.variants.echoDefaultedRuleFields = echo;
    const { hostname } = await freshHost();
    const adapter = createTestProxy(world);
    expect((await adapter.apply({ hostname })).ready).toBe(true);
    const status = await adapter.status({ hostname });
    expect(status.ready).toBe(true);
    expect(status.edge.state).toBe('deployed');
    const configurationRule = (status.edge.raw as { configurationRule: { action_parameters: Record<string, unknown> } }).configurationRule;
    expect(Object.keys(configurationRule.action_parameters).length > 1).toBe(echo);

    const writes = cloudflareWrites(world);
    expect((await adapter.apply({ hostname })).ready).toBe(true);
    expect(cloudflareWrites(world)).toBe(writes);
  });

  it('still repairs a field sslclick set that was changed', async () => {
    world.cloudflare.variants.echoDefaultedRuleFields = echo;
    const { hostname, zoneId } = await freshHost();
    const adapter = createTestProxy(world);
    await adapter.apply({ hostname });
    const ours = world.cloudflare.entrypoint(zoneId, 'http_config_settings')?.rules.find((rule) => String(rule.description).startsWith('sslclick:'));
    expect(ours).toBeDefined();
    if (ours) ours.action_parameters = { ssl: 'strict' };
    expect((await adapter.status({ hostname })).edge.state).toBe('pending');

    // The proxied host fails through the edge (526): the first apply puts the record back to
    // DNS-only before anything else and stops there (restore first, issue 16), writing only that.
    let start = world.cloudflare.server.requests.length;
    const restored = await adapter.apply({ hostname });
    expect(restored.ready).toBe(false);
    let writes = world.cloudflare.server.requests.slice(start).filter((request) => request.write);
    expect(writes.map((request) => `${request.method} ${JSON.stringify(JSON.parse(writes[0]?.body ?? '{}').proxied)}`)).toEqual(['PATCH false']);

    // The next apply repairs the rule, then proxies the record again.
    start = world.cloudflare.server.requests.length;
    expect((await adapter.apply({ hostname })).ready).toBe(true);
    writes = world.cloudflare.server.requests.slice(start).filter((request) => request.write);
    expect(writes.map((request) => request.method)).toEqual(['PATCH', 'PATCH']);
    expect(JSON.parse(writes[0]?.body ?? '{}')).toMatchObject({ action_parameters: { ssl: 'full' } });
    expect(JSON.parse(writes[1]?.body ?? '{}')).toMatchObject({ proxied: true });
    expect(world.edge.getRoute(hostname)?.originProtocol).toBe('https');
  });
});

const zoneOnly: CloudflarePermission[] = ['Zone Read', 'DNS Read', 'DNS Edit', 'Config Rules Read', 'Config Rules Edit', 'Cache Rules Read', 'Cache Rules Edit', 'SSL and Certificates Read'];

describe.each<CloudflareApiVariants['cacheRulePermissions']>(['zone', 'zone-and-account'])('Cache Rules writes needing %s permissions', (variant) => {
  it('a token without Cache Rules Edit gets PERMISSION naming every permission a Cache Rule write can need', async () => {
    world.cloudflare.variants.cacheRulePermissions = variant;
    const { hostname } = await freshHost();
    const token = world.cloudflare.registerToken(zoneOnly.filter((permission) => permission !== 'Cache Rules Edit'));
    const error = await caught(createTestProxy(world, { apiToken: token }).apply({ hostname }));
    expect(error.code).toBe('PERMISSION');
    expect(error.operation).toBe('rulesets.create(http_request_cache_settings)');
    expect(error.message).toMatch(/"Zone > Cache Rules > Edit" on this zone/);
    expect(error.message).toMatch(/"Account > Account Rulesets > Edit", "Account > Account Filter Lists > Edit" on the zone's account/);
    expect(error.message).toMatch(/bypassCache: false/);
    expect(error.message).not.toMatch(/Config Rules/);
  });

  it('a token with the zone permissions only is enough exactly when Cloudflare does not enforce the account ones', async () => {
    world.cloudflare.variants.cacheRulePermissions = variant;
    const { hostname } = await freshHost();
    const adapter = createTestProxy(world, { apiToken: world.cloudflare.registerToken(zoneOnly) });
    if (variant === 'zone') {
      expect((await adapter.apply({ hostname })).ready).toBe(true);
      return;
    }
    const error = await caught(adapter.apply({ hostname }));
    expect(error.code).toBe('PERMISSION');
    expect(error.message).toMatch(/Account > Account Rulesets > Edit/);
    expect(error.message).toMatch(/Account > Account Filter Lists > Edit/);
    // With every permission the same host goes through, and without a Cache Rule none is needed.
    expect((await createTestProxy(world).apply({ hostname })).ready).toBe(true);
    const other = await freshHost();
    expect((await createTestProxy(world, { apiToken: world.cloudflare.registerToken(zoneOnly), bypassCache: false }).apply({ hostname: other.hostname })).ready).toBe(true);
  });
});

describe.each<CloudflareApiVariants['zoneNameFilter']>(['operators', 'exact-only'])('a zone name filter read as %s', (variant) => {
  it('finds the zone of a host two levels under it either way; one request when the operator is understood', async () => {
    world.cloudflare.variants.zoneNameFilter = variant;
    zoneCounter += 1;
    const zone = world.cloudflare.addZone({ name: `variant-${zoneCounter}.com` });
    const hostname = await seedBrandedHost(world, { zone, name: `url${zoneCounter}.links.${zone.name}` });
    const start = world.cloudflare.server.requests.length;
    const status = await createTestProxy(world).status({ hostname });
    expect(status.warnings.join(' ')).not.toMatch(/No Cloudflare zone/);
    expect(world.cloudflare.server.requests.slice(start).some((request) => request.path.endsWith(`/zones/${zone.id}/dns_records`))).toBe(true);
    const zoneLookups = world.cloudflare.server.requests.slice(start).filter((request) => request.path.endsWith('/zones'));
    // ends_with first; understood, it answers; taken as a plain name, each parent name follows.
    expect(zoneLookups.map((request) => new URLSearchParams(request.query).get('name'))).toEqual(
      variant === 'operators' ? [`ends_with:${zone.name}`] : [`ends_with:${zone.name}`, `links.${zone.name}`, zone.name],
    );
  });
});
