/**
 * The sandbox world the Fastly tests run in: the data plane plus the fake Fastly API, and the
 * helpers that seed a branded host and publish records as a user would.
 */
import { randomBytes } from 'node:crypto';
import type { ProxyStatus } from '@sslclick/core';
import { startFastlyApi, startSandbox, type FastlyApi, type FastlyApiOptions, type Sandbox } from '@sslclick/sandbox';
import { createFastlyProxy, type FastlyProxySettings } from '../src/index.js';
import { buildEdgePackage } from '../scripts/build-edge-package.js';

/** The sandbox with the fake Fastly API beside it. */
export type FastlyWorld = Sandbox & { fastly: FastlyApi };

/** Starts the sandbox and the fake Fastly API; `close` stops both. */
export async function startFastlyWorld(options: FastlyApiOptions = {}): Promise<FastlyWorld> {
  const sandbox = await startSandbox();
  const fastly = await startFastlyApi(sandbox, { issuanceDelayMs: 200, ...options });
  return Object.assign(Object.create(null) as object, sandbox, {
    fastly,
    close: async () => {
      await fastly.close();
      await sandbox.close();
    },
  }) as FastlyWorld;
}

let counter = 0;

/** A fresh branded host in its starting state: CNAME to sendgrid.net, known to the fake SendGrid. */
export async function prepareHostname(world: FastlyWorld): Promise<string> {
  counter += 1;
  const hostname = `url${counter}${randomBytes(3).toString('hex')}.brand${counter}.example.com`;
  world.origin.addBrandedHost(hostname);
  world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net' });
  return hostname;
}

/** Publishes every record in `status.dns.required` in sandbox DNS, as a user would. */
export async function publishRecords(world: FastlyWorld, status: ProxyStatus): Promise<void> {
  for (const record of status.dns.required) {
    if (record.type === 'CNAME' || record.type === 'A' || record.type === 'TXT') world.dns.zone.setRecord({ name: record.name, type: record.type, value: record.value });
  }
}

/**
 * Points the hostname back at SendGrid in sandbox DNS, as a user must before `destroy` when no
 * DNS provider is given (destroy refuses with UNSAFE while the host still points at Fastly).
 */
export function restoreSendGrid(world: FastlyWorld, hostname: string): void {
  world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net' });
}

/** The Compute package, built once (and cached between runs). */
export const edgePackagePath = async (): Promise<string> => (await buildEdgePackage()).packagePath;

/** The adapter pointed at the world's fake API, with short waits for tests. */
export async function createTestProxy(world: FastlyWorld, settings: FastlyProxySettings = {}): Promise<ReturnType<typeof createFastlyProxy>> {
  return createFastlyProxy({
    apiToken: world.fastly.tokens.admin,
    baseURL: world.fastly.url,
    verification: { resolver: world.dns.address, ca: world.ca.certificate, ports: world.ports, timeoutMs: 3_000 },
    wait: { minDelay: 25, maxDelay: 100, maxWaitTime: 20_000 },
    retry: { minDelay: 10, maxDelay: 50, maxRetryTime: 10_000 },
    ...((settings.mode ?? 'compute') === 'compute' ? { computePackage: await edgePackagePath() } : {}),
    ...settings,
  });
}
