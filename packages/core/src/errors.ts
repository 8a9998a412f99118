import { redact, redactDeepCopy } from './redact.js';

/** The stable error codes. Match on these, not on messages. */
export type SslClickErrorCode =
  | 'INVALID_INPUT'
  | 'CREDENTIALS'
  | 'PERMISSION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'PROVIDER'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'UNSAFE'
  | 'QUOTA_EXCEEDED';

/** Codes whose cause may go away by itself, so the operation can be tried again. */
const retryableCodes: ReadonlySet<SslClickErrorCode> = new Set(['RATE_LIMITED', 'TIMEOUT', 'PROVIDER']);

/** What an `SslClickError` is made from. */
export interface SslClickErrorOptions {
  /** The stable code of the failure. */
  code: SslClickErrorCode;
  /** A message that says what went wrong and what to do. Credentials are removed from it. */
  message: string;
  /** The CDN or service the error came from (`core` for our own checks). */
  provider?: string;
  /** The operation that failed, e.g. `apply`, `zones.list`. */
  operation?: string;
  /**
   * Whether trying again may succeed. Computed from the code when not given: rate limits,
   * time-outs and vendor failures are retryable, the rest are not.
   */
  retryable?: boolean;
  /**
   * The error this one translates. It is kept as a redacted deep copy (`redactDeepCopy`): every
   * string in it, its own properties, its `cause` chain and any vendor body, has registered
   * secrets and credential-shaped values replaced; codes and statuses are kept.
   */
  cause?: unknown;
  /** The HTTP status of the vendor response, when there was one. */
  httpStatus?: number;
}

const marker = Symbol.for('sslclick.error');

/** The one error class of sslclick. Every failure a user sees is one of these, with a code. */
export class SslClickError extends Error {
  /** The stable code: match on it, not on the message. */
  readonly code: SslClickErrorCode;
  /** The CDN or service the error came from (`core` for sslclick's own checks). */
  readonly provider: string | undefined;
  /** The operation that failed, e.g. `apply`, `zones.list`. */
  readonly operation: string | undefined;
  /** Whether running the operation again may succeed. */
  readonly retryable: boolean;
  /** The HTTP status of the vendor response, when there was one. */
  readonly httpStatus: number | undefined;
  /** Marks sslclick errors for `isInstance`, across copies of the package. @internal */
  readonly [marker] = true;

  constructor(options: SslClickErrorOptions) {
    super(redact(options.message), options.cause === undefined ? undefined : { cause: redactDeepCopy(options.cause) });
    this.name = 'SslClickError';
    this.code = options.code;
    this.provider = options.provider;
    this.operation = options.operation;
    this.httpStatus = options.httpStatus;
    this.retryable = options.retryable ?? retryableCodes.has(options.code);
  }

  /** True for an `SslClickError` from any copy of this package (an `instanceof` that survives duplicates). */
  static isInstance(value: unknown): value is SslClickError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/** Shorthand for the `INVALID_INPUT` error of a setting or argument. */
export function invalidInput(message: string, details: { provider?: string; operation?: string } = {}): SslClickError {
  return new SslClickError({ code: 'INVALID_INPUT', message, ...details });
}

/** Throws `ABORTED` when the signal has fired; used between the steps of a run. */
export function throwIfAborted(signal: AbortSignal | undefined, operation?: string): void {
  if (signal?.aborted) {
    throw new SslClickError({
      code: 'ABORTED',
      message: `The ${operation ?? 'operation'} was aborted; run it again to resume: every step is idempotent.`,
      operation,
      cause: signal.reason,
    });
  }
}
