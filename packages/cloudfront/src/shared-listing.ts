import type { AwsRun } from './aws-run.js';

/**
 * A vendor listing read once and shared by the hosts of one run (kept in the run's lookup cache):
 * each host's lookup would otherwise page through the whole account, which makes a fleet's
 * lookups grow with the square of its hosts. Every change this adapter makes is written into it as
 * it happens, also while the listing is being read (the change is applied after the last page),
 * so a later host sees it; what others change in the account meanwhile is seen by the next run.
 * Ownership is never kept here: it is read from the resource's own tags each time.
 */
export interface SharedListing<Item> {
  /**
   * The listed items, read from AWS at the first call (concurrent callers share that read); a
   * failed read is not kept. `listedNow` is true when this call waited for the read, so what the
   * items say is current rather than remembered.
   */
  read(run: AwsRun): Promise<{ items: Iterable<Item>; listedNow: boolean }>;
  /** An item this adapter created or rewrote. */
  put(item: Item): void;
  /** An item as just read again: changes one already listed, does nothing for one that is not. */
  update(key: string, change: (known: Item) => Item): void;
  /** An item this adapter deleted (or found gone). */
  remove(key: string): void;
}

type Change<Item> = { put: Item } | { remove: string } | { update: { key: string; change: (known: Item) => Item } };

/**
 * An empty shared listing: `keyOf` names an item (its id or ARN), `listAll` pages through the
 * account and hands each item to `add`.
 */
export function createSharedListing<Item>(keyOf: (item: Item) => string, listAll: (run: AwsRun, add: (item: Item) => void) => Promise<void>): SharedListing<Item> {
  const byKey = new Map<string, Item>();
  let loaded = false;
  let loading: Promise<void> | undefined;
  /** Changes made while the listing is being read: applied, in order, after its last page. */
  let queued: Array<Change<Item>> = [];

  function applyChange(change: Change<Item>): void {
    if ('put' in change) byKey.set(keyOf(change.put), change.put);
    else if ('remove' in change) byKey.delete(change.remove);
    else {
      const known = byKey.get(change.update.key);
      if (known !== undefined) byKey.set(change.update.key, change.update.change(known));
    }
  }

  function record(change: Change<Item>): void {
    if (loaded) applyChange(change);
    else if (loading) queued.push(change);
    // Not read yet: the first read will show the change itself.
  }

  async function load(run: AwsRun): Promise<void> {
    try {
      await listAll(run, (item) => byKey.set(keyOf(item), item));
    } catch (error) {
      byKey.clear();
      queued = [];
      throw error;
    }
    for (const change of queued) applyChange(change);
    queued = [];
    loaded = true;
  }

  return {
    async read(run) {
      const listedNow = !loaded;
      if (!loaded) {
        loading ??= load(run).finally(() => {
          loading = undefined;
        });
        await loading;
      }
      return { items: byKey.values(), listedNow };
    },
    put: (item) => record({ put: item }),
    update: (key, change) => record({ update: { key, change } }),
    remove: (key) => record({ remove: key }),
  };
}
