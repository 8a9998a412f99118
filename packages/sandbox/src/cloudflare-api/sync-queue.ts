/**
 * A data plane's sync, run one at a time. A caller arriving while a sync waits to start shares
 * that one: it will read the account as it is by then, so a burst of concurrent requests costs
 * one sync after the running one, not one each.
 */
export function createSyncQueue(sync: () => Promise<void>): () => Promise<void> {
  let queue: Promise<void> = Promise.resolve();
  let pending: Promise<void> | undefined;
  return () => {
    if (pending) return pending;
    const run = queue.then(() => {
      pending = undefined;
      return sync();
    });
    pending = run;
    queue = run.catch(() => undefined);
    return run;
  };
}
