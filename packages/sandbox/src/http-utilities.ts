import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { normalizeDnsName } from './dns-zone.js';

/** Headers that apply to one connection only and are never forwarded by a proxy (RFC 9110 §7.6.1). */
const hopByHopHeaders = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The host name of a `Host` header value: lower-case, without port or trailing dot. */
export function hostnameFromHostHeader(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined || hostHeader === '') return undefined;
  const trimmed = hostHeader.trim();
  const withoutPort = trimmed.startsWith('[')
    ? trimmed.slice(0, trimmed.indexOf(']') + 1)
    : trimmed.replace(/:\d*$/, '');
  return normalizeDnsName(withoutPort);
}

/** A copy of `headers` without hop-by-hop headers (including those named in `Connection`). */
export function withoutHopByHopHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const connectionOptions = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHopHeaders.has(name) || connectionOptions.has(name)) continue;
    result[name] = value;
  }
  return result;
}

/** Reads a request body, up to `maximumBytes` (more is discarded). */
export async function readBody(request: IncomingMessage, maximumBytes = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    if (length < maximumBytes) {
      chunks.push(chunk);
      length += chunk.length;
    }
  }
  return Buffer.concat(chunks).subarray(0, maximumBytes);
}

/** Escapes text for an HTML body or attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
