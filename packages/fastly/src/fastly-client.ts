import { SslClickError, withRetry, type RetryOptions, type RunOptions } from '@sslclick/core';
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
export interface FastlyRequest {
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
  run?: RunOptions;
}

/** A small typed client over Fastly's REST API: `Fastly-Key` auth, core's retries, error translation. */
export interface FastlyClient {
  get<Result>(path: string, request: FastlyRequest): Promise<Result | undefined>;
  write<Result>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, request: FastlyRequest): Promise<Result | undefined>;
}

/** Creates the client; every call goes through `withRetry` and comes back translated. */
export function createFastlyClient(options: FastlyClientOptions): FastlyClient {
  const base = options.baseURL.replace(/\/+$/, '');

  async function send<Result>(method: string, path: string, request: FastlyRequest): Promise<Result | undefined> {
    const url = new URL(`${base}${path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    const jsonApi = path.startsWith('/tls/');
    const write = method !== 'GET';
    try {
      return await withRetry(
        async ({ signal }) => {
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
          const deadline = AbortSignal.timeout(options.timeoutMs);
          const attemptSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
          const response = await options.fetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal: attemptSignal });
          if (write) options.rateLimit.observe(response.headers);
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
        },
        {
          operation: request.operation,
          provider: 'fastly',
          ...options.retry,
          classify: options.rateLimit.classify,
          ...(request.run?.signal ? { signal: request.run.signal } : {}),
          ...(request.run?.onProgress ? { onProgress: request.run.onProgress } : {}),
        },
      );
    } catch (error) {
      if (request.allowNotFound && error instanceof FastlyHttpError && error.status === 404) return undefined;
      throw translateFastlyError(error, request.operation, options.timeoutMs);
    }
  }

  return {
    get: (path, request) => send('GET', path, request),
    write: (method, path, request) => send(method, path, request),
  };
}
