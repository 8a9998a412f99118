import { isIP } from './ip.js';
import { domainToASCII } from 'node:url';
import { invalidInput } from './errors.js';
import { shorten } from './verifier/text.js';

const maximumNameLength = 253;
const maximumLabelLength = 63;
const labelPattern = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

// Public suffixes of two labels under which a three-label name is still a registrable apex
// (`example.co.uk`). Not the whole Public Suffix List: adapters that know the real zone also
// reject a hostname equal to it; this catches the common cases before any vendor call.
const twoLabelPublicSuffixes = new Set([
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'me.uk', 'ltd.uk', 'plc.uk', 'net.uk',
  'com.au', 'net.au', 'org.au', 'edu.au', 'gov.au',
  'co.nz', 'org.nz', 'net.nz', 'co.jp', 'ne.jp', 'or.jp', 'ac.jp',
  'com.br', 'net.br', 'org.br', 'com.mx', 'com.ar', 'com.tr', 'com.cn', 'com.hk', 'com.sg',
  'co.in', 'net.in', 'org.in', 'co.za', 'co.kr', 'co.il', 'com.tw', 'co.id', 'com.my',
]);

/**
 * Turns what a user typed into the canonical branded link host: lower-case, one trailing dot
 * removed, international names in punycode. Throws `INVALID_INPUT` saying what is wrong for
 * anything that is not a host name under a zone: empty input, whitespace, IP addresses,
 * wildcards, pasted URLs, ports, single labels, zone apexes, and over-long labels or names.
 */
export function normalizeHostname(input: unknown): string {
  if (typeof input !== 'string') {
    throw invalidInput(`The hostname must be a string such as "url1234.example.com", not ${input === null ? 'null' : typeof input}.`);
  }
  if (input.length === 0) {
    throw invalidInput('The hostname is empty: pass the branded link host from SendGrid, such as "url1234.example.com".');
  }
  if (/\s/.test(input)) {
    throw invalidInput(`The hostname "${shorten(input)}" contains whitespace: pass the host name alone, such as "url1234.example.com".`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) || input.includes('/')) {
    throw invalidInput(
      `"${shorten(input)}" looks like a URL: pass only the host name (for "https://url1234.example.com/" that is "url1234.example.com").`,
    );
  }
  const unbracketed = input.replace(/^\[(.*)\]$/, '$1');
  if (isIP(unbracketed) !== 0 || isIP(input.replace(/\.$/, '')) !== 0) {
    throw invalidInput(`"${shorten(input)}" is an IP address: SSL click tracking needs the branded link host name, such as "url1234.example.com".`);
  }
  if (input.includes(':')) {
    throw invalidInput(`"${shorten(input)}" has a port: pass the host name without ":port"; the CDN serves ports 443 and 80.`);
  }
  if (input.includes('*')) {
    throw invalidInput(`"${shorten(input)}" is a wildcard: each branded link host is set up on its own, such as "url1234.example.com".`);
  }
  if (input.includes('@')) {
    throw invalidInput(`"${shorten(input)}" looks like an email address: pass the branded link host, such as "url1234.example.com".`);
  }

  const withoutDot = input.endsWith('.') ? input.slice(0, -1) : input;
  if (withoutDot.length === 0 || withoutDot.endsWith('.') || withoutDot.startsWith('.') || withoutDot.includes('..')) {
    throw invalidInput(`"${shorten(input)}" has an empty label (two dots in a row, or a leading dot).`);
  }
  const isAscii = /^[\x00-\x7f]*$/.test(withoutDot);
  // IDNA 2008 allows letters, marks and digits only; Node's UTS 46 conversion would also turn
  // symbols and emoji into punycode that browsers refuse to show.
  const symbolLabel = isAscii ? undefined : withoutDot.split('.').find((label) => !/^[\p{L}\p{M}\p{N}-]+$/u.test(label));
  if (symbolLabel !== undefined) {
    throw invalidInput(`The label "${shorten(symbolLabel)}" of "${shorten(input)}" has symbols or emoji, which a host name cannot have: use letters, digits and inner hyphens.`);
  }
  const ascii = isAscii ? withoutDot.toLowerCase() : domainToASCII(withoutDot);
  if (ascii === '') {
    throw invalidInput(`"${shorten(input)}" is not a valid international domain name: it cannot be converted to punycode.`);
  }
  if (ascii.length > maximumNameLength) {
    throw invalidInput(`"${shorten(input)}" is ${ascii.length} characters long; a host name may have at most ${maximumNameLength}.`);
  }
  const labels = ascii.split('.');
  for (const label of labels) {
    if (label.length > maximumLabelLength) {
      throw invalidInput(`The label "${shorten(label)}" of "${shorten(input)}" is ${label.length} characters long; a label may have at most ${maximumLabelLength}.`);
    }
    if (!labelPattern.test(label)) {
      throw invalidInput(
        `The label "${shorten(label)}" of "${shorten(input)}" has characters a host name cannot have: use letters, digits and inner hyphens only.`,
      );
    }
  }
  if (labels.length === 1) {
    throw invalidInput(`"${shorten(input)}" is a single label: pass the full branded link host, such as "${ascii}.example.com".`);
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) {
    throw invalidInput(`"${shorten(input)}" ends in a numeric label, which no public domain has.`);
  }
  const lastTwo = labels.slice(-2).join('.');
  if (labels.length === 2 || (labels.length === 3 && twoLabelPublicSuffixes.has(lastTwo))) {
    throw invalidInput(
      `"${ascii}" is a zone apex: a branded link host is a subdomain such as "url1234.${ascii}", and an apex cannot be a CNAME to a CDN.`,
    );
  }
  return ascii;
}

/** The parent names of a hostname, longest first: `a.b.example.com` → `b.example.com`, `example.com`. */
export function parentDomains(hostname: string): string[] {
  const labels = hostname.split('.');
  const parents: string[] = [];
  for (let index = 1; index < labels.length - 1; index += 1) parents.push(labels.slice(index).join('.'));
  return parents;
}

/** Whether `hostname` is `domain` or a subdomain of it (both normalised). */
export function isWithinDomain(hostname: string, domain: string): boolean {
  return hostname === domain || hostname.endsWith(`.${domain}`);
}
