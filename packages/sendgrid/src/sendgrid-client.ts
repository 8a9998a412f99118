import { SslClickError } from '@sslclick/core';
import { defaultRetryDecision, readHeader, headersOf, httpStatusOf, withRetry } from '@sslclick/core/adapter';
import type { ProgressEvent } from '@sslclick/core';
import type { CommonProxySettings, RetryDecision } from '@sslclick/core/adapter';
import { SendGridHttpError, sendGridProvider, translateSendGridError } from './error-translation.js';
import type { TranslationContext } from './error-translation.js';

/** Options of every SendGrid call: abort and progress (retries are reported as `request-retrying`). */
export interface SendGridCallOptions {
  /** Stops the call, and any retry wait, with `ABORTED`. */
  signal?: AbortSignal;
  /** Receives a `request-retrying` event before each retry. */
  onProgress?: (event: ProgressEvent) => void;
}

/** What the typed client is made from (validated by `createSendGridLinks`). */
export interface SendGridClientOptions {
  apiKey: string;
  /** Without a trailing slash. */
  baseURL: string;
  subuser: string | undefined;
  fetch: typeof globalThis.fetch;
  retry: CommonProxySettings['retry'];
  timeoutMs: number;
}

/** One call of the typed client. */
export interface SendGridCall extends SendGridCallOptions {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number>;
  operation: string;
  scope: TranslationContext['scope'];
  subject: string;
  /**
   * Send `on-behalf-of` with the configured sub-user. Off for the calls a parent makes about its
   * sub-users (`/v3/whitelabel/links/subuser`).
   * @default true
   */
  actAsSubuser?: boolean;
}

/** The small typed fetch client the link branding reads and validation go through. */
export interface SendGridClient {
  /** Sends the call through core's `withRetry` and returns the parsed JSON body. */
  request(call: SendGridCall): Promise<unknown>;
}

/**
 * SendGrid sends `X-RateLimit-Reset` (epoch seconds) with a 429 and not always `Retry-After`: use
 * it when `Retry-After` is missing, so the retry waits as long as SendGrid asked.
 */
function classifySendGridFailure(error: unknown): RetryDecision {
  const decision = defaultRetryDecision(error);
  if (httpStatusOf(error) !== 429 || decision.retryAfterMs !== undefined) return decision;
  const reset = Number(readHeader(headersOf(error), 'x-ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return decision;
  return { ...decision, retryAfterMs: Math.max(0, reset * 1000 - Date.now()) };
}

function isJsonContentType(contentType: string | null): boolean {
  return contentType === null || /\bjson\b/i.test(contentType);
}

/**
 * Creates the typed fetch client. The API key lives only in this closure and the Authorization
 * header; it is never put on an object, in a URL or in a message.
 */
export function createSendGridClient(options: SendGridClientOptions): SendGridClient {
  return {
    async request(call) {
      const url = new URL(`${options.baseURL}${call.path}`);
      for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, String(value));
      const headers: Record<string, string> = {
        authorization: `Bearer ${options.apiKey}`,
        accept: 'application/json',
        'user-agent': 'sslclick',
      };
      if (options.subuser !== undefined && (call.actAsSubuser ?? true)) headers['on-behalf-of'] = options.subuser;
      const context: TranslationContext = {
        operation: call.operation,
        scope: call.scope,
        subject: call.subject,
        subuser: call.actAsSubuser === false ? undefined : options.subuser,
        baseURL: options.baseURL,
      };
      try {
        return await withRetry(
          async ({ signal }) => {
            const timeout = AbortSignal.timeout(options.timeoutMs);
            const response = await options.fetch(url, {
              method: call.method,
              headers,
              signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
            });
            const text = await response.text();
            if (!response.ok) throw new SendGridHttpError(response.status, response.headers, text);
            const contentType = response.headers.get('content-type');
            if (text.trim() === '') return undefined;
            let parsed: unknown;
            try {
              if (!isJsonContentType(contentType)) throw new Error(`content-type ${contentType}`);
              parsed = JSON.parse(text);
            } catch (cause) {
              // A 200 with a body we cannot read: retrying the same read would not make it JSON.
              throw new SslClickError({
                code: 'PROVIDER',
                httpStatus: response.status,
                provider: sendGridProvider,
                operation: call.operation,
                cause,
                message: `SendGrid answered ${call.operation} with ${response.status} but a body that is not valid JSON (${contentType ?? 'no content type'}, ${text.length} bytes starting "${text.slice(0, 40)}"); a proxy in front of the API may have cut or replaced it. Try again later.`,
              });
            }
            return parsed;
          },
          {
            operation: call.operation,
            provider: sendGridProvider,
            classify: classifySendGridFailure,
            ...options.retry,
            ...(call.signal ? { signal: call.signal } : {}),
            ...(call.onProgress ? { onProgress: call.onProgress } : {}),
          },
        );
      } catch (error) {
        throw translateSendGridError(error, context);
      }
    },
  };
}
