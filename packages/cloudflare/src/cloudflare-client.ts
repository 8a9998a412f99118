import Cloudflare from 'cloudflare';
import { type RunOptions } from '@sslclick/core';
import { invalidInput, loadCredential, withRetry, type CommonProxySettings } from '@sslclick/core/adapter';
import { translateCloudflareError, type CloudflareTokenPermission } from './error-translation.js';

/** The connection settings shared by `createCloudflareProxy` and `createCloudflareDns`. */
export interface CloudflareConnectionSettings {
  /**
   * A Cloudflare API token (see the README for its permissions).
   * @default process.env.CLOUDFLARE_API_TOKEN
   */
  apiToken?: string | undefined; // `| undefined`: `apiToken: process.env.X` compiles under exactOptionalPropertyTypes
  /**
   * The zone's id; skips the zone search by name. The hostname must be inside that zone.
   * @default the zone found by the longest matching name
   */
  zoneId?: string;
  /**
   * The API base URL, including `/client/v4` (the sandbox's fake API, a proxy).
   * @default 'https://api.cloudflare.com/client/v4'
   */
  baseURL?: string;
  /**
   * The `fetch` the SDK uses, for tests or a proxy agent.
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch;
  /** Bounds of the retries of each API call (the SDK's own retries are off). */
  retry?: CommonProxySettings['retry'];
  /**
   * How long one API request may take before it is given up (and retried, within `retry`), in ms.
   * A Cloudflare API that accepts the connection and never answers fails with `TIMEOUT` after
   * about `timeoutMs` × `retry.maxAttempts` plus backoff, or `retry.maxRetryTime`, whichever is first.
   * @default 30000
   */
  timeoutMs?: number;
}

/** Options of one `CloudflareConnection.call`. */
export interface CloudflareCallOptions<Result> {
  /**
   * For a create (not idempotent): called before each retry to find out whether the failed
   * attempt took effect anyway (a time-out leaves that unknown, and the vendor may have carried it
   * out). Return what the create would have returned, read back from the vendor, and it is not
   * sent again; return undefined to send it again. See core's `withRetry`.
   */
  recover?: () => Promise<Result | undefined>;
}

/** A Cloudflare client plus the one way every call is made: retried by core, errors translated. */
export interface CloudflareConnection {
  readonly client: Cloudflare;
  readonly zoneId: string | undefined;
  /**
   * Runs one API call with core's retry (429 with Retry-After, 5xx, resets) and translates what
   * it finally throws. `permission` is named in a 403 (several when a write may need more than
   * one and Cloudflare's 403 does not say which is missing). A create passes `recover` (see
   * `CloudflareCallOptions`), so a retry after a lost answer does not make a second one.
   */
  call<Result>(
    operation: string,
    permission: CloudflareTokenPermission | readonly CloudflareTokenPermission[],
    request: (options: { signal?: AbortSignal }) => PromiseLike<Result>,
    run?: RunOptions,
    options?: CloudflareCallOptions<Result>,
  ): Promise<Result>;
}

/** Validates the connection settings and builds the client (no request is made). */
export function createCloudflareConnection(settings: CloudflareConnectionSettings, settingsName: string): CloudflareConnection {
  if (settings === null || typeof settings !== 'object') throw invalidInput(`${settingsName} needs a settings object.`, { provider: 'cloudflare', operation: 'create' });
  const apiToken = loadCredential({ value: settings.apiToken, environmentVariable: 'CLOUDFLARE_API_TOKEN', settingName: 'apiToken', provider: 'cloudflare' });
  if (settings.baseURL !== undefined) {
    try {
      new URL(settings.baseURL);
    } catch {
      throw invalidInput(`baseURL "${settings.baseURL}" is not a URL; pass e.g. "https://api.cloudflare.com/client/v4".`, { provider: 'cloudflare', operation: 'create' });
    }
  }
  if (settings.zoneId !== undefined && !/^[0-9a-f]{32}$/i.test(settings.zoneId)) {
    throw invalidInput(`zoneId "${settings.zoneId}" is not a Cloudflare zone id (32 hexadecimal digits, shown on the zone's Overview page).`, {
      provider: 'cloudflare',
      operation: 'create',
    });
  }
  if (settings.timeoutMs !== undefined && !(Number.isInteger(settings.timeoutMs) && settings.timeoutMs > 0)) {
    throw invalidInput(`timeoutMs must be a whole number of milliseconds above 0 (the time one Cloudflare API request may take), not ${String(settings.timeoutMs)}.`, {
      provider: 'cloudflare',
      operation: 'create',
    });
  }
  const timeoutMs = settings.timeoutMs ?? 30_000;
  const client = new Cloudflare({
    apiToken,
    ...(settings.baseURL === undefined ? {} : { baseURL: settings.baseURL }),
    ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    // core's withRetry retries every call; the SDK's own retries would multiply with it.
    maxRetries: 0,
    timeout: timeoutMs,
  });
  const retry = settings.retry ?? {};
  return {
    client,
    zoneId: settings.zoneId?.toLowerCase(),
    async call(operation, permission, request, run = {}, options = {}) {
      try {
        const write = isWriteOperation(operation);
        return await withRetry(async ({ signal }) => {
          // Every attempt of a write is a request Cloudflare counts: it waits for the shared budget.
          if (write && run.budget) await run.budget.take(1, run.signal ? { signal: run.signal } : {});
          return request(signal ? { signal } : {});
        }, {
          operation,
          provider: 'cloudflare',
          ...(run.signal ? { signal: run.signal } : {}),
          ...(run.onProgress ? { onProgress: run.onProgress } : {}),
          ...(options.recover ? { recover: options.recover } : {}),
          ...retry,
        });
      } catch (error) {
        throw translateCloudflareError(error, operation, permission, timeoutMs);
      }
    },
  };
}

/**
 * Whether an operation (named after the SDK method it calls) changes something: each attempt of
 * one first takes a write from the run's `budget`.
 */
export function isWriteOperation(operation: string): boolean {
  return /\.(?:create|edit|update|delete|batch)\b/.test(operation);
}

/** Reads every page of a v4 list (page-number pagination), each page one retried call. */
export async function listAll<Item>(
  connection: CloudflareConnection,
  operation: string,
  permission: CloudflareTokenPermission,
  fetchPage: (page: number, options: { signal?: AbortSignal }) => PromiseLike<{ result: Item[]; result_info?: object | null }>,
  run?: RunOptions,
  perPage = 100,
): Promise<Item[]> {
  const items: Item[] = [];
  for (let page = 1; page <= 1_000; page += 1) {
    const answer = await connection.call(operation, permission, (options) => fetchPage(page, options), run);
    items.push(...answer.result);
    const totalPages = (answer.result_info as { total_pages?: unknown } | null | undefined)?.total_pages;
    // Stop on an empty or short page, or at total_pages, saving the empty request the SDK's iterator makes.
    if (answer.result.length === 0 || answer.result.length < perPage || (typeof totalPages === 'number' && page >= totalPages)) break;
  }
  return items;
}
