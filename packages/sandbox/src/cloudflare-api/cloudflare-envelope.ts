import type { VendorErrorFormat, VendorResponse } from '../vendor-api-server.js';

/** One entry of the v4 envelope's `errors` array. */
export interface CloudflareErrorEntry {
  code: number;
  message: string;
  /** The errors underneath this one, e.g. 6111 under 6003 "Invalid request headers". */
  error_chain?: Array<{ code: number; message: string }>;
}

/** A successful v4 answer: `{ success: true, errors: [], messages: [], result, result_info? }`. */
export function cloudflareSuccess(result: unknown, resultInfo?: Record<string, unknown>, status = 200): VendorResponse {
  return {
    status,
    body: { success: true, errors: [], messages: [], result: result ?? null, ...(resultInfo ? { result_info: resultInfo } : {}) },
  };
}

/** A failed v4 answer with Cloudflare's error codes. */
export function cloudflareFailure(status: number, ...errors: CloudflareErrorEntry[]): VendorResponse {
  return { status, body: { success: false, errors, messages: [], result: null } };
}

/** A page of a list, with `result_info`; a page past the end is empty (the SDK stops on it). */
export function cloudflarePage<Item>(items: Item[], query: URLSearchParams, defaultPerPage: number): VendorResponse {
  const perPage = Math.max(1, Math.min(5_000, Number(query.get('per_page') ?? defaultPerPage) || defaultPerPage));
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return cloudflareSuccess(slice, {
    page,
    per_page: perPage,
    count: slice.length,
    total_count: items.length,
    total_pages: Math.max(1, Math.ceil(items.length / perPage)),
  });
}

// Codes Cloudflare sends for the statuses that faults inject.
const faultCodes: Record<number, CloudflareErrorEntry> = {
  400: { code: 1001, message: 'Invalid request' },
  401: { code: 10000, message: 'Authentication error' },
  403: { code: 10000, message: 'Authentication error' },
  404: { code: 7003, message: 'Could not route to the requested path, perhaps your object identifier is invalid?' },
  429: { code: 971, message: 'Please wait and consider throttling your request speed' },
  500: { code: 10001, message: 'Internal server error' },
  503: { code: 10001, message: 'Service unavailable' },
};

/** Error bodies for injected faults, in the v4 envelope. */
export const cloudflareErrorFormat: VendorErrorFormat = {
  error(status: number, message: string): VendorResponse {
    const entry = faultCodes[status] ?? { code: 10001, message };
    return cloudflareFailure(status, status === 404 ? { code: entry.code, message } : entry);
  },
  // Every field of the v4 error entry (`ErrorData` in cloudflare-typescript's
  // resources/shared.ts: code, message, documentation_url, source.pointer) and of `messages`; the
  // code stays a number, as the format has it.
  echo(status, quoted) {
    const entry = faultCodes[status] ?? { code: 10001, message: 'Internal server error' };
    const echoed = { code: entry.code, message: `${entry.message}: ${quoted}`, documentation_url: `https://developers.cloudflare.com/api/?token=${quoted}`, source: { pointer: `/${quoted}` } };
    return { status, body: { success: false, errors: [echoed], messages: [{ ...echoed }], result: null } };
  },
};
