import { SslClickError } from '@sslclick/core';
import { isConnectionError } from '@sslclick/core/adapter';

/** A non-2xx answer from the Fastly API, before translation (kept for `withRetry` to classify). */
export class FastlyHttpError extends Error {
  override readonly name = 'FastlyHttpError';
  constructor(
    readonly status: number,
    readonly headers: Headers,
    /** Fastly's `msg` (classic) or `title` (JSON:API). */
    readonly title: string | undefined,
    /** Fastly's `detail`. */
    readonly detail: string | undefined,
    readonly operation: string,
  ) {
    super(`Fastly answered ${status} to ${operation}${title ? `: ${title}` : ''}${detail ? ` (${detail})` : ''}`);
  }
}

/** Reads `{ msg, detail }` (classic) or `{ errors: [{ title, detail }] }` (JSON:API) from an error body. */
export function parseFastlyErrorBody(text: string): { title?: string; detail?: string } {
  try {
    const body = JSON.parse(text) as { msg?: unknown; detail?: unknown; errors?: Array<{ title?: unknown; detail?: unknown }> };
    const first = body.errors?.[0];
    const title = first?.title ?? body.msg;
    const detail = first?.detail ?? body.detail;
    return {
      ...(typeof title === 'string' ? { title } : {}),
      ...(typeof detail === 'string' ? { detail } : {}),
    };
  } catch {
    return {};
  }
}

/** Whether the error is a request abandoned at its deadline (`AbortSignal.timeout`). */
function isRequestTimeout(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth += 1) {
    if (typeof current === 'object' && (current as { name?: unknown }).name === 'TimeoutError') return true;
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return false;
}

/**
 * Turns whatever a Fastly call threw into an `SslClickError` with a stable code: 401 →
 * CREDENTIALS, 403 → PERMISSION (naming the token scope needed), 404 → NOT_FOUND, 409 → CONFLICT,
 * 429 → RATE_LIMITED, 5xx and dropped connections → PROVIDER.
 */
export function translateFastlyError(error: unknown, operation: string, timeoutMs?: number): SslClickError {
  if (SslClickError.isInstance(error)) return error;
  if (isRequestTimeout(error)) {
    return new SslClickError({
      code: 'TIMEOUT',
      provider: 'fastly',
      operation,
      cause: error,
      message: `The Fastly API did not answer ${operation} within ${timeoutMs === undefined ? 'the request time-out' : `${timeoutMs} ms`} (every attempt); nothing after it was changed. Check that baseURL reaches the Fastly API, then run again (raise timeoutMs on a slow network).`,
    });
  }
  if (error instanceof FastlyHttpError) {
    const said = [error.title, error.detail].filter(Boolean).join(': ');
    const base = { provider: 'fastly', operation, cause: error, httpStatus: error.status };
    switch (true) {
      case error.status === 401:
        return new SslClickError({ ...base, code: 'CREDENTIALS', message: `Fastly rejected the API token (401) on ${operation}: check the apiToken setting or FASTLY_API_TOKEN.` });
      case error.status === 403:
        return new SslClickError({
          ...base,
          code: 'PERMISSION',
          message: `Fastly refused ${operation} (403${said ? `: ${said}` : ''}): the token needs the "global" scope (global:read is not enough) and access to the service and TLS.`,
        });
      case error.status === 404:
        return new SslClickError({ ...base, code: 'NOT_FOUND', message: `Fastly found nothing for ${operation} (404${said ? `: ${said}` : ''}); if this persists, check that baseURL is the Fastly API (https://api.fastly.com).` });
      case error.status === 409:
        return new SslClickError({ ...base, code: 'CONFLICT', message: `Fastly reported a conflict on ${operation}${said ? `: ${said}` : ''}.` });
      case error.status === 429:
        return new SslClickError({
          ...base,
          code: 'RATE_LIMITED',
          message: `Fastly's rate limit (1,000 writes an hour) was reached on ${operation}; run again after ${error.headers.get('fastly-ratelimit-reset') ? new Date(Number(error.headers.get('fastly-ratelimit-reset')) * 1000).toISOString() : 'the reset'}.`,
        });
      case error.status >= 500:
        return new SslClickError({ ...base, code: 'PROVIDER', message: `Fastly failed on ${operation} (${error.status}${said ? `: ${said}` : ''}); try again later.` });
      default:
        return new SslClickError({ ...base, code: 'PROVIDER', retryable: false, message: `Fastly refused ${operation} (${error.status}${said ? `: ${said}` : ''}).` });
    }
  }
  if (isConnectionError(error)) {
    return new SslClickError({ code: 'PROVIDER', provider: 'fastly', operation, cause: error, message: `Could not reach the Fastly API for ${operation} (the connection failed); try again.` });
  }
  return new SslClickError({
    code: 'PROVIDER',
    provider: 'fastly',
    operation,
    cause: error,
    message: `${operation} failed: ${error instanceof Error ? error.message : String(error)}`,
  });
}
