/**
 * Issue 16: the Fastly API (or a gateway in front of it) quoting the token back in its errors.
 * The fake answers 401/403/400/500 with the token in every field of Fastly's error bodies
 * (classic `msg`/`detail`; JSON:API `errors[]` `id`/`title`/`detail` on the TLS endpoints), at
 * each request of each operation in turn; every error thrown, progress event sent and status
 * returned is walked in depth for the canary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEchoSweepRecord, recordingRunOptions, secretsInSweep, sweepEchoFaults } from '@sslclick/core/testing';
import { createTestProxy, prepareHostname, startFastlyWorld, type FastlyWorld } from './fastly-world.js';

const canary = 'canary-fastly-token-3b8e1d6f9a2c7e4b';
const statuses = [401, 403, 400, 500] as const;
let world: FastlyWorld;

beforeAll(async () => {
  world = await startFastlyWorld({ tokens: { admin: canary }, issuanceDelayMs: 20 });
});

afterAll(async () => {
  await world?.close();
});

describe('a Fastly API that quotes the token back in its errors', () => {
  it('the fake really quotes it, classic and JSON:API', async () => {
    world.fastly.server.injectFault({ kind: 'echo-credential', status: 401, times: 2 });
    const classic = (await (await fetch(`${world.fastly.url}/service`, { headers: { 'fastly-key': canary } })).json()) as Record<string, string>;
    expect(classic).toEqual({ msg: `Refused: ${canary}`, detail: `Token ${canary} was refused` });
    const jsonApi = (await (await fetch(`${world.fastly.url}/tls/subscriptions`, { headers: { 'fastly-key': canary } })).json()) as { errors: Array<Record<string, string>> };
    expect(jsonApi.errors[0]).toMatchObject({ id: canary, title: expect.stringContaining(canary), detail: expect.stringContaining(canary) });
  });

  it('createFastlyProxy: plan, apply, status and destroy never show it, at any depth', async () => {
    const hostname = await prepareHostname(world);
    // One attempt per call, so a 500 surfaces as an error too.
    const proxy = await createTestProxy(world, { mode: 'vcl', retry: { maxAttempts: 1, minDelay: 1, maxDelay: 1 } });
    const record = createEchoSweepRecord();
    const run = recordingRunOptions(record);
    for (const operation of [() => proxy.plan({ hostname }), () => proxy.apply({ hostname }, run), () => proxy.status({ hostname }, run), () => proxy.destroy({ hostname }, run)]) {
      await sweepEchoFaults({ server: world.fastly.server, operation, statuses, record });
    }
    expect(record.thrown.length).toBeGreaterThan(10);
    expect(record.events.length).toBeGreaterThan(0);
    // Both of Fastly's error shapes were answered: classic, and JSON:API on the TLS endpoints.
    const faultedPaths = world.fastly.server.requests.filter((request) => request.fault === 'echo-credential').map((request) => request.path);
    expect(faultedPaths.some((path) => path.startsWith('/tls/'))).toBe(true);
    expect(faultedPaths.some((path) => path.startsWith('/service'))).toBe(true);
    expect(secretsInSweep(record, [canary])).toEqual([]);
    // What helps a person stays: our code, the HTTP status, Fastly's message with the token replaced.
    const refused = record.thrown.find((error) => (error as { httpStatus?: number }).httpStatus === 403) as Error & { code: string; cause: { title: string; detail: string } };
    expect(refused.code).toBe('PERMISSION');
    expect(refused.cause.title).toBe('Refused: [redacted]');
    expect(refused.message).toContain('Token [redacted] was refused');
  }, 30_000);

  it('with retries on, the retried 500 shows no token in its progress events', async () => {
    const hostname = await prepareHostname(world);
    const proxy = await createTestProxy(world, { mode: 'vcl' });
    const record = createEchoSweepRecord();
    world.fastly.server.injectFault({ kind: 'echo-credential', status: 500, times: 2 });
    record.returned.push(await proxy.status({ hostname }, recordingRunOptions(record)));
    expect(record.events.map((event) => event.type)).toContain('request-retrying');
    expect(secretsInSweep(record, [canary])).toEqual([]);
  });
});
