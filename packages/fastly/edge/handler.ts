/**
 * The behaviour of the sslclick Compute program, free of Fastly-only imports so that it runs
 * (and is tested) under Node with real `Request` objects as well as in the Compute runtime.
 */

/** The name of the static backend the adapter creates: SendGrid's origin. */
export const backendName = 'sendgrid';

/** How a request leaves the edge: toward a named backend, never cached. */
export interface SendOptions {
  /** The static backend to send to. */
  backend: string;
  /** Always `'pass'`: SendGrid's redirects and open pixels must reach it on every click and open. */
  cache: 'pass';
}

/** Sends a request to a backend: `fetch` with Fastly's backend and cache options in Compute. */
export type Send = (request: Request, options: SendOptions) => Promise<Response>;

/** What the edge knows about the viewer's connection (`event.client` in Compute). */
export interface Viewer {
  /** The viewer's IP address, as the edge saw it. */
  address: string;
}

/**
 * The request to send on: the viewer's, with the viewer's address appended to `X-Forwarded-For`
 * as a VCL service does on its own. Fastly does not touch that header in Compute ("Fastly does not
 * modify this header in Compute services, but you can do so in your own edge code":
 * https://www.fastly.com/documentation/reference/http/http-headers/X-Forwarded-For), so without
 * this SendGrid would see only Fastly's address for every click and open, and its click events
 * (`ip`) and per-country statistics (GET /v3/geo/stats) would describe Fastly, not the recipient.
 */
export function forwardedRequest(request: Request, viewer: Viewer | undefined): Request {
  const address = viewer?.address.trim();
  if (!address) return request;
  const headers = new Headers(request.headers);
  const earlier = headers.get('x-forwarded-for')?.trim();
  headers.set('x-forwarded-for', earlier ? `${earlier}, ${address}` : address);
  return new Request(request, { headers });
}

/**
 * Forwards the viewer's request to the `sendgrid` backend as received: the same method, path,
 * query, headers (the viewer's `Host` among them) and body, plus the viewer's address in
 * `X-Forwarded-For`; returns SendGrid's answer unchanged. Nothing else is rewritten, because
 * SendGrid routes clicks and opens by the branded `Host` and any rewrite would break the link.
 */
export function handle(request: Request, send: Send, viewer?: Viewer): Promise<Response> {
  return send(forwardedRequest(request, viewer), { backend: backendName, cache: 'pass' });
}
