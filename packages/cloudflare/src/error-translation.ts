import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'cloudflare';
import { SslClickError, type SslClickErrorCode } from '@sslclick/core';
import { isConnectionError } from '@sslclick/core/adapter';

/** The token permission each kind of call needs, as the dashboard names it. */
export type CloudflareTokenPermission =
  | 'Zone > Zone > Read'
  | 'Zone > DNS > Read'
  | 'Zone > DNS > Edit'
  | 'Zone > Config Rules > Read'
  | 'Zone > Config Rules > Edit'
  | 'Zone > Cache Rules > Read'
  | 'Zone > Cache Rules > Edit'
  | 'Zone > SSL and Certificates > Read'
  | 'Zone > SSL and Certificates > Edit';

/** Every permission the adapter's token needs (edit implies read). */
export const requiredTokenPermissions: readonly CloudflareTokenPermission[] = [
  'Zone > Zone > Read',
  'Zone > DNS > Edit',
  'Zone > Config Rules > Edit',
  'Zone > Cache Rules > Edit',
  'Zone > SSL and Certificates > Edit',
];

function vendorDetail(error: APIError): string {
  const entries = Array.isArray(error.errors) ? error.errors : [];
  const parts = entries.map((entry) => `${entry.code}: ${entry.message}`);
  return parts.length > 0 ? parts.join('; ') : `HTTP ${error.status ?? 'error'}`;
}

/** Whether the error answer was an HTML page (a proxy's or firewall's), not Cloudflare's JSON envelope. */
function isHtmlAnswer(error: APIError): boolean {
  const headers = error.headers as { get?: (name: string) => string | null } | undefined;
  const contentType = typeof headers?.get === 'function' ? (headers.get('content-type') ?? '') : '';
  return /text\/html/i.test(contentType) || (typeof error.error === 'string' && /^\s*</.test(error.error));
}

function codeForStatus(status: number): SslClickErrorCode {
  if (status === 401) return 'CREDENTIALS';
  if (status === 403) return 'PERMISSION';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  return 'PROVIDER';
}

/**
 * Turns whatever a Cloudflare SDK call threw into an `SslClickError`: 401 → `CREDENTIALS`,
 * 403 → `PERMISSION` naming the token permission the call needs, 404 → `NOT_FOUND`,
 * 409 → `CONFLICT`, 429 → `RATE_LIMITED`, 5xx and connection failures → `PROVIDER` (retryable),
 * other 4xx → `PROVIDER` (not retryable) with Cloudflare's own error codes and messages; a
 * request that got no answer within `timeoutMs` → `TIMEOUT`.
 */
export function translateCloudflareError(error: unknown, operation: string, permission: CloudflareTokenPermission | undefined, timeoutMs?: number): SslClickError {
  if (SslClickError.isInstance(error)) return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new SslClickError({
      code: 'TIMEOUT',
      message: `The Cloudflare API did not answer ${operation} within ${timeoutMs === undefined ? 'the time-out' : `${timeoutMs} ms`}, on every attempt: check the network or proxy between here and the API (and baseURL), or raise timeoutMs, then run again; completed steps are kept.`,
      provider: 'cloudflare',
      operation,
      retryable: true,
      cause: error,
    });
  }
  if (error instanceof APIUserAbortError) {
    return new SslClickError({ code: 'ABORTED', message: `${operation} was aborted; run again to resume.`, provider: 'cloudflare', operation, cause: error });
  }
  if (error instanceof APIError && typeof error.status === 'number' && !(error instanceof APIConnectionError)) {
    const status = error.status;
    const code = codeForStatus(status);
    const detail = vendorDetail(error);
    let message: string;
    switch (code) {
      case 'CREDENTIALS':
        message = `Cloudflare rejected the API token (${detail}) during ${operation}: check CLOUDFLARE_API_TOKEN or the apiToken setting, and that the token is active.`;
        break;
      case 'PERMISSION':
        message = `The Cloudflare API token lacks a permission for ${operation} (${detail}): give it "${permission ?? 'the permission this call needs'}" on this zone (all needed: ${requiredTokenPermissions.join(', ')}).`;
        break;
      case 'NOT_FOUND':
        message = `Cloudflare found nothing for ${operation} (${detail}): check zoneId (when set), and that baseURL is Cloudflare's v4 API (https://api.cloudflare.com/client/v4).`;
        break;
      case 'RATE_LIMITED':
        message = `Cloudflare kept rate-limiting ${operation} (${detail}); run again in a few minutes.`;
        break;
      default:
        message = isHtmlAnswer(error)
          ? `Something other than the Cloudflare API answered ${operation}: HTTP ${status} with an HTML page, likely from a proxy or firewall between here and Cloudflare. Check baseURL and that proxy, then run again.`
          : `Cloudflare answered ${status} to ${operation}: ${detail}. Run again later; if it persists, see https://www.cloudflarestatus.com.`;
    }
    return new SslClickError({
      code,
      message,
      provider: 'cloudflare',
      operation,
      httpStatus: status,
      retryable: code === 'RATE_LIMITED' || status >= 500,
      cause: error,
    });
  }
  if (error instanceof APIConnectionError || isConnectionError(error)) {
    return new SslClickError({
      code: 'PROVIDER',
      message: `Could not reach the Cloudflare API for ${operation}: ${error instanceof Error ? error.message : String(error)}. Check baseURL, the network and any proxy in between, then run again; completed steps are kept.`,
      provider: 'cloudflare',
      operation,
      retryable: true,
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new SslClickError({
      code: 'PROVIDER',
      message: `The answer to ${operation} was not valid JSON (${error.message}): a proxy in between may have cut or changed it. Check baseURL and any proxy, then run again.`,
      provider: 'cloudflare',
      operation,
      retryable: true,
      cause: error,
    });
  }
  return new SslClickError({
    code: 'PROVIDER',
    message: `${operation} failed: ${error instanceof Error ? error.message : String(error)}.`,
    provider: 'cloudflare',
    operation,
    retryable: false,
    cause: error,
  });
}
