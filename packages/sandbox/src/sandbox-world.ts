import { AWS_TEST_CREDENTIALS, startAwsApi } from './aws-api/index.js';
import { allCloudflarePermissions, startCloudflareApi, type CloudflareApi } from './cloudflare-api/index.js';
import { startFastlyApi } from './fastly-api/index.js';
import { startSandbox, type Sandbox } from './sandbox.js';
import { startSendGridApi } from './sendgrid-api/index.js';
import type { SharedPorts } from './shared-ports.js';

/** The CDNs a sandbox world can stand in for. */
export type SandboxCdn = 'cloudflare' | 'fastly' | 'cloudfront';

/** Every CDN {@link startSandboxWorld} accepts, in the order the examples present them. */
export const SANDBOX_CDNS: readonly SandboxCdn[] = ['cloudflare', 'fastly', 'cloudfront'];

/**
 * The fixed credentials a sandbox world hands out: recognisable canaries, so a test can prove
 * that none of them ever reaches an output. (The Fastly fake's tokens are random, each starting
 * `sandbox-fastly-`.)
 */
export const SANDBOX_WORLD_CREDENTIALS = {
  sendgridApiKey: 'SG.sandbox-canary-sendgrid.9f2c4e6a8b0d1f3e5a7c',
  cloudflareToken: 'sandbox-canary-cloudflare-token-5e7a9c1b3d',
} as const;

/**
 * How the verifier reaches this world: its DNS server, its root certificate, its ports. Pass it
 * on as the `verification` option of `setup()`, `getStatus()`, `verifyHostname()` and the SendGrid
 * settings (the adapter settings already hold it). It fits core's `VerificationSettings`.
 */
export interface SandboxVerification {
  readonly resolver: string;
  readonly ca: string;
  readonly ports: SharedPorts;
}

/** How long adapters wait between polls in the sandbox, where nothing takes minutes. */
export interface SandboxWaitBounds {
  readonly minDelay: number;
  readonly maxDelay: number;
}

/** Settings for `createCloudflareProxy` from `@sslclick/cloudflare`. */
export interface SandboxCloudflareSettings {
  readonly apiToken: string;
  readonly baseURL: string;
  readonly verification: SandboxVerification;
  readonly wait: SandboxWaitBounds;
}

/**
 * Settings for `createFastlyProxy` from `@sslclick/fastly`, except `dns`: build it with
 * `createCloudflareDns(world.dns)` from `@sslclick/cloudflare`, since
 * this package depends on no adapter.
 */
export interface SandboxFastlySettings {
  readonly apiToken: string;
  readonly baseURL: string;
  readonly verification: SandboxVerification;
  readonly wait: SandboxWaitBounds;
}

/** Settings for `createCloudFrontProxy` from `@sslclick/cloudfront` (Route 53 holds the zone). */
export interface SandboxCloudFrontSettings {
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly endpoints: { readonly cloudfront: string; readonly acm: string; readonly route53: string };
  readonly verification: SandboxVerification;
  readonly wait: SandboxWaitBounds;
}

/**
 * Settings for `createCloudflareProxy({ mode: 'saas', … })`: Cloudflare for SaaS with the world's
 * provider zone (pass `dns: createCloudflareDns(world.saas.dns)` for the branded host's DNS).
 */
export interface SandboxCloudflareSaasSettings extends SandboxCloudflareSettings {
  readonly mode: 'saas';
  /** The provider zone (Cloudflare for SaaS), `saas-provider.example`. */
  readonly zoneId: string;
}

/** What a Cloudflare for SaaS world adds: the saas adapter's settings and where the host's DNS lives. */
export interface SandboxCloudflareSaasWorld {
  /** `createCloudflareProxy({ ...world.saas.adapter, dns: createCloudflareDns(world.saas.dns) })`. */
  readonly adapter: SandboxCloudflareSaasSettings;
  /** The branded host's own DNS: a Cloudflare zone of its domain (written DNS-only through `createCloudflareDns`). */
  readonly dns: SandboxCloudflareDnsSettings;
}

/** The adapter settings for each CDN. */
export interface SandboxAdapterSettings {
  cloudflare: SandboxCloudflareSettings;
  fastly: SandboxFastlySettings;
  cloudfront: SandboxCloudFrontSettings;
}

