import type { RunOptions, WriteBudget } from '@sslclick/core';

/**
 * The run a shared-service batch writes with: its writes are made for every call in the batch,
 * so they are drawn from those calls' write budgets in turn, one write each. Each call's budget
 * is what `setupAccount` gives it: the writes its plan reserved first, then the shared budget. A
 * batch of b hosts that each reserved their share therefore spends those reservations before it
 * takes anything more, and a batch making more writes than its hosts reserved (a small batch, the
 * service's first creation) takes the rest from the shared budget as it sends them, so the
 * account's budget holds whatever the batch size. `undefined` when no call has a budget.
 *
 * Only the budget is kept: the batch must not stop for one call's abort signal, nor report
 * through one call's progress callback.
 */
export function batchRun(runs: ReadonlyArray<RunOptions | undefined>): RunOptions | undefined {
  const budgets = [...new Set(runs.map((run) => run?.budget).filter((budget): budget is WriteBudget => budget !== undefined))];
  const first = budgets[0];
  if (!first) return undefined;
  if (budgets.length === 1) return { budget: first };
  let next = 0;
  const pooled: WriteBudget = {
    name: first.name,
    capacity: first.capacity,
    intervalMs: first.intervalMs,
    writesPerChange: first.writesPerChange,
    // The budgets share one account's bucket: the largest view is what can be had now.
    available: () => Math.max(...budgets.map((budget) => budget.available())),
    async take(count, options) {
      for (let taken = 0; taken < count; taken += 1) {
        const budget = budgets[next % budgets.length] as WriteBudget;
        next += 1;
        await budget.take(1, options);
      }
    },
    observe: (remaining, resetAtMs) => first.observe(remaining, resetAtMs),
  };
  return { budget: pooled };
}
