// Consumer type-check: a setup script and a small adapter written against the installed packages,
// compiled by scripts/consumer-test.sh with moduleResolution nodenext and bundler, strict and
// exactOptionalPropertyTypes. Nothing here runs; it proves the published types serve a user.
import {
  SslClickError,
  destroy,
  getStatus,
  normalizeHostname,
  setup,
  verifyHostname,
  type DnsProvider,
  type ProgressEvent,
  type ProxyAdapter,
  type ProxyRequest,
  type ProxyStatus,
  type SetupStatus,
  type SslClickErrorCode,
  type VerificationSettings,
} from '@sslclick/core';
import { buildStatus, withRetry, type CommonProxySettings } from '@sslclick/core/adapter';
import { createCloudflareDns, createCloudflareProxy } from '@sslclick/cloudflare';
import { createCloudFrontProxy, createRoute53Dns } from '@sslclick/cloudfront';
import { createFastlyProxy } from '@sslclick/fastly';
import { createSendGridLinks } from '@sslclick/sendgrid';
import { startSandbox } from '@sslclick/sandbox';

export async function setUpEveryWay(hostname: string, verification: VerificationSettings): Promise<SetupStatus[]> {
  const sendgrid = createSendGridLinks({ apiKey: process.env.SENDGRID_API_KEY });
  const onProgress = (event: ProgressEvent): void => console.error(event.message);
  const dns: DnsProvider = process.env.AWS_REGION ? createRoute53Dns({ hostedZoneId: 'Z0123456789ABCDEFGHIJ' }) : createCloudflareDns();
  const adapters: ProxyAdapter[] = [
    createCloudflareProxy({ apiToken: process.env.CLOUDFLARE_API_TOKEN, verification }),
    createFastlyProxy({ apiToken: process.env.FASTLY_API_TOKEN, dns, verification }),
    createCloudFrontProxy({ verification }),
  ];
  const results: SetupStatus[] = [];
  for (const adapter of adapters) {
    const status = await setup(adapter, { hostname: normalizeHostname(hostname) }, { sendgrid, onProgress, verification });
    if (!status.ready) console.log(status.nextSteps.join('\n'));
    results.push(status, await getStatus(adapter, { hostname }, { sendgrid }), await destroy(adapter, { hostname }));
  }
  return results;
}

export function codeOf(error: unknown): SslClickErrorCode | undefined {
  return SslClickError.isInstance(error) ? error.code : undefined;
}

export async function checkInTheSandbox(hostname: string): Promise<boolean> {
  const sandbox = await startSandbox();
  try {
    const result = await verifyHostname(hostname, sandbox.verification);
    return result.checks.every((check) => check.ok !== false);
  } finally {
    await sandbox.close();
  }
}

/** An adapter written with the adapter-author entry only. */
export function createNoopProxy(settings: CommonProxySettings = {}): ProxyAdapter {
  const read = async (request: ProxyRequest): Promise<ProxyStatus> =>
    withRetry(async () =>
      buildStatus({
        provider: 'noop',
        hostname: request.hostname,
        origin: request.origin ?? 'sendgrid.net',
        edge: { state: 'absent' },
        certificate: { state: 'absent' },
        dns: { managed: false, required: [] },
        resources: [],
      }), { ...settings.retry, operation: 'status' });
  return {
    specificationVersion: 'v1',
    provider: 'noop',
    capabilities: { managesDns: false, managedCertificate: false },
    plan: async () => ({ provider: 'noop', hostname: '', changes: [], warnings: [] }),
    apply: read,
    status: read,
    destroy: read,
  } satisfies ProxyAdapter;
}
