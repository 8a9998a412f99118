import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SslClickError } from './errors.js';
import { redactDeepCopy, redactError, registerSecret } from './redact.js';
import { withRedactedErrors } from './error-boundary.js';
import { findSecrets } from './testing/secret-scan.js';

const secret = 'canary-redact-unit-8f2a6c4e1b';
registerSecret(secret);

class VendorError extends Error {
  override readonly name = 'VendorError';
  constructor(
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

describe('redactDeepCopy', () => {
  it('reaches every string: non-enumerable and symbol properties, Maps, Sets, Headers, arrays, cause chains, cycles', () => {
    const body: Record<string, unknown> = { errors: [{ code: 10000, message: `token ${secret}` }], nested: new Map([[secret, { deeper: new Set([secret]) }]]) };
    body.self = body;
    const inner = new Error(`inner ${secret}`);
    const vendor = new VendorError(`outer ${secret}`, body);
    Object.defineProperty(vendor, 'hidden', { value: { note: secret }, enumerable: false });
    (vendor as unknown as Record<symbol, unknown>)[Symbol('raw')] = secret;
    (vendor as unknown as { headers: Headers }).headers = new Headers({ 'x-echo': secret, 'retry-after': '3' });
    (vendor as unknown as { cause: unknown }).cause = inner;
    const copy = redactDeepCopy(vendor);
    expect(findSecrets(copy, [secret])).toEqual([]);
    // The copy is still a native error of the vendor's class, with what helps a person.
    expect(copy).toBeInstanceOf(VendorError);
    expect(inspect(copy)).toMatch(/^VendorError: outer \[redacted\]/);
    expect((copy.body as typeof body).errors).toEqual([{ code: 10000, message: 'token [redacted]' }]);
    expect((copy.body as typeof body).self).toBe(copy.body);
    expect((copy as unknown as { headers: Headers }).headers.get('retry-after')).toBe('3');
    // The original is left as it was (it may be shared); only the copy leaves sslclick.
    expect(vendor.message).toContain(secret);
  });

  it('drops transport objects and keeps only the status and headers of a response', () => {
    const error = Object.assign(new Error('AccessDenied'), {
      $metadata: { httpStatusCode: 403, requestId: 'abc' },
      $response: { statusCode: 403, headers: { 'x-amzn-requestid': 'abc' }, body: { socket: { authorization: secret } } },
      request: { headers: { authorization: `Bearer ${secret}` } },
    });
    const copy = redactDeepCopy(error) as unknown as Record<string, unknown>;
    expect(copy.$response).toEqual({ statusCode: 403, headers: { 'x-amzn-requestid': 'abc' } });
    expect(copy.request).toBeUndefined();
    expect(copy.$metadata).toEqual({ httpStatusCode: 403, requestId: 'abc' });
  });

  it('copies errors whose name and message live in internal slots (DOMException)', () => {
    const copy = redactDeepCopy(new DOMException(`aborted ${secret}`, 'AbortError'));
    expect(copy.name).toBe('AbortError');
    expect(copy.message).toBe('aborted [redacted]');
    expect(() => inspect(copy)).not.toThrow();
  });
});

describe('redactError and withRedactedErrors', () => {
  it('cleans an SslClickError in place, including what was attached after it was made', () => {
    const error = new SslClickError({ code: 'PROVIDER', message: 'failed', cause: new VendorError(`x ${secret}`, { detail: secret }) });
    Object.assign(error, { vendorNote: `AccessDenied ${secret}` });
    expect(redactError(error)).toBe(error);
    expect(findSecrets(error, [secret])).toEqual([]);
    expect(error.code).toBe('PROVIDER');
  });

  it('returns a clean copy when a secret sits in a property that cannot be changed', () => {
    const error = new SslClickError({ code: 'PERMISSION', message: 'denied' });
    Object.defineProperty(error, 'awsErrorName', { value: `AccessDenied ${secret}`, enumerable: false });
    const clean = redactError(error);
    expect(SslClickError.isInstance(clean) && clean.code).toBe('PERMISSION');
    expect(findSecrets(clean, [secret])).toEqual([]);
  });

  it('redacts what a wrapped method throws or rejects with, and the progress events it sends', async () => {
    const events: unknown[] = [];
    const wrapped = withRedactedErrors({
      name: 'fake',
      thrown(): never {
        throw new VendorError(secret, [secret]);
      },
      async rejected(options: { onProgress?: (event: { type: string; message: string }) => void }): Promise<never> {
        options.onProgress?.({ type: 'request-retrying', message: `retrying with ${secret}` });
        throw new TypeError(secret);
      },
    });
    expect(wrapped.name).toBe('fake');
    const thrown = (() => {
      try {
        wrapped.thrown();
      } catch (error) {
        return error;
      }
    })();
    const rejected = await wrapped.rejected({ onProgress: (event) => events.push(event) }).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(VendorError);
    expect(rejected).toBeInstanceOf(TypeError);
    expect(findSecrets([thrown, rejected, events], [secret])).toEqual([]);
    expect(events).toEqual([{ type: 'request-retrying', message: 'retrying with [redacted]' }]);
  });
});
