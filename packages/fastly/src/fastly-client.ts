import { SslClickError, type RunOptions } from '@sslclick/core';
import { withRetry, type RetryOptions } from '@sslclick/core/adapter';
import { FastlyHttpError, parseFastlyErrorBody, translateFastlyError } from './fastly-errors.js';
import type { RateLimitGovernor } from './rate-limit.js';

/** The default Fastly API endpoint. */
export const defaultFastlyBaseURL = 'https://api.fastly.com';

/** What the client needs: the token, where to send requests, and how to retry. */
export interface FastlyClientOptions {
  apiToken: string;
  baseURL: string;
  fetch: typeof fetch;
  retry: Pick<RetryOptions, 'maxAttempts' | 'maxRetryTime' | 'minDelay' | 'maxDelay'> | undefined;
  rateLimit: RateLimitGovernor;
  /** How long one request may take, in ms, before it is abandoned (and retried). */
  timeoutMs: number;
}

/** One request. Exactly one of `form`, `json` and `multipart` may be given, for writes. */
export interface FastlyRequest<Result = unknown> {
  /** Names the call in errors and progress events: `service.create`. */
  operation: string;
  query?: Record<string, string>;
  /** A form-encoded body (classic endpoints). `null` values are sent empty, which clears a field. */
  form?: Record<string, string | number | boolean | null>;
  /** A JSON:API body (`/tls/*`). */
  json?: unknown;
  /** A multipart body with one file (the Compute package upload). */
  multipart?: { field: string; filename: string; bytes: Uint8Array };
  /** Resolve to `undefined` on 404 instead of throwing `NOT_FOUND`. */
  allowNotFound?: boolean;
  /**
   * Statuses that mean "there is none" for this call, resolved to `undefined` like a 404 with
   * `allowNotFound` (e.g. `[400, 404]` for `GET /service/search`, which answers 400 for a name no
   * service has).
   */
  absentStatuses?: readonly number[];
  /**
   * This request's deadline in ms, when it differs from the client's `timeoutMs` (the Compute
   * package upload).
   */
  timeoutMs?: number;
  /**
   * For a write that is not idempotent (a create, a clone): re-reads whether an attempt whose
   * answer was lost (a time-out, a dropped connection, a 5xx) took effect anyway, and returns the
   * resource found in the shape the write answers with, so it is not sent again. It is asked
   * before each retry, and again when a retry is answered 409 (the vendor says it exists).
   * When the re-read itself fails, the write fails rather than be sent blind.
   */
  recover?: () => Promise<Result | undefined>;
  run?: RunOptions;
}

/** A small typed client over Fastly's REST API: `Fastly-Key` auth, core's retries, error translation. */
export interface FastlyClient {
  get<Result>(path: string, request: FastlyRequest<Result>): Promise<Result | undefined>;
  write<Result>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, request: FastlyRequest<Result>): Promise<Result | undefined>;
}

/** Failed re-reads of a write whose answer was lost: they end the call, never retried blind. */
const unknownOutcomes = new WeakSet<object>();

function unknownOutcome(error: unknown, operation: string): unknown {
  if (SslClickError.isInstance(error) && error.code === 'ABORTED') return error;
  const said = error instanceof Error ? error.message : String(error);
  const outcome = new SslClickError({
    code: SslClickError.isInstance(error) ? error.code : 'PROVIDER',
    provider: 'fastly',
    operation,
    cause: error,
    message: `The answer to ${operation} was lost and reading back whether it took effect failed (${said}); it was not sent again, so nothing is duplicated. Run apply again: it picks up whatever was made.`,
  });
  unknownOutcomes.add(outcome);
  return outcome;
}

