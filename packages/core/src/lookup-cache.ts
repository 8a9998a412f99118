/**
 * A cache of vendor lookups (a Cloudflare zone, a Fastly service, a Route 53 hosted zone) shared
 * by the hosts of one run, so a run over many hosts finds each zone or service once.
 */

/** What {@link createLookupCache} returns; pass it as `lookupCache` in an adapter's settings or in `RunOptions`. */
export interface LookupCache {
  /**
   * The value remembered under `key`, or the result of `find`, remembered when it is not
   * `undefined`. Callers asking for the same key at the same time share one `find`. A failed
   * `find` is not remembered, and neither is `undefined`; a lookup that wants an absence
   * remembered for the run (a parent name that is not a zone) returns `null`.
   */
  get<Value>(key: string, find: () => Promise<Value>): Promise<Value>;
  /** Forgets `key` and every key that starts with `key` followed by `:`; an adapter calls it after a write that changes the value. */
  invalidate(key: string): void;
  /** Forgets everything. */
  clear(): void;
  /** How many keys are remembered (or being looked up) now. */
  readonly size: number;
}

/**
 * Creates an empty lookup cache. Give one to every run over many hosts (as `RunOptions.lookupCache`)
 * or to an adapter used for one batch of hosts (its `lookupCache` setting): it lives as long as
 * that object, so a long-lived adapter without one always sees the vendor as it is now. Adapters
 * key entries with their own scope, so one cache can serve several adapters, and they forget an
 * entry when they change what it holds. Ownership is never taken from the cache: tags and comments
 * are read with the resource itself.
 */
export function createLookupCache(): LookupCache {
  const entries = new Map<string, Promise<unknown>>();
  return {
    get<Value>(key: string, find: () => Promise<Value>): Promise<Value> {
      const known = entries.get(key);
      if (known) return known as Promise<Value>;
      const pending = find().then(
        (value) => {
          if (value === undefined && entries.get(key) === pending) entries.delete(key);
          return value;
        },
        (error: unknown) => {
          if (entries.get(key) === pending) entries.delete(key);
          throw error;
        },
      );
      entries.set(key, pending);
      return pending;
    },
    invalidate(key: string): void {
      for (const known of [...entries.keys()]) {
        if (known === key || known.startsWith(`${key}:`)) entries.delete(known);
      }
    },
    clear(): void {
      entries.clear();
    },
    get size(): number {
      return entries.size;
    },
  };
}

/**
 * Runs `find` through `cache` under `key` when there is a cache, else calls it directly: the one
 * line adapters use for each lookup they may share. An absent answer (`undefined`) is looked up
 * again next time, unless `rememberAbsent`: then it is kept too (as the run's own observation
 * that the thing is not there, until a write of the run invalidates it).
 */
export async function cachedLookup<Value>(cache: LookupCache | undefined, key: string, find: () => Promise<Value>, options: { rememberAbsent?: boolean } = {}): Promise<Value> {
  if (!cache) return find();
  if (!options.rememberAbsent) return cache.get(key, find);
  const value = await cache.get(key, async () => {
    const found = await find();
    return found === undefined ? absent : found;
  });
  return (value === absent ? undefined : value) as Value;
}

/** How an absent answer is kept in a cache, apart from `null` values of the caller's own. */
const absent: unique symbol = Symbol('absent');
