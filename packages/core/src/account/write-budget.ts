import { setTimeout as sleep } from 'node:timers/promises';
import { invalidInput, throwIfAborted } from '../errors.js';

/**
 * The writes one vendor account allows in a window, shared by every host of a run: a token bucket
 * that refills continuously at `capacity` per `intervalMs`. A host takes its writes before it
 * writes, and waits when they are not there, instead of getting a 429.
 */
export interface WriteBudget {
  /** What the budget is for, in messages: `cloudflare account`, `fastly account`. */
  readonly name: string;
  /** The writes allowed per window. */
  readonly capacity: number;
  /** The window, in ms. */
  readonly intervalMs: number;
  /**
   * Vendor writes one planned change costs on average (a Fastly service change is a clone, the
   * change and an activation), used to turn a plan into writes.
   */
  readonly writesPerChange: number;
  /** The writes available now, without waiting. */
  available(): number;
  /**
   * Waits until `count` writes are available, then takes them. Callers are served in the order
   * they asked. Throws `ABORTED` when the signal fires while waiting.
   */
  take(count: number, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * What the vendor said is left (Fastly's `Fastly-RateLimit-Remaining`, a 429's `Retry-After`):
   * the budget never hands out more than that until `resetAtMs` (epoch ms).
   */
  observe(remaining: number, resetAtMs?: number): void;
}

/** Settings of {@link createWriteBudget}. */
export interface WriteBudgetSettings {
  /** What the budget is for, in messages. */
  name: string;
  /** The writes allowed per window (a positive integer). */
  capacity: number;
  /** The window, in ms. */
  intervalMs: number;
  /** @default 1 */
  writesPerChange?: number;
  /**
   * The writes available at the start, e.g. what the vendor's headers said is left.
   * @default capacity
   */
  initial?: number;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
  /** How to wait, for tests. @default node:timers/promises setTimeout */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A token-bucket {@link WriteBudget}. Bad settings are `INVALID_INPUT`. */
export function createWriteBudget(settings: WriteBudgetSettings): WriteBudget {
  const { name, capacity, intervalMs } = settings;
  if (!Number.isInteger(capacity) || capacity < 1) throw invalidInput(`The write budget "${name}" needs a capacity of at least 1 write, not ${String(capacity)}.`, { provider: 'core', operation: 'budget' });
  if (!(intervalMs > 0)) throw invalidInput(`The write budget "${name}" needs a window (intervalMs) above 0, not ${String(intervalMs)}.`, { provider: 'core', operation: 'budget' });
  const writesPerChange = settings.writesPerChange ?? 1;
  if (!(writesPerChange > 0)) throw invalidInput(`writesPerChange of "${name}" must be above 0.`, { provider: 'core', operation: 'budget' });
  const now = settings.now ?? Date.now;
  const wait = settings.wait ?? ((ms: number, signal?: AbortSignal) => sleep(ms, undefined, signal ? { signal } : {}));
  let tokens = Math.min(capacity, settings.initial ?? capacity);
  let refilledAt = now();
  let blockedUntil = 0;
  // One taker at a time, in order: a large take is not starved by a stream of small ones.
  let queue: Promise<void> = Promise.resolve();

  function refill(): void {
    const at = now();
    if (at < blockedUntil) {
      refilledAt = at;
      return;
    }
    const from = Math.max(refilledAt, blockedUntil);
    tokens = Math.min(capacity, tokens + ((at - from) * capacity) / intervalMs);
    refilledAt = at;
  }

  async function takeNow(count: number, signal: AbortSignal | undefined): Promise<void> {
    let left = count;
    while (left > 0) {
      throwIfAborted(signal, 'budget');
      refill();
      const chunk = Math.min(left, capacity);
      if (tokens >= chunk) {
        tokens -= chunk;
        left -= chunk;
        continue;
      }
      const blockedFor = Math.max(0, blockedUntil - now());
      const refillFor = Math.ceil(((chunk - tokens) * intervalMs) / capacity);
      try {
        await wait(Math.max(1, blockedFor + refillFor), signal);
      } catch (error) {
        throwIfAborted(signal, 'budget');
        throw error;
      }
    }
  }

  return {
    name,
    capacity,
    intervalMs,
    writesPerChange,
    available() {
      refill();
      return Math.floor(tokens);
    },
    take(count, options = {}) {
      if (!Number.isInteger(count) || count < 0) {
        return Promise.reject(invalidInput(`A take from the write budget "${name}" must be a whole number of writes, not ${String(count)}.`, { provider: 'core', operation: 'budget' }));
      }
      const turn = queue.then(() => takeNow(count, options.signal));
      queue = turn.catch(() => undefined);
      return turn;
    },
    observe(remaining, resetAtMs) {
      refill();
      if (Number.isFinite(remaining) && remaining >= 0) tokens = Math.min(tokens, remaining);
      if (resetAtMs !== undefined && remaining <= 0 && resetAtMs > blockedUntil) blockedUntil = resetAtMs;
    },
  };
}

/**
 * The published write limits of the built-in CDNs, as a fresh budget for one vendor account:
 * Fastly 1,000 writes an hour (its `Fastly-RateLimit-*` headers); Cloudflare 1,200 requests per
 * 5 minutes (per user, reads included, so half is left for reads); CloudFront's control plane
 * throttles writes to a few a second, taken as 2 a second. Undefined for another provider.
 */
export function knownWriteBudget(provider: string, overrides: Partial<WriteBudgetSettings> = {}): WriteBudget | undefined {
  const known: Record<string, WriteBudgetSettings> = {
    // https://www.fastly.com/documentation/reference/api/#rate-limiting: 1,000 writes an hour. A
    // planned change (a service, a domain on a cloned version, an activation) took 1.3 writes on
    // average over the sandbox account; 2 leaves room for retried writes.
    fastly: { name: 'fastly account', capacity: 1_000, intervalMs: 3_600_000, writesPerChange: 2 },
    // https://developers.cloudflare.com/fundamentals/api/reference/limits/: 1,200 per 5 minutes, reads included.
    cloudflare: { name: 'cloudflare account', capacity: 600, intervalMs: 300_000, writesPerChange: 1 },
    // CloudFront and ACM throttle mutating calls (ThrottlingException); a steady 2 a second stays clear.
    cloudfront: { name: 'cloudfront account', capacity: 20, intervalMs: 10_000, writesPerChange: 1 },
  };
  const settings = known[provider];
  return settings ? createWriteBudget({ ...settings, ...overrides }) : undefined;
}

/**
 * A host's view of a shared budget: the `reserved` writes the host took up front (from its plan)
 * are handed out first, then further writes come from the shared budget. An adapter calling
 * `take(1)` per write therefore costs nothing extra for the writes its plan announced.
 */
export function reservedView(shared: WriteBudget, reserved: number): WriteBudget {
  let left = reserved;
  return {
    name: shared.name,
    capacity: shared.capacity,
    intervalMs: shared.intervalMs,
    writesPerChange: shared.writesPerChange,
    available: () => left + shared.available(),
    async take(count, options) {
      const fromReserve = Math.min(left, count);
      left -= fromReserve;
      if (count > fromReserve) await shared.take(count - fromReserve, options);
    },
    observe: (remaining, resetAtMs) => shared.observe(remaining, resetAtMs),
  };
}

/** The time `writes` take under `budget` starting full, in ms: nothing while the bucket holds them. */
export function budgetTimeMs(budget: Pick<WriteBudget, 'capacity' | 'intervalMs'>, writes: number): number {
  if (writes <= budget.capacity) return 0;
  return Math.ceil(((writes - budget.capacity) * budget.intervalMs) / budget.capacity);
}