/** Settings for a Cloudflare DNS provider (`createCloudflareDns`) on the fake zone. */
export interface SandboxCloudflareDnsSettings {
  readonly apiToken: string;
  readonly baseURL: string;
}

/** Settings for `createSendGridLinks` from `@sslclick/sendgrid`, on the fake SendGrid API. */
export interface SandboxSendGridSettings {
  readonly apiKey: string;
  readonly baseURL: string;
  readonly verification: SandboxVerification;
}

/** Options for {@link startSandboxWorld}. */
export interface SandboxWorldOptions<Cdn extends SandboxCdn = SandboxCdn> {
  /** The CDN whose fake control plane to start. */
  readonly cdn: Cdn;
  /**
   * The branded link host SendGrid knows (its first label is the link branding's subdomain, the
   * rest its domain and the DNS zone).
   * @default 'url1234.example.com'
   */
  readonly hostname?: string;
  /**
   * The CDN's shared-tenancy mode instead of its per-host one: for Cloudflare, `'saas'` (Cloudflare
   * for SaaS) adds a provider zone and `world.saas`; the branded host keeps its own zone for DNS.
   * @default the per-host mode
   */
  readonly mode?: 'saas';
}

/**
 * A first-day world for one CDN on loopback: a SendGrid account with one valid link branding
 * whose CNAME points at `sendgrid.net`, the CDN's fake API, DNS, a certificate authority, the CDN
 * edge and the SendGrid origin. Everything a setup script needs is a plain value to pass on.
 */
export interface SandboxWorld<Cdn extends SandboxCdn = SandboxCdn> {
  readonly cdn: Cdn;
  /** The branded link host to set up. */
  readonly hostname: string;
  /** For `cdn: 'cloudflare', mode: 'saas'`: the saas adapter's settings and the host's DNS; undefined otherwise. */
  readonly saas?: SandboxCloudflareSaasWorld;
  /** The adapter factory's settings for `cdn` (credentials, endpoints, verification, waits). */
  readonly adapter: SandboxAdapterSettings[Cdn];
  /** Where the branded host's DNS lives for Fastly (a Cloudflare zone); undefined for the others, which manage it. */
  readonly dns: Cdn extends 'fastly' ? SandboxCloudflareDnsSettings : undefined;
  /** `createSendGridLinks(world.sendgrid)` gives the `sendgrid` option of `setup()`. */
  readonly sendgrid: SandboxSendGridSettings;
  /** The `verification` option of `setup()`, `getStatus()` and `verifyHostname()`. */
  readonly verification: SandboxVerification;
  /** A tracked link from a "sent message", already on https://: the `sampleLink` option of `setup()`. */
  readonly sampleLink: string;
  /** Where the link redirects once the proxy works. */
  readonly sampleLinkTarget: string;
  /** The data plane underneath, for tests that look closer. */
  readonly sandbox: Sandbox;
  /** Stops every server. Idempotent. */
  close(): Promise<void>;
}

const defaultHostname = 'url1234.example.com';
const sampleLinkTarget = 'https://shop.example.com/welcome?utm_source=newsletter';
const sandboxWait: SandboxWaitBounds = { minDelay: 250, maxDelay: 1_000 };

function splitHostname(hostname: string): { subdomain: string; domain: string } {
  const normalized = hostname.trim().toLowerCase().replace(/\.$/, '');
  const [subdomain, ...rest] = normalized.split('.');
  if (!subdomain || rest.length < 2 || !/^[a-z0-9.-]+$/.test(normalized)) {
    throw new TypeError(`startSandboxWorld: hostname must be a branded link host below a domain, such as url1234.example.com, not "${hostname}".`);
  }
  return { subdomain, domain: rest.join('.') };
}

/** The Cloudflare fake holding the customer's zone as link branding left it: a DNS-only CNAME to sendgrid.net. */
async function startCloudflareZone(sandbox: Sandbox, domain: string, hostname: string): Promise<{ api: CloudflareApi; token: string }> {
  const api = await startCloudflareApi(sandbox);
  const zone = api.addZone({ name: domain });
  const token = api.registerToken(allCloudflarePermissions, SANDBOX_WORLD_CREDENTIALS.cloudflareToken);
  await api.addDnsRecord(zone.id, { name: hostname, type: 'CNAME', content: 'sendgrid.net', proxied: false });
  return { api, token };
}

