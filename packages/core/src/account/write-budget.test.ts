import { describe, expect, it } from 'vitest';
import { SslClickError } from '../errors.js';
import { budgetTimeMs, createWriteBudget, knownWriteBudget, reservedView } from './write-budget.js';

/** A clock that only moves when the budget waits, recording each wait. */
function fakeClock(): { now: () => number; wait: (ms: number) => Promise<void>; waits: number[] } {
  let time = 0;
  const waits: number[] = [];
  return {
    now: () => time,
    waits,
    wait: async (ms) => {
      waits.push(ms);
      time += ms;
    },
  };
}

describe('createWriteBudget', () => {
  it('hands out the window at once, then waits for the refill instead of overrunning it', async () => {
    const clock = fakeClock();
    const budget = createWriteBudget({ name: 'test account', capacity: 10, intervalMs: 1_000, now: clock.now, wait: clock.wait });
    await budget.take(10);
    expect(clock.waits).toEqual([]);
    await budget.take(5);
    // 5 writes at 10 per second take 500 ms to come back.
    expect(clock.now()).toBe(500);
    expect(budget.available()).toBe(0);
  });

  it('takes a request larger than the window in window-sized turns', async () => {
    const clock = fakeClock();
    const budget = createWriteBudget({ name: 'test account', capacity: 4, intervalMs: 1_000, now: clock.now, wait: clock.wait });
    await budget.take(12);
    expect(clock.now()).toBe(2_000);
  });

  it('serves takers in the order they asked', async () => {
    const clock = fakeClock();
    const budget = createWriteBudget({ name: 'test account', capacity: 2, intervalMs: 1_000, now: clock.now, wait: clock.wait });
    const order: string[] = [];
    await Promise.all([budget.take(2).then(() => order.push('first')), budget.take(2).then(() => order.push('second')), budget.take(1).then(() => order.push('third'))]);
    expect(order).toEqual(['first', 'second', 'third']);
    expect(clock.now()).toBe(1_500);
  });

  it('never hands out more than the vendor said is left, until its reset', async () => {
    const clock = fakeClock();
    const budget = createWriteBudget({ name: 'fastly account', capacity: 1_000, intervalMs: 3_600_000, now: clock.now, wait: clock.wait });
    budget.observe(0, 60_000);
    await budget.take(1);
    expect(clock.now()).toBeGreaterThanOrEqual(60_000);
  });

  it('stops waiting with ABORTED when the signal fires', async () => {
    const budget = createWriteBudget({ name: 'test account', capacity: 1, intervalMs: 60_000 });
    await budget.take(1);
    const controller = new AbortController();
    const waiting = budget.take(1, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toSatisfy((error) => SslClickError.isInstance(error) && error.code === 'ABORTED');
  });

  it('refuses bad settings and takes with INVALID_INPUT', async () => {
    expect(() => createWriteBudget({ name: 'x', capacity: 0, intervalMs: 1_000 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => createWriteBudget({ name: 'x', capacity: 1, intervalMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    await expect(createWriteBudget({ name: 'x', capacity: 1, intervalMs: 1 }).take(-1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('reservedView', () => {
  it('hands out the writes a host reserved before drawing on the shared budget again', async () => {
    const clock = fakeClock();
    const shared = createWriteBudget({ name: 'test account', capacity: 10, intervalMs: 1_000, now: clock.now, wait: clock.wait });
    await shared.take(3);
    const view = reservedView(shared, 3);
    for (let write = 0; write < 3; write += 1) await view.take(1);
    expect(shared.available()).toBe(7);
    await view.take(1);
    expect(shared.available()).toBe(6);
  });
});

describe('known budgets and estimates', () => {
  it('knows the published limits of the built-in CDNs', () => {
    expect(knownWriteBudget('fastly')).toMatchObject({ capacity: 1_000, intervalMs: 3_600_000 });
    expect(knownWriteBudget('cloudflare')).toMatchObject({ intervalMs: 300_000 });
    expect(knownWriteBudget('cloudfront')).toBeDefined();
    expect(knownWriteBudget('another-cdn')).toBeUndefined();
  });

  it('estimates nothing while the writes fit in the window, and the refill time beyond it', () => {
    expect(budgetTimeMs({ capacity: 1_000, intervalMs: 3_600_000 }, 1_000)).toBe(0);
    expect(budgetTimeMs({ capacity: 1_000, intervalMs: 3_600_000 }, 3_000)).toBe(7_200_000);
  });
});
