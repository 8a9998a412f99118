import { EventEmitter } from 'node:events';

/** Events emitted by a {@link SandboxClock}. */
export interface SandboxClockEvents {
  /** Emitted after {@link SandboxClock.advance}, with the step and the new time. */
  advance: [milliseconds: number, now: number];
}

/**
 * The sandbox's controllable clock: real time plus an offset that only grows.
 *
 * Slow things in the sandbox (deployments, certificate issuance) compare against `now()`, so a
 * test can skip ahead with `advance()` instead of waiting.
 */
export class SandboxClock extends EventEmitter<SandboxClockEvents> {
  #offsetMilliseconds: number;

  /** Creates a clock starting `offsetMilliseconds` ahead of real time (default 0). */
  constructor(offsetMilliseconds = 0) {
    super();
    this.#offsetMilliseconds = offsetMilliseconds;
  }

  /** The sandbox time in milliseconds since the epoch: `Date.now()` plus the offset. */
  now(): number {
    return Date.now() + this.#offsetMilliseconds;
  }

  /** How far the clock is ahead of real time, in milliseconds. */
  get offsetMilliseconds(): number {
    return this.#offsetMilliseconds;
  }

  /** Moves the clock forward by `milliseconds` (must be finite and not negative) and emits `advance`. */
  advance(milliseconds: number): void {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) {
      throw new RangeError(`The clock can only advance by a finite, non-negative number of milliseconds (got ${milliseconds}).`);
    }
    this.#offsetMilliseconds += milliseconds;
    this.emit('advance', milliseconds, this.now());
  }
}

/** Creates a {@link SandboxClock}. */
export function createSandboxClock(offsetMilliseconds = 0): SandboxClock {
  return new SandboxClock(offsetMilliseconds);
}
