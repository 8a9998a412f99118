/**
 * Coalesces the domain changes of concurrent `apply` and `destroy` calls on one adapter into
 * batches: every change submitted within the window (and while the previous batch runs) goes
 * into the next batch, which makes one service version for all of them. Batches run one at a
 * time, so this adapter never edits two versions of its service at once.
 */
import { SslClickError } from '@sslclick/core';

/** One host's change, with whatever the batch needs about its request. */
export interface DomainChange<Request> {
  hostname: string;
  action: 'add' | 'remove';
  request: Request;
}

/** What a batch did for each host: `undefined` for done, or the error that host gets. */
export type BatchOutcome = Map<string, unknown>;

/** Settings of {@link createDomainBatch}. */
export interface DomainBatchOptions<Request> {
  /** How long the first change of a batch waits for others, in ms. */
  windowMs: number;
  /** Runs one batch; a throw fails every change of it. */
  run: (changes: ReadonlyArray<DomainChange<Request>>) => Promise<BatchOutcome>;
}

/** A queue of domain changes run in batches. */
export interface DomainBatch<Request> {
  /** Queues a change; resolves when the batch holding it has run it, rejects with its error. */
  submit(change: DomainChange<Request>, signal?: AbortSignal): Promise<void>;
  /** How many batches have run (for tests and progress). */
  batches(): number;
}

interface Waiter<Request> {
  change: DomainChange<Request>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Creates the queue. */
export function createDomainBatch<Request>(options: DomainBatchOptions<Request>): DomainBatch<Request> {
  let queued: Array<Waiter<Request>> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let count = 0;

  function schedule(): void {
    if (timer || running || queued.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, options.windowMs);
  }

  async function flush(): Promise<void> {
    running = true;
    const waiters = queued;
    queued = [];
    // The last change of a host wins; an earlier one it replaced is told so.
    const latest = new Map<string, Waiter<Request>>();
    for (const waiter of waiters) {
      const earlier = latest.get(waiter.change.hostname);
      if (earlier && earlier.change.action !== waiter.change.action) {
        earlier.reject(
          new SslClickError({
            code: 'CONFLICT',
            provider: 'fastly',
            operation: waiter.change.action === 'add' ? 'apply' : 'destroy',
            message: `${waiter.change.hostname} was ${waiter.change.action === 'add' ? 'applied' : 'destroyed'} again while this call waited; the later call won.`,
          }),
        );
      }
      latest.set(waiter.change.hostname, waiter);
    }
    const changes = [...latest.values()].map((waiter) => waiter.change);
    count += 1;
    try {
      const outcome = await options.run(changes);
      for (const waiter of waiters) {
        if (latest.get(waiter.change.hostname)?.change.action !== waiter.change.action) continue;
        const error = outcome.get(waiter.change.hostname);
        if (error === undefined) waiter.resolve();
        else waiter.reject(error);
      }
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    } finally {
      running = false;
      schedule();
    }
  }

  return {
    submit(change, signal) {
      if (signal?.aborted) {
        return Promise.reject(new SslClickError({ code: 'ABORTED', provider: 'fastly', operation: change.action === 'add' ? 'apply' : 'destroy', message: 'The call was aborted before its domain change was sent.' }));
      }
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter<Request> = { change, resolve, reject };
        queued.push(waiter);
        // Aborted while still queued: it leaves the queue. Once its batch runs, the batch
        // finishes for everyone in it (the version holds the others' domains too).
        signal?.addEventListener(
          'abort',
          () => {
            if (!queued.includes(waiter)) return;
            queued = queued.filter((candidate) => candidate !== waiter);
            reject(new SslClickError({ code: 'ABORTED', provider: 'fastly', operation: change.action === 'add' ? 'apply' : 'destroy', message: 'The call was aborted before its domain change was sent.' }));
          },
          { once: true },
        );
        schedule();
      });
    },
    batches: () => count,
  };
}
