import { describe, expect, it } from 'vitest';
import { clause, describeDate, describeRemaining, oneLine, sentence, shorten } from './text.js';

describe('verifier wording', () => {
  it('rounds a time left down to whole hours without dropping them', () => {
    const hour = 3_600_000;
    expect(describeRemaining((4 * 24 + 23) * hour + 59 * 60_000)).toBe('4 days 23 hours');
    expect(describeRemaining(24 * hour)).toBe('1 day');
    expect(describeRemaining(25 * hour)).toBe('1 day 1 hour');
    expect(describeRemaining(5 * hour + 1)).toBe('5 hours');
    expect(describeRemaining(59 * 60_000)).toBe('less than an hour');
    expect(describeDate('2026-12-07T00:54:38.000Z')).toBe('2026-12-07 00:54 UTC');
  });

  it('cuts an OpenSSL dump to its reason and keeps it on one line', () => {
    const dump = 'C0C7:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1605:SSL alert number 70\n';
    expect(oneLine(`TLS failed: ${dump}`)).toBe('TLS failed: tlsv1 alert protocol version');
  });

  it('leaves no doubled punctuation', () => {
    expect(sentence('Not run: nothing to dial (url1.example.com does not exist in DNS (NXDOMAIN).).')).toBe('Not run: nothing to dial (url1.example.com does not exist in DNS (NXDOMAIN)).');
    expect(sentence('No HTTP answer: Connection error..')).toBe('No HTTP answer: Connection error.');
    expect(sentence('Two\nlines')).toBe('Two lines.');
    expect(clause('It failed. ')).toBe('It failed');
  });

  it('cuts over-long input and names its length', () => {
    const long = 'a'.repeat(311);
    expect(shorten(long)).toBe(`${'a'.repeat(56)}… (311 characters)`);
    expect(shorten('url1.example.com')).toBe('url1.example.com');
  });
});
