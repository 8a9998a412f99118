/**
 * The world the reliability tests run in: the sandbox, the fake Fastly API and a fake Cloudflare
 * API holding the branded host's zone (so apply can write DNS and reach ready in one run). Also
 * used by the child process of the kill test.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createCloudflareDns } from '@sslclick/cloudflare';
import { lookupName } from '@sslclick/core';
import {
  startCloudflareApi,
  startFastlyApi,
  startSandbox,
  type CloudflareApi,
  type CloudflareZone,
  type FastlyApi,
  type FastlyApiTokens,
  type Sandbox,
} from '@sslclick/sandbox';
import { createFastlyProxy, type FastlyProxySettings } from '../src/index.js';

/** One isolated world: its own data plane and fakes, so request indexes are its own. */
export interface ReliabilityWorld {
  sandbox: Sandbox;
  fastly: FastlyApi;
  cloudflare: CloudflareApi;
  zone: CloudflareZone;
  /** The Cloudflare token the DNS provider uses. */
  cloudflareToken: string;
  close(): Promise<void>;
}

let zones = 0;

/** Starts a world; `fastlyTokens` / `cloudflareToken` let the leak test use canary credentials. */
export async function startReliabilityWorld(options: { fastlyTokens?: Partial<FastlyApiTokens>; cloudflareToken?: string } = {}): Promise<ReliabilityWorld> {
  const sandbox = await startSandbox();
  // Issued as soon as the validation record is seen: the request sequence of a run is then the
  // same every time, so "request k" means the same call in every case.
  const fastly = await startFastlyApi(sandbox, { issuanceDelayMs: 0, ...(options.fastlyTokens ? { tokens: options.fastlyTokens } : {}) });
  const cloudflare = await startCloudflareApi(sandbox);
  zones += 1;
  const zone = cloudflare.addZone({ name: `brand${zones}${randomBytes(2).toString('hex')}.example.com` });
  const cloudflareToken = options.cloudflareToken ? cloudflare.registerToken(['Zone Read', 'DNS Read', 'DNS Edit'], options.cloudflareToken) : cloudflare.tokens.full;
  return {
    sandbox,
    fastly,
    cloudflare,
    zone,
    cloudflareToken,
    close: async () => {
      await cloudflare.close();
      await fastly.close();
      await sandbox.close();
    },
  };
}

let hosts = 0;

/** A fresh branded host: CNAME to sendgrid.net in the zone, known to the fake SendGrid. */
export async function seedHost(world: ReliabilityWorld, options: { cname?: string | null } = {}): Promise<string> {
  hosts += 1;
  const hostname = `url${hosts}${randomBytes(3).toString('hex')}.${world.zone.name}`;
  world.sandbox.origin.addBrandedHost(hostname);
  const cname = options.cname === undefined ? 'sendgrid.net' : options.cname;
  if (cname !== null) await world.cloudflare.addDnsRecord(world.zone.id, { name: hostname, type: 'CNAME', content: cname });
  return hostname;
}

/** Short waits and retries, for tests. */
export const fastTimings = {
  wait: { minDelay: 10, maxDelay: 30, maxWaitTime: 5_000 },
  retry: { minDelay: 5, maxDelay: 20, maxAttempts: 4, maxRetryTime: 10_000 },
} as const;

/** The adapter against the world, DNS through Cloudflare. */
export function reliabilityProxy(world: ReliabilityWorld, settings: FastlyProxySettings = {}): ReturnType<typeof createFastlyProxy> {
  return createFastlyProxy({
    apiToken: world.fastly.tokens.admin,
    baseURL: world.fastly.url,
    mode: 'vcl',
    dns: createCloudflareDns({ apiToken: world.cloudflareToken, baseURL: world.cloudflare.url, retry: { minDelay: 5, maxDelay: 20, maxAttempts: 4 } }),
    verification: { resolver: world.sandbox.dns.address, ca: world.sandbox.ca.certificate, ports: world.sandbox.ports, timeoutMs: 2_000 },
    // Room for a busy machine (test files side by side on two cores): at 400 ms a plain answer could
    // time out in a clean run, whose retry then shifted the request indexes the sweeps rely on.
    timeoutMs: 1_000,
    ...fastTimings,
    ...settings,
  });
}

/**
 * What the vendors hold for a hostname, normalised so two runs on different hosts compare equal:
 * every sslclick-relevant field of the service and its versions, the TLS subscriptions covering
 * the host, its DNS records and what the edge serves. Ids, timestamps, the hostname and the
 * random challenge value are replaced by placeholders.
 */
