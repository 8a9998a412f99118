/**
 * The Cloudflare adapter draws from the run's write budget (issue 14, `RunOptions.budget`): each
 * attempt of a write (records, rules, packs) takes one write first, so writes reach Cloudflare at
 * the budget's pace, and a 429 Cloudflare still sends is retried under the same budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCountingWriteBudget } from '@sslclick/core/testing';
import { createTestProxy, nextLabel, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from './cloudflare-world.js';

let world: CloudflareWorld;
// Date.now() has a millisecond's grain on each side.
const timerSlackMs = 2;
// One write every 300 ms, no burst beyond one.
const budgetSettings = { name: 'cloudflare account', capacity: 1, intervalMs: 300 };

beforeAll(async () => {
  world = await startCloudflareWorld({ certificateIssueDelayMs: 0 });
});

afterAll(async () => {
  await world?.close();
});


describe('Cloudflare writes under a shared write budget', () => {
  it('takes one write per write attempt, and Cloudflare receives them at the budget pace', async () => {
    const zone = world.cloudflare.addZone({ name: `${nextLabel()}-budget.com` });
    const hostname = await seedBrandedHost(world, { zone, name: `${nextLabel()}.links.${zone.name}` });
    const budget = createCountingWriteBudget(budgetSettings);
    const start = world.cloudflare.server.requests.length;
    // A 429 on the first write: its retry is another attempt, and takes another write.
    world.cloudflare.server.injectFault({ kind: 'rate-limit', retryAfterSeconds: 0, match: { write: true } });
    expect((await createTestProxy(world, { orderCertificate: true }).apply({ hostname }, { budget })).ready).toBe(true);
    const writes = world.cloudflare.server.requests.slice(start).filter((request) => request.write);
    expect(writes.filter((request) => request.status === 429)).toHaveLength(1);
    // Two rule entrypoints (the first carrying the order marker), the pack order, the cutover: four writes and one retry.
    expect(writes).toHaveLength(5);
    expect(budget.taken()).toBe(writes.length);
    // The bucket starts with one write and refills one per interval, so the last write cannot reach
    // the vendor before one interval per write after the first has passed since the budget was
    // made (measured from there, not from the first request's arrival, which a busy machine delays).
    expect(writes[writes.length - 1]!.receivedAt - budget.createdAt).toBeGreaterThanOrEqual((writes.length - 1) * budgetSettings.intervalMs - timerSlackMs);
  });
});
