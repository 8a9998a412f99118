/**
 * The Fastly adapter draws from the run's write budget (issue 14, `RunOptions.budget`): each
 * attempt of a Fastly write takes one write first, so hosts applied at once under one shared
 * budget are paced by it and never run into Fastly's own limit. DNS writes go to another vendor
 * account (here Cloudflare DNS) and do not draw from the Fastly budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCountingWriteBudget } from '@sslclick/core/testing';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { startCloudflareApi, startFastlyApi, startSandbox, type CloudflareApi, type CloudflareZone, type FastlyApi, type Sandbox } from '@sslclick/sandbox';
import { createFastlyProxy } from '../src/index.js';

let sandbox: Sandbox;
let fastly: FastlyApi;
let cloudflare: CloudflareApi;
let zone: CloudflareZone;

// Fastly's limit in the fake: 5 writes per fixed 1 s window, answered with 429 past it.
const fastlyLimit = { limit: 5, windowMs: 1_000 };
// The shared budget: 2 writes per second. A token bucket hands out at most 2 + 2 writes in any
// 1 s, so the fake's 5 per window can never be passed.
// Date.now() has a millisecond's grain on each side.
const timerSlackMs = 2;
const budgetSettings = { name: 'fastly account', capacity: 2, intervalMs: 1_000 };

beforeAll(async () => {
  sandbox = await startSandbox();
  fastly = await startFastlyApi(sandbox, { issuanceDelayMs: 0, rateLimit: fastlyLimit });
  cloudflare = await startCloudflareApi(sandbox);
  zone = cloudflare.addZone({ name: 'fastly-budget.com' });
});

afterAll(async () => {
  await cloudflare?.close();
  await fastly?.close();
  await sandbox?.close();
});


function adapter() {
  return createFastlyProxy({
    apiToken: fastly.tokens.admin,
    baseURL: fastly.url,
    mode: 'vcl',
    dns: createCloudflareDns({ apiToken: cloudflare.tokens.full, baseURL: cloudflare.url, retry: { minDelay: 10, maxDelay: 50 } }),
    verification: { resolver: sandbox.dns.address, ca: sandbox.ca.certificate, ports: sandbox.ports, timeoutMs: 3_000 },
    wait: { minDelay: 25, maxDelay: 100, maxWaitTime: 20_000 },
    retry: { minDelay: 10, maxDelay: 50, maxRetryTime: 30_000 },
    // Only the budget paces writes here: the adapter's own header-based wait is turned down to 0.
    rateLimit: { minimumRemaining: 0 },
  });
}

describe('Fastly writes under a shared write budget', () => {
  it('three hosts applied at once are paced by the budget: no 429, every Fastly write taken from it, DNS writes not', async () => {
    const hostnames: string[] = [];
    for (const label of ['url9101', 'url9102', 'url9103']) {
      const hostname = `${label}.${zone.name}`;
      sandbox.origin.addBrandedHost(hostname);
      await cloudflare.addDnsRecord(zone.id, { name: hostname, type: 'CNAME', content: 'sendgrid.net' });
      hostnames.push(hostname);
    }
    const budget = createCountingWriteBudget(budgetSettings);
    const fastlyStart = fastly.server.requests.length;
    const cloudflareStart = cloudflare.server.requests.length;

    const statuses = await Promise.all(hostnames.map((hostname) => adapter().apply({ hostname }, { budget })));
    expect(statuses.map((status) => status.ready)).toEqual([true, true, true]);

    const writes = fastly.server.requests.slice(fastlyStart).filter((request) => request.write);
    expect(writes.filter((request) => request.status === 429)).toEqual([]);
    // One take per write request Fastly received; the Cloudflare DNS writes took nothing.
    expect(budget.taken()).toBe(writes.length);
    expect(cloudflare.server.requests.slice(cloudflareStart).filter((request) => request.write).length).toBeGreaterThan(0);
    // The pace the budget sets: after the first 2, 2 writes a second. Measured from when the budget
    // was made (the bucket starts full), not from the first request's arrival, which a busy machine delays.
    const spanMs = writes[writes.length - 1]!.receivedAt - budget.createdAt;
    expect(spanMs).toBeGreaterThanOrEqual(((writes.length - budgetSettings.capacity) * budgetSettings.intervalMs) / budgetSettings.capacity - timerSlackMs);
    // And never more than the bucket allows in any second.
    for (const first of writes) {
      expect(writes.filter((request) => request.receivedAt >= first.receivedAt && request.receivedAt < first.receivedAt + 1_000).length).toBeLessThanOrEqual(2 * budgetSettings.capacity);
    }
  }, 60_000);
});
