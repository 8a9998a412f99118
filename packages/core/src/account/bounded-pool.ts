/**
 * Runs `work` for every item, at most `concurrency` at once. `work` must not throw: each item's
 * failure belongs to its own result, so one failing item never stops the others.
 */
export async function forEachBounded<Item>(items: readonly Item[], concurrency: number, work: (item: Item) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as Item;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
