/**
 * Issue 16: a vendor (or a gateway in front of it) that quotes the API token back in its error
 * body must not get the token into anything sslclick hands the user. The fake Cloudflare API
 * answers 401/403/400/500 with the token in every field of the v4 error envelope, at each request
 * of each operation in turn, and every error thrown, progress event sent and status returned is
 * walked in depth for the canary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEchoSweepRecord, recordingRunOptions, secretsInSweep, sweepEchoFaults } from '@sslclick/core/testing';
import { allCloudflarePermissions } from '@sslclick/sandbox';
import { createCloudflareDns } from '../src/index.js';
import { createTestProxy, nextLabel, seedBrandedHost, startCloudflareWorld, type CloudflareWorld } from './cloudflare-world.js';

const canary = 'canary-cloudflare-token-7d3f9b21e5a4c8';
const statuses = [401, 403, 400, 500] as const;
let world: CloudflareWorld;

beforeAll(async () => {
  world = await startCloudflareWorld({ certificateIssueDelayMs: 50 });
  world.cloudflare.registerToken(allCloudflarePermissions, canary);
});

afterAll(async () => {
  await world?.close();
});

describe('a Cloudflare API that quotes the token back in its errors', () => {
  it('the fake really quotes it, in every field of the envelope', async () => {
    world.cloudflare.server.injectFault({ kind: 'echo-credential', status: 403 });
    const response = await fetch(`${world.cloudflare.url}/zones`, { headers: { authorization: `Bearer ${canary}` } });
    const body = (await response.json()) as { errors: Array<Record<string, unknown>> };
    expect(response.status).toBe(403);
    expect(body.errors[0]).toMatchObject({ code: 10000, message: expect.stringContaining(canary), documentation_url: expect.stringContaining(canary), source: { pointer: expect.stringContaining(canary) } });
  });

  it('createCloudflareProxy: plan, apply, status and destroy never show it, at any depth', async () => {
    const hostname = await seedBrandedHost(world);
    // One attempt per call, so a 500 surfaces as an error too.
    const proxy = createTestProxy(world, { apiToken: canary, retry: { maxAttempts: 1, minDelay: 1, maxDelay: 1 } });
    const record = createEchoSweepRecord();
    const run = recordingRunOptions(record);
    for (const operation of [() => proxy.plan({ hostname }), () => proxy.apply({ hostname }, run), () => proxy.status({ hostname }, run), () => proxy.destroy({ hostname }, run)]) {
      await sweepEchoFaults({ server: world.cloudflare.server, operation, statuses, record });
    }
    expect(record.thrown.length).toBeGreaterThan(10);
    expect(record.events.length).toBeGreaterThan(0);
    expect(secretsInSweep(record, [canary])).toEqual([]);
    // What helps a person stays: our code, the HTTP status, Cloudflare's message with the token replaced.
    const refused = record.thrown.find((error) => (error as { httpStatus?: number }).httpStatus === 401) as Error & { code: string; cause: { error: { errors: Array<{ message: string }> } } };
    expect(refused.code).toBe('CREDENTIALS');
    expect(refused.cause.error.errors[0]?.message).toBe('Authentication error: [redacted]');
  }, 30_000);

  it('with retries on, the retried 500 shows no token in its progress events', async () => {
    const hostname = await seedBrandedHost(world);
    const proxy = createTestProxy(world, { apiToken: canary });
    const record = createEchoSweepRecord();
    const start = world.cloudflare.server.requests.length;
    world.cloudflare.server.injectFault({ kind: 'echo-credential', status: 500, times: 2 });
    record.returned.push(await proxy.status({ hostname }, recordingRunOptions(record)));
    expect(world.cloudflare.server.requests.slice(start).filter((request) => request.fault === 'echo-credential')).toHaveLength(2);
    expect(record.events.map((event) => event.type)).toContain('request-retrying');
    expect(secretsInSweep(record, [canary])).toEqual([]);
  });

  it('createCloudflareDns: getRecords, upsertCname and deleteCname never show it', async () => {
    const name = `${nextLabel()}.example.com`;
    await world.cloudflare.addDnsRecord(world.zone.id, { name, type: 'CNAME', content: 'sendgrid.net' });
    const dns = createCloudflareDns({ apiToken: canary, baseURL: world.cloudflare.url, retry: { maxAttempts: 1, minDelay: 1, maxDelay: 1 } });
    const record = createEchoSweepRecord();
    const target = 'url.global.ssl.fastly.net';
    for (const operation of [
      () => dns.getRecords(name, undefined, recordingRunOptions(record)),
      () => dns.upsertCname(name, target, { replaceable: ['sendgrid.net'], ...recordingRunOptions(record) }),
      () => dns.deleteCname(name, target, recordingRunOptions(record)),
    ]) {
      await sweepEchoFaults({ server: world.cloudflare.server, operation, statuses, record });
    }
    expect(record.thrown.length).toBeGreaterThan(3);
    expect(secretsInSweep(record, [canary])).toEqual([]);
  });
});
