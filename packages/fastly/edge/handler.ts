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

/**
 * Forwards the viewer's request to the `sendgrid` backend exactly as received: the same method,
 * path, query, headers (the viewer's `Host` among them) and body, and returns SendGrid's answer
 * unchanged. The edge adds nothing of its own, because SendGrid routes clicks and opens by the
 * branded `Host` and any rewrite would break the link.
 */
export function handle(request: Request, send: Send): Promise<Response> {
  return send(request, { backend: backendName, cache: 'pass' });
}
