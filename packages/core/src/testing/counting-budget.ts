import { createWriteBudget, type WriteBudget, type WriteBudgetSettings } from '../account/write-budget.js';

/** A write budget that also tells how many writes were taken from it, and when it was made. */
export interface CountingWriteBudget extends WriteBudget {
  /** The writes taken so far (each `take(count)` adds `count` once it is granted). */
  taken(): number;
  /** When the budget was made (`Date.now()`): it starts full, so writes past its capacity cannot be granted before `createdAt` plus their refill time. */
  readonly createdAt: number;
}

/**
 * A token-bucket budget (core's own `createWriteBudget`) that counts what an adapter takes from
 * it, so a test can compare the writes taken with the write requests the vendor's fake received.
 */
export function createCountingWriteBudget(settings: WriteBudgetSettings): CountingWriteBudget {
  const createdAt = Date.now();
  const budget = createWriteBudget(settings);
  let taken = 0;
  return {
    ...budget,
    createdAt,
    available: () => budget.available(),
    observe: (remaining, resetAtMs) => budget.observe(remaining, resetAtMs),
    take: async (count, options) => {
      await budget.take(count, options);
      taken += count;
    },
    taken: () => taken,
  };
}
