/**
 * The local world of the SendGrid tests: a sandbox, the fake SendGrid v3 API on it, and a client
 * that clicks a tracked link through the sandbox CDN edge like a mail reader would.
 */
import { request as httpsRequest } from 'node:https';
import { EDGE_ADDRESS, startSandbox, startSendGridApi } from '@sslclick/sandbox';
import type { Sandbox, SendGridApi, SendGridApiOptions } from '@sslclick/sandbox';

/** Short retry bounds so fault tests stay fast. */
export const fastRetry = { minDelay: 5, maxDelay: 20, maxAttempts: 3 } as const;

/** A sandbox with the fake SendGrid API. */
export interface SendGridWorld {
  sandbox: Sandbox;
  api: SendGridApi;
  close(): Promise<void>;
}

export async function startSendGridWorld(options: SendGridApiOptions = {}): Promise<SendGridWorld> {
  const sandbox = await startSandbox();
  const api = await startSendGridApi(sandbox, options);
  return {
    sandbox,
    api,
    async close() {
      await api.close();
      await sandbox.close();
    },
  };
}

/**
 * Puts a correctly configured CDN in front of `hostname` in the sandbox and moves its CNAME there
 * (the cutover): certificate, route forwarding to sendgrid.net with the viewer's Host, and the
 * edge name `<hostname>.cdn.cloudflare.net` A 127.0.0.1.
 */
export async function cutOverToCdn(sandbox: Sandbox, hostname: string): Promise<string> {
  const edgeName = `${hostname}.cdn.cloudflare.net`;
  await sandbox.edge.setCertificate(hostname);
  sandbox.edge.setRoute({ hostname, provider: 'cloudflare', originHost: 'sendgrid.net', originProtocol: 'https', hostHeader: 'viewer' });
  sandbox.dns.zone.setRecord({ name: edgeName, type: 'A', value: EDGE_ADDRESS });
  sandbox.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: edgeName });
  return edgeName;
}

/** Clicks `url` (an https tracked link) through the sandbox edge; returns status and Location. */
export function clickThroughEdge(sandbox: Sandbox, url: string): Promise<{ status: number; location: string | undefined }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpsRequest({
      host: EDGE_ADDRESS,
      port: sandbox.ports.https,
      servername: target.hostname,
      path: `${target.pathname}${target.search}`,
      headers: { host: target.hostname, connection: 'close' },
      ca: sandbox.ca.certificate,
      agent: false,
      timeout: 5_000,
    });
    request.on('timeout', () => request.destroy(new Error('click timed out')));
    request.on('error', reject);
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location }));
    });
    request.end();
  });
}
