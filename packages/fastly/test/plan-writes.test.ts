/**
 * The plan reserves what the apply writes (issue 14): `setupAccount` takes each host's planned
 * writes from the Fastly write budget before its apply, so a plan counting more than apply makes
 * keeps a fleet waiting for writes it never makes, and one counting fewer would let the fleet
 * pass the budget. Each case plans, applies the same request, and compares the plan's count
 * (the changes' `writes`, summed and rounded up as `setupAccount` does) with the writes the fake
 * Fastly API received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteBudget, type Plan, type ProxyAdapter, type WriteBudget } from '@sslclick/core';
// A host's view of the budget as `setupAccount` gives it: its reservation first, then the budget.
import { reservedView } from '@sslclick/core/adapter';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { startCloudflareApi, type CloudflareApi, type CloudflareZone } from '@sslclick/sandbox';
import { createTestProxy, prepareHostname, startFastlyWorld, type FastlyWorld } from './fastly-world.js';

let world: FastlyWorld;
let cloudflare: CloudflareApi;
let zone: CloudflareZone;

beforeAll(async () => {
  world = await startFastlyWorld({ issuanceDelayMs: 0 });
  cloudflare = await startCloudflareApi(world);
  zone = cloudflare.addZone({ name: 'fastly-plan-writes.com' });
});

afterAll(async () => {
  await cloudflare?.close();
  await world?.close();
});

/** What `setupAccount` reserves for a plan: the changes' writes, summed and rounded up. */
function plannedWrites(plan: Plan): number {
  return Math.ceil(plan.changes.reduce((sum, change) => sum + (change.writes ?? Number.NaN), 0));
}

/** The writes the fake received while `action` ran, as `METHOD path` with ids replaced. */
async function writesDuring(action: () => Promise<unknown>): Promise<string[]> {
  const start = world.fastly.server.requests.length;
  await action();
  return world.fastly.server.requests
    .slice(start)
    .filter((request) => request.write)
    .map((request) => `${request.method} ${request.path.replace(/[A-Za-z0-9]{22}/g, ':id').replace(/\/version\/\d+/, '/version/:n')}`);
}

async function planThenApply(adapter: ProxyAdapter, hostname: string): Promise<{ planned: number; made: string[] }> {
  const plan = await adapter.plan({ hostname });
  // Every change says what it writes: none falls back to the budget's average.
  expect(plan.changes.filter((change) => change.writes === undefined)).toEqual([]);
  const made = await writesDuring(() => adapter.apply({ hostname }));
  return { planned: plannedWrites(plan), made };
}

function serviceOf(hostname: string) {
  const service = world.fastly.state.services.find((candidate) => candidate.name === `sslclick ${hostname}` && candidate.deleted_at === undefined);
  if (!service) throw new Error(`no service for ${hostname}`);
  return service;
}

describe('per-host mode: the plan counts the writes apply makes', () => {
  it('a new host, compute: 6 planned, 6 made (was 12 planned: 6 changes × writesPerChange 2)', async () => {
    const hostname = await prepareHostname(world);
    const { planned, made } = await planThenApply(await createTestProxy(world), hostname);
    expect(made).toEqual([
      'POST /service',
      'POST /service/:id/version/:n/domain',
      'POST /service/:id/version/:n/backend',
      'PUT /service/:id/version/:n/package',
      'PUT /service/:id/version/:n/activate',
      'POST /tls/subscriptions',
    ]);
    expect(planned).toBe(made.length);
  });

  it('a new host, vcl: 6 planned, 6 made', async () => {
    const hostname = await prepareHostname(world);
    const { planned, made } = await planThenApply(await createTestProxy(world, { mode: 'vcl' }), hostname);
    expect(made).toHaveLength(6);
    expect(made).toContain('POST /service/:id/version/:n/snippet');
    expect(planned).toBe(made.length);
  });

  it('a repair of the active version: the clone, the fix, the activation and the package mark', async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world);
    await adapter.apply({ hostname });
    // Someone sets an override host on the active version (by hand, as in fastly-proxy.test.ts).
    const active = serviceOf(hostname).versions.find((version) => version.active)!;
    active.backends[0]!.override_host = 'sendgrid.net';
    const { planned, made } = await planThenApply(await createTestProxy(world), hostname);
    expect(made).toEqual(['PUT /service/:id/version/:n/clone', 'PUT /service/:id/version/:n/backend/sendgrid', 'PUT /service/:id/version/:n/activate', 'PUT /service/:id']);
    expect(planned).toBe(made.length);
  });

  it('nothing to do: 0 planned, 0 made', async () => {
    const hostname = await prepareHostname(world);
    const adapter = await createTestProxy(world);
    await adapter.apply({ hostname });
    const { planned, made } = await planThenApply(await createTestProxy(world), hostname);
    expect(made).toEqual([]);
    expect(planned).toBe(0);
  });
});

