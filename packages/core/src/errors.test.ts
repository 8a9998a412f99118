import { describe, expect, it } from 'vitest';
import { SslClickError } from './errors.js';
import { redact, redactValue, registerSecret } from './redact.js';

describe('SslClickError', () => {
  it('carries a stable code, provider, operation and a computed retryable', () => {
    const error = new SslClickError({ code: 'RATE_LIMITED', message: 'slow down', provider: 'fastly', operation: 'apply' });
    expect(error).toMatchObject({ name: 'SslClickError', code: 'RATE_LIMITED', provider: 'fastly', operation: 'apply', retryable: true });
    expect(new SslClickError({ code: 'CONFLICT', message: 'taken' }).retryable).toBe(false);
  });

  it('is recognised across copies of the package by isInstance', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('sslclick.error')]: true, code: 'CONFLICT' });
    expect(SslClickError.isInstance(foreign)).toBe(true);
    expect(SslClickError.isInstance(new Error('x'))).toBe(false);
    expect(SslClickError.isInstance(null)).toBe(false);
  });

  it('never prints a registered credential, in its message or its cause chain', () => {
    const secret = 'canary-token-5f1c9e7a2b';
    registerSecret(secret);
    const inner = new Error(`request with token ${secret} failed`);
    const outer = new Error('vendor call failed', { cause: inner });
    const error = new SslClickError({ code: 'CREDENTIALS', message: `token ${secret} was refused`, cause: outer });
    expect(error.message).not.toContain(secret);
    expect(String((error.cause as Error).cause)).not.toContain(secret);
    expect(JSON.stringify(redactValue({ nested: [{ note: secret }] }))).not.toContain(secret);
  });

  it('removes credential-shaped values nobody registered', () => {
    expect(redact('Authorization: Bearer abcdef1234567890')).not.toContain('abcdef1234567890');
    expect(redact('Fastly-Key: 0123456789abcdef')).not.toContain('0123456789abcdef');
    expect(redact('key SG.aaaaaaaaaaaa.bbbbbbbbbbbbbbbb used')).not.toContain('bbbbbbbbbbbbbbbb');
    expect(redact('AKIAABCDEFGHIJKLMNOP')).toBe('[redacted]');
  });
});
