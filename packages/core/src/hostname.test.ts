import { describe, expect, it } from 'vitest';
import { SslClickError } from './errors.js';
import { normalizeHostname, parentDomains } from './hostname.js';

function rejection(input: unknown): SslClickError {
  try {
    normalizeHostname(input);
  } catch (error) {
    expect(SslClickError.isInstance(error)).toBe(true);
    return error as SslClickError;
  }
  throw new Error(`expected ${String(input)} to be rejected`);
}

describe('normalizeHostname', () => {
  it('lower-cases and strips one trailing dot', () => {
    expect(normalizeHostname('URL1234.Example.COM.')).toBe('url1234.example.com');
  });

  it('turns international names into punycode', () => {
    expect(normalizeHostname('url1.bücher.example')).toBe('url1.xn--bcher-kva.example');
  });

  it.each([
    ['empty', '', /empty/],
    ['whitespace', 'url1234 .example.com', /whitespace/],
    ['leading whitespace', ' url1234.example.com', /whitespace/],
    ['an IPv4 literal', '192.0.2.10', /IP address/],
    ['an IPv6 literal', '2001:db8::1', /IP address/],
    ['a bracketed IPv6 literal', '[2001:db8::1]', /IP address/],
    ['a wildcard', '*.example.com', /wildcard/],
    ['a bare single label', 'localhost', /single label/],
    ['the zone apex', 'example.com', /zone apex/],
    ['a two-level public suffix apex', 'example.co.uk', /zone apex/],
    ['a label over 63 characters', `${'a'.repeat(64)}.example.com`, /at most 63/],
    ['a name over 253 characters', `${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.example.com`, /at most 253/],
    ['an underscore', 'url_1234.example.com', /characters a host name cannot have/],
    ['a leading hyphen', '-url.example.com', /characters a host name cannot have/],
    ['a pasted URL', 'https://url1234.example.com/', /only the host name/],
    ['a path', 'url1234.example.com/ls/click', /only the host name/],
    ['a port', 'url1234.example.com:8443', /port/],
    ['two dots', 'url1234..example.com', /empty label/],
    ['two trailing dots', 'url1234.example.com..', /empty label/],
    ['an email address', 'me@url1234.example.com', /email/],
    ['a numeric top-level label', 'url1234.example.123', /numeric/],
    ['an emoji', 'url☃.example.com', /symbols or emoji/],
  ])('rejects %s with INVALID_INPUT and a reason', (_case, input, reason) => {
    const error = rejection(input);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(reason);
  });

  it('rejects what is not a string', () => {
    expect(rejection(undefined).message).toMatch(/must be a string/);
    expect(rejection(42).code).toBe('INVALID_INPUT');
  });

  it('accepts a label of exactly 63 characters and deep subdomains', () => {
    const label = 'a'.repeat(63);
    expect(normalizeHostname(`${label}.example.com`)).toBe(`${label}.example.com`);
    expect(normalizeHostname('url1234.mail.example.co.uk')).toBe('url1234.mail.example.co.uk');
  });
});

describe('parentDomains', () => {
  it('lists the parent names, longest first, without the top-level label', () => {
    expect(parentDomains('url1.mail.example.com')).toEqual(['mail.example.com', 'example.com']);
  });
});
