/**
 * Wording rules for what the verifier tells a person: one line per detail, no raw library dump,
 * no doubled punctuation, long input cut.
 *
 * @packageDocumentation
 */

/** The longest piece of outside input (a hostname, a header, an error) quoted in a message. */
export const maximumQuotedLength = 80;

/**
 * `value` as it may be quoted in a message: whitespace collapsed and, past `maximumLength`
 * characters, cut with an ellipsis and the full length named.
 */
export function shorten(value: string, maximumLength: number = maximumQuotedLength): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  if (flat.length <= maximumLength) return flat;
  return `${flat.slice(0, Math.max(1, maximumLength - 24))}… (${flat.length} characters)`;
}

// OpenSSL's error text: "C0C7:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol
// version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1605:SSL alert number 70".
const opensslErrorPattern = /(?:[0-9A-Fa-f]+:)?error:[0-9A-Fa-f]+:[^:\n]*:[^:\n]*:([^:\n]*)(?::[^\n]*)?/g;

/** The reason part of an OpenSSL error string ("tlsv1 alert protocol version"), else the text. */
export function opensslReason(message: string): string {
  const match = /error:[0-9A-Fa-f]+:[^:\n]*:[^:\n]*:([^:\n]*)/.exec(message);
  return (match?.[1] ?? message).trim();
}

/** One line of plain words: line breaks and runs of spaces collapsed, OpenSSL dumps cut to their reason. */
export function oneLine(text: string): string {
  return text.replace(opensslErrorPattern, (_whole, reason: string) => reason.trim()).replace(/\s+/g, ' ').trim();
}

/** `text` made fit to sit inside a sentence: one line, with no final full stop. */
export function clause(text: string): string {
  return oneLine(text).replace(/[.\s]+$/, '');
}

/**
 * A finished detail: one line, doubled stops and stops after closing brackets tidied
 * ("(NXDOMAIN).)." → "(NXDOMAIN)."), ending in exactly one full stop.
 */
export function sentence(text: string): string {
  const line = oneLine(text)
    .replace(/\.(\s*[)\]])/g, '$1')
    .replace(/([.!?])(?:\s*\.)+/g, '$1')
    .replace(/\s+([,.;:])/g, '$1');
  return /[.!?]$/.test(line) ? line : `${line}.`;
}

const hourMilliseconds = 3_600_000;
const dayMilliseconds = 24 * hourMilliseconds;

/**
 * A time left, honestly rounded down to whole hours: "4 days 23 hours", "1 day", "5 hours",
 * "less than an hour". Never rounds 4 days 23 hours to "4 days" without the hours.
 */
export function describeRemaining(milliseconds: number): string {
  if (milliseconds < hourMilliseconds) return 'less than an hour';
  const days = Math.floor(milliseconds / dayMilliseconds);
  const hours = Math.floor((milliseconds - days * dayMilliseconds) / hourMilliseconds);
  const parts = [];
  if (days > 0) parts.push(`${days} ${days === 1 ? 'day' : 'days'}`);
  if (hours > 0) parts.push(`${hours} ${hours === 1 ? 'hour' : 'hours'}`);
  return parts.join(' ');
}

/** A date for a person, to the minute, in UTC: "2026-12-07 00:54 UTC". */
export function describeDate(iso: string | undefined): string {
  if (!iso) return 'an unknown date';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return 'an unknown date';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
