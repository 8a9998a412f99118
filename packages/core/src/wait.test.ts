import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from './types.js';
import { waitUntil } from './wait.js';

describe('waitUntil', () => {
  it('polls until done, with progress events saying what it saw', async () => {
    const states = ['InProgress', 'InProgress', 'Deployed'];
    const events: ProgressEvent[] = [];
    const result = await waitUntil(
      async ({ attempt }) => {
        const state = states[attempt - 1] ?? 'Deployed';
        return { done: state === 'Deployed', state, value: attempt };
      },
      { description: 'the distribution to deploy', subject: 'edge', minDelay: 5, maxDelay: 20, onProgress: (event) => events.push(event) },
    );
    expect(result).toMatchObject({ value: 3, polls: 3 });
    expect(events.map((event) => event.type)).toEqual(['edge-waiting', 'edge-waiting', 'edge-ready']);
    expect(events[0]?.message).toContain('InProgress');
  });

  it('backs off exponentially with full jitter between minDelay and maxDelay', async () => {
    const delays: number[] = [];
    await waitUntil(async ({ attempt }) => ({ done: attempt === 6, state: 'pending' }), {
      description: 'x',
      subject: 'certificate',
      minDelay: 10,
      maxDelay: 80,
      random: () => 1,
      onProgress: (event) => event.delayMs !== undefined && delays.push(event.delayMs),
    });
    expect(delays).toEqual([10, 20, 40, 80, 80]);
  });

  it('fails with TIMEOUT after maxWaitTime, naming the last state', async () => {
    const error = await waitUntil(async () => ({ done: false, state: 'PENDING_VALIDATION' }), {
      description: 'the certificate to be issued',
      subject: 'certificate',
      minDelay: 10,
      maxDelay: 10,
      maxWaitTime: 60,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect((error as Error).message).toMatch(/PENDING_VALIDATION/);
  });

  it('fails with ABORTED when the signal fires during a delay', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const startedAt = Date.now();
    const error = await waitUntil(async () => ({ done: false, state: 'pending' }), {
      description: 'x',
      subject: 'certificate',
      minDelay: 10_000,
      signal: controller.signal,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('stops at once on a failed state with PROVIDER', async () => {
    await expect(
      waitUntil(async () => ({ done: false, failed: true, state: 'FAILED' }), { description: 'the certificate', subject: 'certificate' }),
    ).rejects.toMatchObject({ code: 'PROVIDER' });
  });
});