export function snapshotHost(world: ReliabilityWorld, hostname: string): unknown {
  const services = world.fastly.state.services.filter(
    (service) => service.name.includes(hostname) || service.versions.some((version) => version.domains.some((domain) => domain.name === hostname)),
  );
  const subscriptions = world.fastly.state.subscriptions.filter((subscription) => subscription.domains.includes(hostname));
  const shape = {
    services: services.map((service) => ({
      name: service.name,
      type: service.type,
      comment: service.comment,
      versions: service.versions.map((version) => ({
        number: version.number,
        active: version.active,
        locked: version.locked,
        comment: version.comment,
        domains: version.domains.map((domain) => ({ name: domain.name, comment: domain.comment })),
        backends: version.backends.map(({ created_at: _created, updated_at: _updated, ...backend }) => backend),
        snippets: version.snippets.map(({ id: _id, created_at: _created, updated_at: _updated, ...snippet }) => snippet),
        package: version.package?.metadata ?? null,
      })),
    })),
    subscriptions: subscriptions.map((subscription) => ({
      certificate_authority: subscription.certificate_authority,
      domains: subscription.domains,
      common_name: subscription.common_name,
      state: subscription.state,
    })),
    records: [hostname, `_acme-challenge.${hostname}`].flatMap((name) =>
      world.cloudflare.recordsAt(world.zone.id, name).map((record) => ({ name: record.name, type: record.type, content: record.content, proxied: record.proxied, comment: record.comment })),
    ),
    edge: { route: world.sandbox.edge.getRoute(hostname) ?? null, certificate: world.sandbox.edge.getCertificate(hostname) !== undefined },
  };
  let text = JSON.stringify(shape).replaceAll(hostname, 'HOST');
  for (const subscription of subscriptions) text = text.replaceAll(subscription.challenge_value, 'CHALLENGE');
  return JSON.parse(text) as unknown;
}

/** How many resources of each kind exist for a hostname (a duplicate shows as a count above 1). */
export function resourceCounts(world: ReliabilityWorld, hostname: string): { services: number; subscriptions: number; hostRecords: number; challengeRecords: number; versions: number } {
  const services = world.fastly.state.services.filter((service) => service.name === `sslclick ${hostname}`);
  return {
    services: services.length,
    subscriptions: world.fastly.state.subscriptions.filter((subscription) => subscription.domains.includes(hostname)).length,
    hostRecords: world.cloudflare.recordsAt(world.zone.id, hostname).length,
    challengeRecords: world.cloudflare.recordsAt(world.zone.id, `_acme-challenge.${hostname}`).length,
    versions: services.reduce((sum, service) => sum + service.versions.length, 0),
  };
}

/** What a click on a tracked link got: the status and Location of the last answer, and the way it went. */
export interface ClickResult {
  status: number | undefined;
  location: string | undefined;
  via: string;
  error?: string;
}

function get(url: URL, address: string, world: ReliabilityWorld): Promise<{ status: number; location: string | undefined }> {
  const https = url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      {
        host: address,
        port: https ? world.sandbox.ports.https : world.sandbox.ports.http,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { host: url.hostname, 'user-agent': 'Mail client' },
        ...(https ? { servername: url.hostname, ca: world.sandbox.ca.certificate } : {}),
        timeout: 3_000,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * Clicks a tracked link as a mail reader would: resolves the host through sandbox DNS, requests
 * the link at whatever address it resolves to (following one redirect to HTTPS on the same host,
 * as a Compute edge sends), trusting the sandbox CA.
 */
export async function clickLink(world: ReliabilityWorld, hostname: string, destination: string): Promise<ClickResult> {
  const link = world.sandbox.origin.createLink(hostname, destination);
  let url = new URL(link.clickUrl);
  const seen = await lookupName(hostname, { servers: [world.sandbox.dns.address], timeoutMs: 2_000 });
  const address = seen.addresses[0];
  const via = [...seen.cnameChain, ...seen.addresses].join(' → ');
  if (!address) return { status: undefined, location: undefined, via, error: seen.error ?? 'no address' };
  try {
    let answer = await get(url, address, world);
    if (answer.location && [301, 302, 307, 308].includes(answer.status)) {
      const next = new URL(answer.location, url);
      if (next.hostname === hostname && next.protocol === 'https:' && url.protocol === 'http:') {
        url = next;
        answer = await get(url, address, world);
      }
    }
    return { ...answer, via };
  } catch (error) {
    return { status: undefined, location: undefined, via, error: error instanceof Error ? error.message : String(error) };
  }
}