describe('shared mode: a fair share per host, and the budget holds whatever the batch', () => {
  let services = 0;
  async function sharedAdapter(batchWindowMs: number): Promise<ProxyAdapter> {
    services += 1;
    return createTestProxy(world, { shared: { serviceName: `sslclick plan writes ${services}`, batchWindowMs } });
  }

  /**
   * Plans every host, then applies them at once as `setupAccount` does: each takes its planned
   * writes from one budget first and applies with its view of it (its reservation, then the
   * shared budget). `drawn` counts what was taken from the shared budget.
   */
  async function fleet(adapter: ProxyAdapter, hostnames: readonly string[]): Promise<{ planned: number; made: number; drawn: number }> {
    const bucket = createWriteBudget({ name: 'fastly account', capacity: 1_000, intervalMs: 3_600_000 });
    let drawn = 0;
    const budget: WriteBudget = {
      ...bucket,
      available: () => bucket.available(),
      take(count, options) {
        drawn += count;
        return bucket.take(count, options);
      },
      // The fake's hour is shared with the other tests: what it says is left is not this fleet's.
      observe: () => undefined,
    };
    const plans = await Promise.all(hostnames.map((hostname) => adapter.plan({ hostname })));
    const reserved = plans.map(plannedWrites);
    const made = await writesDuring(() =>
      Promise.all(
        hostnames.map(async (hostname, index) => {
          await budget.take(reserved[index] as number);
          return adapter.apply({ hostname }, { budget: reservedView(budget, reserved[index] as number) });
        }),
      ),
    );
    return { planned: reserved.reduce((sum, count) => sum + count, 0), made: made.length, drawn };
  }

  it('6 hosts in one batch: 2 planned per host (was 6), 11 made, nothing drawn beyond the plan', async () => {
    const hostnames = await Promise.all(Array.from({ length: 6 }, () => prepareHostname(world)));
    // A window long enough for the six to share one batch: the service (create, backend,
    // package), 6 domains, the activation and one subscription.
    const { planned, made, drawn } = await fleet(await sharedAdapter(2_000), hostnames);
    expect(made).toBe(11);
    expect(planned).toBe(12);
    expect(drawn).toBe(planned);
  });

  it('DNS records written through another vendor (Cloudflare) are not Fastly writes: planned 0, drawn 0', async () => {
    const hostname = `url8801.${zone.name}`;
    world.origin.addBrandedHost(hostname);
    await cloudflare.addDnsRecord(zone.id, { name: hostname, type: 'CNAME', content: 'sendgrid.net' });
    services += 1;
    const adapter = await createTestProxy(world, {
      shared: { serviceName: `sslclick plan writes ${services}`, batchWindowMs: 20 },
      dns: createCloudflareDns({ apiToken: cloudflare.tokens.full, baseURL: cloudflare.url, retry: { minDelay: 10, maxDelay: 50 } }),
    });
    const dnsStart = cloudflare.server.requests.length;
    const { made, drawn } = await fleet(adapter, [hostname]);
    // The challenge record and the cutover went to Cloudflare; only Fastly's writes left the budget.
    expect(cloudflare.server.requests.slice(dnsStart).filter((request) => request.write).length).toBeGreaterThanOrEqual(2);
    expect(drawn).toBe(made);
  });

  it('a lone host makes more than its share: the rest is drawn from the budget as it is written', async () => {
    const hostname = await prepareHostname(world);
    const { planned, made, drawn } = await fleet(await sharedAdapter(20), [hostname]);
    expect(planned).toBe(2);
    expect(made).toBe(6);
    expect(drawn).toBe(made);
  });
});
