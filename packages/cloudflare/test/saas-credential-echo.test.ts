/**
 * Issue 16 in Cloudflare for SaaS mode: a Cloudflare API that quotes the token back in its error
 * bodies, at each request of plan, apply, status and destroy in turn, never gets the token into an
 * error, progress event or status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEchoSweepRecord, recordingRunOptions, secretsInSweep, sweepEchoFaults } from '@sslclick/core/testing';
import { allCloudflarePermissions } from '@sslclick/sandbox';
import { createSaasProxy, seedOutsideHost, startSaasWorld, type SaasWorld } from './saas-world.js';

const canary = 'canary-cloudflare-saas-token-2b8e4f6a1c';
let world: SaasWorld;

beforeAll(async () => {
  world = await startSaasWorld({ saasVariants: { validationRecords: 'on-create', sslStatusSequence: 'direct' } });
  world.cloudflare.registerToken(allCloudflarePermissions, canary);
});

afterAll(async () => {
  await world?.close();
});

describe('Cloudflare for SaaS against an API that quotes the token back', () => {
  it('plan, apply, status and destroy never show it, at any depth', async () => {
    const hostname = seedOutsideHost(world);
    const proxy = createSaasProxy(world, { apiToken: canary, retry: { maxAttempts: 1, minDelay: 1, maxDelay: 1 } });
    const record = createEchoSweepRecord();
    const run = recordingRunOptions(record);
    for (const operation of [() => proxy.plan({ hostname }), () => proxy.apply({ hostname }, run), () => proxy.status({ hostname }, run), () => proxy.destroy({ hostname }, run)]) {
      await sweepEchoFaults({ server: world.cloudflare.server, operation, statuses: [401, 403, 400, 500], record });
    }
    expect(record.thrown.length).toBeGreaterThan(10);
    expect(record.returned.length).toBeGreaterThan(0);
    expect(secretsInSweep(record, [canary])).toEqual([]);
  }, 60_000);
});
