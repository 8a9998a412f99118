/** Reads one header from the header shapes vendor SDKs use: Web `Headers`, plain objects, Node's. */
export function readHeader(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === lower) return Array.isArray(value) ? String(value[0]) : value == null ? undefined : String(value);
  }
  return undefined;
}

/**
 * Parses `Retry-After` (delay-seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined for a missing or unreadable value.
 */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The HTTP status of an error from any of the vendor SDKs or our own fetch clients. */
export function httpStatusOf(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const candidate = error as {
    status?: unknown;
    statusCode?: unknown;
    httpStatus?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $response?: { statusCode?: unknown };
    response?: { status?: unknown };
  };
  for (const value of [
    candidate.httpStatus,
    candidate.status,
    candidate.statusCode,
    candidate.$metadata?.httpStatusCode,
    candidate.$response?.statusCode,
    candidate.response?.status,
  ]) {
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/** The response headers carried by an error, in whichever shape its SDK keeps them. */
export function headersOf(error: unknown): unknown {
  if (!error || typeof error !== 'object') return undefined;
  const candidate = error as { headers?: unknown; responseHeaders?: unknown; $response?: { headers?: unknown }; response?: { headers?: unknown } };
  return candidate.responseHeaders ?? candidate.headers ?? candidate.$response?.headers ?? candidate.response?.headers;
}
