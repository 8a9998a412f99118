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
  | 'Zone > SSL and Certificates > Edit'
  | 'Zone > Zone Settings > Edit'
  | 'Account > Account Rulesets > Edit'
  | 'Account > Account Filter Lists > Edit';

/**
 * What a write of a Cache Rule may need. Cloudflare's Cache Rules API page
 * (https://developers.cloudflare.com/cache/how-to/cache-rules/create-api/) lists the two account
 * permissions besides the zone's Cache Rules Edit; whether the API enforces them is not settled,
 * and its 403 does not say which permission is missing, so a 403 there names all three.
 */
export const cacheRuleEditPermissions: readonly CloudflareTokenPermission[] = [
  'Zone > Cache Rules > Edit',
  'Account > Account Rulesets > Edit',
  'Account > Account Filter Lists > Edit',
];

/** Every permission the adapter's token needs (edit implies read). */
export const requiredTokenPermissions: readonly CloudflareTokenPermission[] = [
  'Zone > Zone > Read',
  'Zone > DNS > Edit',
  'Zone > Config Rules > Edit',
  'Zone > Cache Rules > Edit',
  'Zone > SSL and Certificates > Edit',
];

interface ErrorEntry {
  code?: unknown;
  message?: unknown;
  error_chain?: unknown;
}

/** Cloudflare's error entries, each followed by its `error_chain` (the cause underneath it). */
function errorEntries(error: APIError): ErrorEntry[] {
  const flatten = (entries: unknown): ErrorEntry[] =>
    Array.isArray(entries) ? entries.flatMap((entry: ErrorEntry) => (typeof entry === 'object' && entry !== null ? [entry, ...flatten(entry.error_chain)] : [])) : [];
  return flatten(error.errors);
}

function vendorDetail(error: APIError): string {
  const parts = errorEntries(error).map((entry) => `${String(entry.code)}: ${String(entry.message)}`);
  return parts.length > 0 ? parts.join('; ') : `HTTP ${error.status ?? 'error'}`;
}

/**
 * Whether a 400 is Cloudflare refusing the token's shape before looking it up: 6003 "Invalid
 * request headers" with 6111 "Invalid format for Authorization header" underneath (users of the
 * real API report this for a token with a stray character, e.g. jeessy2/ddns-go#916, and 6103 for
 * a malformed X-Auth-Key, cloudflare/cloudflare-typescript#161). It is a credentials problem, not
 * Cloudflare's.
 */
function isMalformedCredential(error: APIError): boolean {
  const codes = errorEntries(error).map((entry) => entry.code);
  return codes.includes(6111) || codes.includes(6103) || (codes.length === 1 && codes[0] === 6003);
}

/** Whether the error answer was an HTML page (a proxy's or firewall's), not Cloudflare's JSON envelope. */
function isHtmlAnswer(error: APIError): boolean {
  const headers = error.headers as { get?: (name: string) => string | null } | undefined;
  const contentType = typeof headers?.get === 'function' ? (headers.get('content-type') ?? '') : '';
  return /text\/html/i.test(contentType) || (typeof error.error === 'string' && /^\s*</.test(error.error));
}

function codeFor(error: APIError, status: number): SslClickErrorCode {
  if (status === 401 || (status === 400 && isMalformedCredential(error))) return 'CREDENTIALS';
  if (status === 403) return 'PERMISSION';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  return 'PROVIDER';
}

function quoted(permissions: readonly CloudflareTokenPermission[]): string {
  return permissions.map((permission) => `"${permission}"`).join(', ');
}

function permissionMessage(operation: string, detail: string, permission: CloudflareTokenPermission | readonly CloudflareTokenPermission[] | undefined): string {
  if (permission === undefined) return `The Cloudflare API token lacks a permission for ${operation} (${detail}): see the README for every permission it needs (${requiredTokenPermissions.join(', ')}).`;
  if (typeof permission === 'string') {
    return `The Cloudflare API token lacks a permission for ${operation} (${detail}): give it "${permission}" on this zone (all needed: ${requiredTokenPermissions.join(', ')}).`;
  }
  const [zonePermission, ...others] = permission;
  return (
    `The Cloudflare API token lacks a permission for ${operation} (${detail}): it needs ${quoted(permission)}. ` +
    `Cloudflare's 403 does not say which is missing: ${zonePermission ? `"${zonePermission}" on this zone, and ` : ''}${quoted(others)} on the zone's account, which Cloudflare's documentation lists for this kind of write. ` +
    `Add whichever the token lacks, or run with bypassCache: false to add no Cache Rule.`
  );
}

/**
 * Turns whatever a Cloudflare SDK call threw into an `SslClickError`: 401, and a 400 refusing the
 * token's format (6003/6111) → `CREDENTIALS`; 403 → `PERMISSION` naming the token permissions the
 * call needs, 404 → `NOT_FOUND`,
 * 409 → `CONFLICT`, 429 → `RATE_LIMITED`, 5xx and connection failures → `PROVIDER` (retryable),
 * other 4xx → `PROVIDER` (not retryable) with Cloudflare's own error codes and messages; a
 * request that got no answer within `timeoutMs` → `TIMEOUT`.
 */
export function translateCloudflareError(
  error: unknown,
  operation: string,
  permission: CloudflareTokenPermission | readonly CloudflareTokenPermission[] | undefined,
  timeoutMs?: number,
): SslClickError {
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
    const code = codeFor(error, status);
    const detail = vendorDetail(error);
    let message: string;
    switch (code) {
      case 'CREDENTIALS':
        message =
          status === 400
            ? `Cloudflare refused the API token as malformed (${detail}) during ${operation}: check CLOUDFLARE_API_TOKEN or the apiToken setting for a stray space, quote or line break, and that it is an API token (not the Global API Key).`
            : `Cloudflare rejected the API token (${detail}) during ${operation}: check CLOUDFLARE_API_TOKEN or the apiToken setting, and that the token is active.`;
        break;
      case 'PERMISSION':
        message = permissionMessage(operation, detail, permission);
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
