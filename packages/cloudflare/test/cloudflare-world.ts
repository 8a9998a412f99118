/**
 * The sandbox world the Cloudflare tests run in: the data plane plus the fake Cloudflare API,
 * and helpers that seed a branded host the way SendGrid's link branding leaves it.
 */
import { startCloudflareApi, startSandbox, type CloudflareApi, type CloudflareApiOptions, type CloudflareZone, type Sandbox } from '@sslclick/sandbox';
import { createCloudflareProxy, type CloudflareProxySettings } from '../src/index.js';

/** The sandbox, its fake Cloudflare API, and the verifier settings that reach them. */
export interface CloudflareWorld extends Sandbox {
  readonly sandbox: Sandbox;
  readonly cloudflare: CloudflareApi;
  /** The sandbox's verifier settings, with a short time-out per probe. */
  readonly verification: Sandbox['verification'] & { readonly timeoutMs: number };
  /** The shared zone most tests use. */
  readonly zone: CloudflareZone;
}

/** Starts the sandbox and the fake Cloudflare API with an active `example.com` zone. */
export async function startCloudflareWorld(options: CloudflareApiOptions = {}): Promise<CloudflareWorld> {
  const sandbox = await startSandbox();
  const cloudflare = await startCloudflareApi(sandbox, { certificateIssueDelayMs: 600, ...options });
  const zone = cloudflare.addZone({ name: 'example.com' });
  return {
    ...sandbox,
    sandbox,
    cloudflare,
    zone,
    verification: { ...sandbox.verification, timeoutMs: 3_000 },
    async close() {
      await cloudflare.close();
      await sandbox.close();
    },
  };
}

let counter = 1000;

/** A fresh label, so every case has its own branded host. */
export function nextLabel(): string {
  counter += 1;
  return `url${counter}`;
}

/**
 * Seeds a branded host as link branding leaves it: a DNS-only CNAME to sendgrid.net in the zone,
 * known to the fake SendGrid origin. Returns the hostname.
 */
export async function seedBrandedHost(world: CloudflareWorld, options: { zone?: CloudflareZone; name?: string; content?: string; type?: string; proxied?: boolean; comment?: string } = {}): Promise<string> {
  const zone = options.zone ?? world.zone;
  const hostname = options.name ?? `${nextLabel()}.${zone.name}`;
  world.origin.addBrandedHost(hostname);
  await world.cloudflare.addDnsRecord(zone.id, {
    name: hostname,
    type: options.type ?? 'CNAME',
    content: options.content ?? 'sendgrid.net',
    proxied: options.proxied ?? false,
    ...(options.comment === undefined ? {} : { comment: options.comment }),
  });
  return hostname;
}

/** The adapter pointed at the world's fake API, with short waits and retries. */
export function createTestProxy(world: CloudflareWorld, settings: Partial<CloudflareProxySettings> = {}) {
  return createCloudflareProxy({
    apiToken: world.cloudflare.tokens.full,
    baseURL: world.cloudflare.url,
    verification: world.verification,
    wait: { minDelay: 30, maxDelay: 150, maxWaitTime: 20_000 },
    retry: { minDelay: 10, maxDelay: 50 },
    cutoverCheckTimeoutMs: 2_000,
    ...settings,
  });
}

/** The number of write requests the fake Cloudflare API received. */
export function cloudflareWrites(world: CloudflareWorld): number {
  return world.cloudflare.server.writes();
}