/**
 * Starts a first-day world for `cdn` in one call and returns the settings to pass on:
 *
 * ```ts
 * const world = await startSandboxWorld({ cdn: 'cloudflare' });
 * const status = await setup(createCloudflareProxy(world.adapter), { hostname: world.hostname }, {
 *   sendgrid: createSendGridLinks(world.sendgrid), verification: world.verification, sampleLink: world.sampleLink,
 * });
 * await world.close();
 * ```
 *
 * Cloudflare and Fastly find the CNAME in a Cloudflare zone, CloudFront in a Route 53 hosted zone.
 */
export async function startSandboxWorld<Cdn extends SandboxCdn>(options: SandboxWorldOptions<Cdn>): Promise<SandboxWorld<Cdn>> {
  const cdn = options.cdn;
  if (!SANDBOX_CDNS.includes(cdn)) throw new TypeError(`startSandboxWorld: cdn must be one of ${SANDBOX_CDNS.join(', ')}, not "${String(cdn)}".`);
  if (options.mode !== undefined && !(options.mode === 'saas' && cdn === 'cloudflare')) {
    throw new TypeError(`startSandboxWorld: mode "${String(options.mode)}" is not a mode of ${cdn}; Cloudflare has "saas".`);
  }
  const hostname = (options.hostname ?? defaultHostname).trim().toLowerCase().replace(/\.$/, '');
  const { subdomain, domain } = splitHostname(hostname);
  const closers: Array<() => Promise<void>> = [];
  const sandbox = await startSandbox();
  closers.push(() => sandbox.close());
  try {
    const sendgridApi = await startSendGridApi(sandbox);
    closers.unshift(() => sendgridApi.close());
    const apiKey = SANDBOX_WORLD_CREDENTIALS.sendgridApiKey;
    sendgridApi.addApiKey(apiKey, { scopes: ['whitelabel.read', 'whitelabel.update', 'subusers.read'], username: 'acme' });
    // CloudFront finds the branding's CNAME in plain DNS (and the Route 53 zone); the others in a Cloudflare zone.
    sendgridApi.addLinkBranding({ domain, subdomain, username: 'acme', publishDns: cdn === 'cloudfront' });
    const link = sandbox.origin.createLink(hostname, sampleLinkTarget, { protocol: 'https' });
    const verification: SandboxVerification = sandbox.verification;

    let adapter: SandboxAdapterSettings[SandboxCdn];
    let dns: SandboxCloudflareDnsSettings | undefined;
    let saas: SandboxCloudflareSaasWorld | undefined;
    if (cdn === 'cloudfront') {
      const aws = await startAwsApi(sandbox);
      closers.unshift(() => aws.close());
      aws.addHostedZone(domain);
      adapter = { credentials: { ...AWS_TEST_CREDENTIALS }, endpoints: { ...aws.endpoints }, verification, wait: sandboxWait };
    } else {
      const cloudflare = await startCloudflareZone(sandbox, domain, hostname);
      closers.unshift(() => cloudflare.api.close());
      if (cdn === 'fastly') {
        const fastly = await startFastlyApi(sandbox);
        closers.unshift(() => fastly.close());
        dns = { apiToken: cloudflare.token, baseURL: cloudflare.api.url };
        adapter = { apiToken: fastly.tokens.admin, baseURL: fastly.url, verification, wait: sandboxWait };
      } else {
        adapter = { apiToken: cloudflare.token, baseURL: cloudflare.api.url, verification, wait: sandboxWait };
        if (options.mode === 'saas') {
          const provider = cloudflare.api.addZone({ name: 'saas-provider.example' });
          saas = { adapter: { ...adapter, mode: 'saas', zoneId: provider.id }, dns: { apiToken: cloudflare.token, baseURL: cloudflare.api.url } };
        }
      }
    }
    let closing: Promise<void> | undefined;
    return {
      cdn,
      hostname,
      adapter: adapter as SandboxAdapterSettings[Cdn],
      dns: dns as SandboxWorld<Cdn>['dns'],
      ...(saas ? { saas } : {}),
      sendgrid: { apiKey, baseURL: sendgridApi.url, verification },
      verification,
      sampleLink: link.clickUrl,
      sampleLinkTarget,
      sandbox,
      close() {
        closing ??= closeAll(closers);
        return closing;
      },
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

async function closeAll(closers: ReadonlyArray<() => Promise<void>>): Promise<void> {
  for (const close of closers) await close();
}