/** Creates the client; every call goes through `withRetry` and comes back translated. */
export function createFastlyClient(options: FastlyClientOptions): FastlyClient {
  const base = options.baseURL.replace(/\/+$/, '');

  async function send<Result>(method: string, path: string, request: FastlyRequest<Result>): Promise<Result | undefined> {
    const url = new URL(`${base}${path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    const jsonApi = path.startsWith('/tls/');
    const write = method !== 'GET';
    const recover = write ? request.recover : undefined;
    let lastError: unknown;
    // Asks `recover` whether the lost attempt took effect. A 429 is the vendor saying it did not
    // run the request, so there is nothing to look for. A failed re-read ends the call: sending
    // the create again without knowing could make a duplicate.
    const recovered = async (): Promise<Result | undefined> => {
      if (!recover || (lastError instanceof FastlyHttpError && lastError.status === 429)) return undefined;
      try {
        return await recover();
      } catch (error) {
        throw unknownOutcome(error, request.operation);
      }
    };
    try {
      return await withRetry(
        async ({ signal, attemptNumber }) => {
          try {
            return await attempt(signal);
          } catch (error) {
            lastError = error;
            // A retry answered "already exists": the earlier attempt did take effect after all.
            if (attemptNumber > 1 && error instanceof FastlyHttpError && error.status === 409) {
              const existing = await recovered();
              if (existing !== undefined) return existing;
            }
            throw error;
          }
        },
        {
          operation: request.operation,
          provider: 'fastly',
          ...options.retry,
          classify: (error) => (unknownOutcomes.has(error as object) ? { retryable: false } : options.rateLimit.classify(error)),
          ...(recover ? { recover: recovered } : {}),
          ...(request.run?.signal ? { signal: request.run.signal } : {}),
          ...(request.run?.onProgress ? { onProgress: request.run.onProgress } : {}),
        },
      );
    } catch (error) {
      if (error instanceof FastlyHttpError && ((request.allowNotFound && error.status === 404) || request.absentStatuses?.includes(error.status))) return undefined;
      throw translateFastlyError(error, request.operation, request.timeoutMs ?? options.timeoutMs);
    }

    async function attempt(signal: AbortSignal | undefined): Promise<Result | undefined> {
      const budget = write ? request.run?.budget : undefined;
      // Every attempt of a write is a request Fastly counts: it waits for the shared budget first.
      if (budget) await budget.take(1, request.run?.signal ? { signal: request.run.signal } : {});
      if (write) await options.rateLimit.beforeWrite(request.operation, request.run);
      const headers: Record<string, string> = {
        'fastly-key': options.apiToken,
        // go-fastly sets the JSON:API type on TLS reads too: "otherwise the filters don't work".
        accept: jsonApi ? 'application/vnd.api+json' : 'application/json',
        'user-agent': 'sslclick-fastly',
      };
      let body: string | FormData | undefined;
      if (request.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(Object.entries(request.form).map(([key, value]): [string, string] => [key, value === null ? '' : String(value)])).toString();
      } else if (request.json !== undefined) {
        headers['content-type'] = 'application/vnd.api+json';
        body = JSON.stringify(request.json);
      } else if (request.multipart) {
        const form = new FormData();
        form.set(request.multipart.field, new Blob([request.multipart.bytes], { type: 'application/gzip' }), request.multipart.filename);
        body = form;
      }
      // Each attempt gets its own deadline, so an API that accepts the connection and never
      // answers costs one timeout per attempt instead of hanging the run.
      const deadline = AbortSignal.timeout(request.timeoutMs ?? options.timeoutMs);
      const attemptSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
      const response = await options.fetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal: attemptSignal });
      if (write) options.rateLimit.observe(response.headers);
      // What Fastly says is left of the hour caps the shared budget too.
      const remaining = budget ? response.headers.get('fastly-ratelimit-remaining')?.trim() : undefined;
      if (budget && remaining !== undefined && /^\d+$/.test(remaining)) {
        const reset = response.headers.get('fastly-ratelimit-reset')?.trim();
        budget.observe(Number(remaining), reset && /^\d+$/.test(reset) ? Number(reset) * 1000 : undefined);
      }
      const text = await response.text();
      if (!response.ok) {
        const parsed = parseFastlyErrorBody(text);
        throw new FastlyHttpError(response.status, response.headers, parsed.title, parsed.detail, request.operation);
      }
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as Result;
      } catch (error) {
        throw new SslClickError({ code: 'PROVIDER', provider: 'fastly', operation: request.operation, cause: error, message: `Fastly sent a body that is not JSON for ${request.operation}.` });
      }
    }
  }

  return {
    get: (path, request) => send('GET', path, request),
    write: (method, path, request) => send(method, path, request),
  };
}
