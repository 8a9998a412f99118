import { request } from 'node:https';
import { lookupName } from '@sslclick/core';

/** What one real click through the proxy showed. */
export interface ClickResult {
  url: string;
  status?: number;
  location?: string;
  error?: string;
}

/** How the click reaches the world: the sandbox's DNS and root, or the internet's when absent. */
export interface ClickOptions {
  resolver?: string;
  ca?: string;
  /** The HTTPS port to dial. @default 443 */
  port?: number;
}

/**
 * Clicks a tracked link the way a mail reader would, over HTTPS through the proxy, without
 * following the redirect, and returns the status and `Location` that came back.
 */
export async function clickTrackedLink(url: string, options: ClickOptions = {}): Promise<ClickResult> {
  const target = new URL(url);
  const lookup = await lookupName(target.hostname, { servers: options.resolver ? [options.resolver] : [], timeoutMs: 5_000 });
  const address = lookup.addresses[0];
  if (!address) return { url, error: lookup.error ?? `${target.hostname} has no address` };
  return new Promise((resolve) => {
    const click = request(
      {
        host: address,
        servername: target.hostname,
        port: options.port ?? 443,
        path: `${target.pathname}${target.search}`,
        headers: { host: target.hostname, 'user-agent': 'sslclick-example' },
        ...(options.ca ? { ca: options.ca } : {}),
        timeout: 10_000,
      },
      (response) => {
        response.resume();
        resolve({ url, status: response.statusCode, ...(response.headers.location ? { location: response.headers.location } : {}) });
      },
    );
    click.once('timeout', () => click.destroy(new Error('no answer within 10 s')));
    click.once('error', (error) => resolve({ url, error: error.message }));
    click.end();
  });
}
