import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SslClickError } from './errors.js';
import { parseRetryAfter } from './http-hints.js';
import { withRetry } from './retry.js';
import type { ProgressEvent } from './types.js';

class HttpError extends Error {
  constructor(readonly status: number, readonly headers: Headers) {
    super(`HTTP ${status}`);
  }
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A real local server that answers each request with the next scripted response. */
async function scriptedServer(script: Array<{ status: number; headers?: Record<string, string> } | 'reset'>): Promise<{ url: string; hits: number[] }> {
  const hits: number[] = [];
  server = createServer((request, response) => {
    hits.push(Date.now());
    const step = script[Math.min(hits.length - 1, script.length - 1)];
    if (step === 'reset' || step === undefined) {
      request.socket.destroy();
      return;
    }
    response.writeHead(step.status, step.headers).end(JSON.stringify({ ok: step.status < 400 }));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hits };
}

async function call(url: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new HttpError(response.status, response.headers);
  return response.json();
}

describe('withRetry against a real local server', () => {
  it('waits as long as Retry-After (seconds) says on 429, then succeeds', async () => {
    const { url, hits } = await scriptedServer([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    const events: ProgressEvent[] = [];
    const result = await withRetry(() => call(url), { operation: 'test.call', onProgress: (event) => events.push(event), minDelay: 10 });
    expect(result).toEqual({ ok: true });
    expect(hits).toHaveLength(2);
    expect((hits[1] ?? 0) - (hits[0] ?? 0)).toBeGreaterThanOrEqual(950);
    expect(events).toEqual([expect.objectContaining({ type: 'request-retrying', attempt: 1, delayMs: 1000 })]);
  });

  it('retries 500, 503 and a connection reset with backoff', async () => {
    const { url, hits } = await scriptedServer([{ status: 500 }, { status: 503 }, 'reset', { status: 200 }]);
    await expect(withRetry(() => call(url), { operation: 'test.call', minDelay: 5, maxDelay: 20 })).resolves.toEqual({ ok: true });
    expect(hits).toHaveLength(4);
  });

  it('gives up at once on a 4xx that will not change', async () => {
    const { url, hits } = await scriptedServer([{ status: 403 }, { status: 200 }]);
    await expect(withRetry(() => call(url), { operation: 'test.call', minDelay: 5 })).rejects.toMatchObject({ status: 403 });
    expect(hits).toHaveLength(1);
  });

  it('retries 408 and stops after maxAttempts', async () => {
    const { url, hits } = await scriptedServer([{ status: 408 }]);
    await expect(withRetry(() => call(url), { operation: 'test.call', minDelay: 5, maxDelay: 10, maxAttempts: 3 })).rejects.toMatchObject({
      status: 408,
    });
    expect(hits).toHaveLength(3);
  });

  it('refuses a Retry-After longer than the retry budget with RATE_LIMITED', async () => {
    const { url, hits } = await scriptedServer([{ status: 429, headers: { 'retry-after': '3600' } }]);
    const error = await withRetry(() => call(url), { operation: 'test.call', maxRetryTime: 5_000 }).catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(hits).toHaveLength(1);
  });

  it('stops waiting when the signal aborts, with ABORTED', async () => {
    const { url } = await scriptedServer([{ status: 429, headers: { 'retry-after': '30' } }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user pressed ctrl-c')), 100);
    const startedAt = Date.now();
    const error = await withRetry(({ signal }) => call(url, signal), { operation: 'test.call', signal: controller.signal }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('leaves no listener on the caller\'s signal when the client never removes its own', async () => {
    // The vendor SDKs forward an abort to their own controller with a listener they never remove
    // (the cloudflare SDK's request timeout): one run's signal reused for a wait's many polls
    // collected one listener per request (MaxListenersExceededWarning past 10).
    const { url, hits } = await scriptedServer([{ status: 200 }]);
    const sdkLikeCall = (signal: AbortSignal | undefined): Promise<unknown> => {
      const own = new AbortController();
      signal?.addEventListener('abort', () => own.abort(signal.reason));
      return call(url, own.signal);
    };
    const controller = new AbortController();
    for (let request = 0; request < 20; request += 1) {
      await withRetry(({ signal }) => sdkLikeCall(signal), { operation: 'test.call', signal: controller.signal });
    }
    expect(hits).toHaveLength(20);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('still aborts a request in flight through the attempt\'s own signal', async () => {
    server = createServer(() => {
      // Never answers: only the abort ends the request.
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user pressed ctrl-c')), 100);
    const startedAt = Date.now();
    const error = await withRetry(({ signal }) => call(url, signal), { operation: 'test.call', signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('uses a caller-supplied reset hint', async () => {
    const { url, hits } = await scriptedServer([{ status: 429, headers: { 'x-reset-at': String(Math.ceil(Date.now() / 1000) + 1) } }, { status: 200 }]);
    await withRetry(() => call(url), {
      operation: 'test.call',
      classify: (error) => {
        const resetAt = Number((error as HttpError).headers.get('x-reset-at'));
        return { retryable: true, retryAfterMs: Math.max(0, resetAt * 1000 - Date.now()) };
      },
    });
    expect(hits).toHaveLength(2);
    expect((hits[1] ?? 0) - (hits[0] ?? 0)).toBeGreaterThanOrEqual(200);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('withRetry with recover, for writes that are not idempotent', () => {
  it('does not send a create again when the lost attempt took effect', async () => {
    const created: number[] = [];
    server = createServer((request, response) => {
      created.push(Date.now());
      // The vendor carries the create out, but the answer never reaches the client.
      request.socket.destroy();
      void response;
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    let recoverCalls = 0;
    const result = await withRetry(() => call(url), {
      operation: 'records.create',
      minDelay: 5,
      recover: async () => {
        recoverCalls += 1;
        return created.length > 0 ? { id: 'found-by-reading' } : undefined;
      },
    });
    expect(result).toEqual({ id: 'found-by-reading' });
    expect(created).toHaveLength(1);
    expect(recoverCalls).toBe(1);
  });
});
