import { SslClickError } from '@sslclick/core';
import { isConnectionError } from '@sslclick/core/adapter';

/** The provider name on every error and event of this package. */
export const sendGridProvider = 'sendgrid';

/** A non-2xx answer of the SendGrid API, before translation (kept as the `cause`). */
export class SendGridHttpError extends Error {
  override readonly name = 'SendGridHttpError';
  /** Read by core's retry helper (`httpStatusOf`, `headersOf`). */
  readonly status: number;
  readonly headers: Headers;
  /** SendGrid's `errors[].message` values, or the start of a non-JSON body. */
  readonly vendorMessage: string;
  /** Whether the body was not JSON (an HTML page from a proxy or gateway in front of the API). */
  readonly notJson: boolean;

  constructor(status: number, headers: Headers, bodyText: string) {
    const { message, notJson } = describeBody(bodyText, headers.get('content-type'));
    super(`SendGrid answered HTTP ${status}: ${message}`);
    this.status = status;
    this.headers = headers;
    this.vendorMessage = message;
    this.notJson = notJson;
  }
}

function describeBody(bodyText: string, contentType: string | null): { message: string; notJson: boolean } {
  const trimmed = bodyText.trim();
  if (trimmed === '') return { message: 'an empty body', notJson: false };
  try {
    const parsed = JSON.parse(trimmed) as { errors?: Array<{ message?: unknown; field?: unknown }> };
    const messages = (parsed.errors ?? [])
      .map((error) => (typeof error.message === 'string' ? (typeof error.field === 'string' ? `${error.field}: ${error.message}` : error.message) : undefined))
      .filter((message): message is string => message !== undefined);
    return { message: messages.length > 0 ? messages.join('; ') : trimmed.slice(0, 200), notJson: false };
  } catch {
    const isHtml = /html/i.test(contentType ?? '') || /^<(!doctype|html)/i.test(trimmed);
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    return { message: isHtml ? `an HTML page${title ? ` ("${title}")` : ''} instead of JSON` : `a body that is not JSON ("${trimmed.slice(0, 80)}")`, notJson: true };
  }
}

/** What the translation needs to know about the call that failed. */
export interface TranslationContext {
  /** e.g. `links.list`. */
  operation: string;
  /** The API key scope the call needs. */
  scope: 'whitelabel.read' | 'whitelabel.update' | 'subusers.read';
  /** What was asked for, for `NOT_FOUND` messages: `link branding 42`. */
  subject: string;
  /** The sub-user sent as `on-behalf-of`, if any. */
  subuser: string | undefined;
  baseURL: string;
}

/**
 * Turns whatever a SendGrid call threw into an `SslClickError`: 401 → `CREDENTIALS`, 403 →
 * `PERMISSION` naming the scope and SendGrid's temporary block, 404 → `NOT_FOUND`, 409 → `CONFLICT`, 429 → `RATE_LIMITED`, 5xx
 * and unreadable answers → `PROVIDER`, a refused or dropped connection → `PROVIDER` (retryable).
 * Messages never hold the API key: `SslClickError` redacts every registered secret.
 */
export function translateSendGridError(error: unknown, context: TranslationContext): SslClickError {
  if (SslClickError.isInstance(error)) return error;
  const base = { provider: sendGridProvider, operation: context.operation, cause: error };
  if (error instanceof SendGridHttpError) {
    const status = error.status;
    const said = `SendGrid answered ${status} (${error.vendorMessage})`;
    const details = { ...base, httpStatus: status };
    if (status === 401) {
      return new SslClickError({
        ...details,
        code: 'CREDENTIALS',
        message: `${said} to ${context.operation}: the API key is missing, revoked or for another region. Check the "apiKey" setting or SENDGRID_API_KEY (EU sub-users need region "eu").`,
      });
    }
    if (status === 403) {
      // SendGrid's own error table lists 403 as "Too many bad requests. Temporary block", besides
      // a key without the scope: the message must not send the user hunting for a scope only.
      const subuserHint = context.subuser === undefined ? '' : `; or "${context.subuser}" (sent as on-behalf-of) is not a sub-user of the key's account`;
      return new SslClickError({
        ...details,
        code: 'PERMISSION',
        retryable: false,
        message: `${said} to ${context.operation}. Either the API key lacks the "${context.scope}" scope (give it ${context.scope.startsWith('subusers.') ? 'Subusers' : 'Sender Authentication'} access in SendGrid's API key settings)${subuserHint}; or SendGrid is temporarily blocking requests after too many bad ones (for example failed logins from this address): if the key has the scope, wait a few minutes and run again.`,
      });
    }
    if (status === 404) {
      const where = context.subuser === undefined ? 'this account' : `sub-user "${context.subuser}"`;
      return new SslClickError({ ...details, code: 'NOT_FOUND', message: `${said}: ${context.subject} does not exist in ${where}.` });
    }
    if (status === 409) return new SslClickError({ ...details, code: 'CONFLICT', message: `${said} to ${context.operation}.` });
    if (status === 429) {
      return new SslClickError({ ...details, code: 'RATE_LIMITED', message: `${said}: SendGrid's rate limit held after every retry; run again in a minute.` });
    }
    if (status >= 500) {
      const page = error.notJson ? ' A proxy or gateway in front of the API answered, not SendGrid itself.' : '';
      return new SslClickError({ ...details, code: 'PROVIDER', message: `${said} to ${context.operation}.${page} Try again later.` });
    }
    return new SslClickError({ ...details, code: 'INVALID_INPUT', message: `${said}: SendGrid rejected the ${context.operation} request.` });
  }
  if (isConnectionError(error)) {
    return new SslClickError({
      ...base,
      code: 'PROVIDER',
      retryable: true,
      message: `Could not reach the SendGrid API at ${context.baseURL} for ${context.operation} (${error instanceof Error ? error.message : String(error)}); check the network and "baseURL".`,
    });
  }
  return new SslClickError({
    ...base,
    code: 'PROVIDER',
    message: `The SendGrid call ${context.operation} failed: ${error instanceof Error ? error.message : String(error)}`,
  });
}
