import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SslClickError, type DnsProvider, type LinkBrandingSource, type ProxyAdapter, type VerificationSettings } from '@sslclick/core';
import { invalidInput } from '@sslclick/core/adapter';
import type { CloudflareProxySettings, CloudflareSaasProxySettings } from '@sslclick/cloudflare';
import type { CloudFrontProxySettings } from '@sslclick/cloudfront';
import type { FastlyProxySettings } from '@sslclick/fastly';
import type { SandboxAdapterSettings, SandboxCloudflareDnsSettings, SandboxCloudflareSaasSettings, SandboxWorld } from '@sslclick/sandbox';
import { createSendGridLinks } from '@sslclick/sendgrid';

// Each command loads only the adapter it drives, and the sandbox only with --sandbox: the AWS SDK
// alone takes seconds to load, which a Cloudflare run should not pay.
const loadCloudflare = (): Promise<typeof import('@sslclick/cloudflare')> => import('@sslclick/cloudflare');
const loadFastly = (): Promise<typeof import('@sslclick/fastly')> => import('@sslclick/fastly');
const loadCloudFront = (): Promise<typeof import('@sslclick/cloudfront')> => import('@sslclick/cloudfront');
/** Loads `@sslclick/sandbox` (only with `--sandbox`). */
export const loadSandbox = (): Promise<typeof import('@sslclick/sandbox')> => import('@sslclick/sandbox');

/** The CDNs the command line can drive. */
export type CdnName = 'cloudflare' | 'fastly' | 'cloudfront';

/** Every CDN `--cdn` accepts. */
export const cdnNames: readonly CdnName[] = ['cloudflare', 'fastly', 'cloudfront'];

/** The settings each CDN's adapter factory takes. */
export interface CdnFactorySettings {
  /** `createCloudflareProxy`'s, in its per-host or its Cloudflare for SaaS mode. */
  cloudflare: CloudflareProxySettings | CloudflareSaasProxySettings;
  /** `createFastlyProxy`'s. */
  fastly: FastlyProxySettings;
  /** `createCloudFrontProxy`'s. */
  cloudfront: CloudFrontProxySettings;
}

/**
 * The modes `--mode` accepts per CDN, each with the settings it hands the CDN's factory; the first
 * of each CDN is its default. Adding a mode is one line here (its factory settings, e.g.
 * `saas: { mode: 'saas' }`): parsing, `--help` and the usage error all read this table.
 */
export const cdnModes = {
  cloudflare: { 'per-host': {}, saas: { mode: 'saas' } },
  fastly: { compute: { mode: 'compute' }, vcl: { mode: 'vcl' }, shared: { mode: 'compute', shared: true }, 'shared-vcl': { mode: 'vcl', shared: true } },
  cloudfront: { 'per-host': {}, tenants: { mode: 'tenants' } },
} as const satisfies { readonly [Cdn in CdnName]: Readonly<Record<string, Partial<CdnFactorySettings[Cdn]>>> };

/** The mode names of a CDN, its default first. */
export function modeNames(cdn: CdnName): string[] {
  return Object.keys(cdnModes[cdn]);
}

/** `--mode` for `--cdn`: the mode's name, or `INVALID_INPUT` naming the valid ones. */
export function parseMode(cdn: CdnName, value: string): string {
  const names = modeNames(cdn);
  if (names.includes(value)) return value;
  throw invalidInput(`--mode ${value} is not a mode of --cdn ${cdn}: choose ${names.join(' or ')}.`, { operation: 'cli' });
}

/** The factory settings of the mode (the CDN's default mode when undefined). */
function modeSettings<Cdn extends CdnName>(cdn: Cdn, mode: string | undefined): Partial<CdnFactorySettings[Cdn]> {
  const modes = cdnModes[cdn] as unknown as Readonly<Record<string, Partial<CdnFactorySettings[Cdn]>>>;
  return modes[mode === undefined ? (modeNames(cdn)[0] as string) : parseMode(cdn, mode)] ?? {};
}

/** Where the branded host's DNS record is written (`--dns`). */
export type DnsChoice = 'cloudflare' | 'route53' | 'manual';

/** Every value `--dns` accepts. */
export const dnsChoices: readonly DnsChoice[] = ['cloudflare', 'route53', 'manual'];

/** What a command works on: an adapter and, when known, SendGrid and the verifier's settings. */
export interface Target {
  /** Said first on stderr, so nobody mistakes a sandbox run for a live one. */
  banner: string;
  mode: 'live' | 'sandbox';
  adapter: ProxyAdapter;
  sendgrid?: LinkBrandingSource;
  verification?: VerificationSettings;
  /** A tracked link to prove a real click redirects (`--sample-link`, or the sandbox's). */
  sampleLink?: string;
  /** Where DNS records are left to the user, so setup may wait for them. */
  dnsLeftToUser: boolean;
  close(): Promise<void>;
}

/** What the options of `setup`, `status` and `destroy` say about the target. */
export interface TargetOptions {
  cdn: CdnName;
  hostname: string;
  /**
   * One of the CDN's {@link cdnModes}.
   * @default the CDN's first mode (Fastly in the sandbox: `compute` when its package is built, else `vcl`)
   */
  mode?: string;
  dns?: DnsChoice;
  sandbox?: boolean;
  sampleLink?: string;
  verificationFile?: string;
}

/** `--cdn`: one of the three, or `INVALID_INPUT` listing them. */
export function parseCdn(value: string): CdnName {
  if ((cdnNames as readonly string[]).includes(value)) return value as CdnName;
  throw invalidInput(`--cdn must be one of ${cdnNames.join(', ')}, not "${value}".`, { operation: 'cli' });
}

/** `--dns`: one of the choices, or `INVALID_INPUT` listing them. */
export function parseDns(value: string): DnsChoice {
  if ((dnsChoices as readonly string[]).includes(value)) return value as DnsChoice;
  throw invalidInput(`--dns must be one of ${dnsChoices.join(', ')}, not "${value}".`, { operation: 'cli' });
}

/**
 * Reads `--verification <file>`: JSON with the verifier's `resolver`, `ca` (PEM) and `ports`,
 * for hosts only a private resolver knows (a sandbox world, a split-horizon DNS).
 */
export async function readVerificationFile(path: string | undefined): Promise<VerificationSettings | undefined> {
  if (path === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SslClickError({ code: 'INVALID_INPUT', operation: 'cli', cause: error, message: `--verification ${path} is not a readable JSON file: ${error instanceof Error ? error.message : String(error)}` });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidInput(`--verification ${path} must hold a JSON object such as {"resolver": "127.0.0.1:5353", "ca": "-----BEGIN CERTIFICATE-----…", "ports": {"https": 8443}}.`, { operation: 'cli' });
  }
  const { resolver, ca, ports, timeoutMs } = parsed as Record<string, unknown>;
  return {
    ...(typeof resolver === 'string' || Array.isArray(resolver) ? { resolver: resolver as string | string[] } : {}),
    ...(typeof ca === 'string' || Array.isArray(ca) ? { ca: ca as string | string[] } : {}),
    ...(typeof ports === 'object' && ports !== null ? { ports: ports as { https?: number; http?: number } } : {}),
    ...(typeof timeoutMs === 'number' ? { timeoutMs } : {}),
  };
}

/** SendGrid from the environment, as the examples read it: only when `SENDGRID_API_KEY` is set. */
export function sendGridFromEnvironment(subuser: string | undefined = process.env.SENDGRID_SUBUSER): LinkBrandingSource | undefined {
  if (!process.env.SENDGRID_API_KEY) return undefined;
  return createSendGridLinks(subuser ? { subuser } : {});
}

/** The default `--dns` of a CDN. */
export function defaultDns(cdn: CdnName): DnsChoice {
  if (cdn === 'cloudfront') return 'route53';
  if (cdn === 'fastly') return process.env.CLOUDFLARE_API_TOKEN ? 'cloudflare' : 'manual';
  return 'cloudflare';
}

function checkDnsChoice(cdn: CdnName, mode: string | undefined, dns: DnsChoice): void {
  // Cloudflare for SaaS serves hosts whose DNS is anywhere; the per-host mode writes the host's own zone.
  const cloudflare: readonly DnsChoice[] = mode === 'saas' ? ['cloudflare', 'route53', 'manual'] : ['cloudflare'];
  const allowed: Record<CdnName, readonly DnsChoice[]> = { cloudflare, fastly: ['cloudflare', 'manual'], cloudfront: ['route53', 'cloudflare', 'manual'] };
  if (!allowed[cdn].includes(dns)) {
    throw invalidInput(`--dns ${dns} does not go with --cdn ${cdn}${mode === undefined ? '' : ` --mode ${mode}`}: choose ${allowed[cdn].join(' or ')}.`, { operation: 'cli' });
  }
}

/** The provider zone of `--mode saas` on a real account: `CLOUDFLARE_SAAS_ZONE_ID`. */
function saasZoneFromEnvironment(): string {
  const zoneId = process.env.CLOUDFLARE_SAAS_ZONE_ID;
  if (!zoneId) throw invalidInput('--cdn cloudflare --mode saas needs the provider zone: set CLOUDFLARE_SAAS_ZONE_ID to the id of the Cloudflare zone whose custom hostnames serve the branded hosts.', { operation: 'cli', provider: 'cloudflare' });
  return zoneId;
}

/**
 * The adapter for a real account, credentials from the environment as the examples read them
 * (CLOUDFLARE_API_TOKEN, FASTLY_API_TOKEN, the AWS SDK's own chain), in the mode `--mode` names.
 */
export async function liveAdapter(options: Pick<TargetOptions, 'cdn' | 'mode'>, dns: DnsChoice, verification: VerificationSettings | undefined): Promise<ProxyAdapter> {
  const mode = options.mode === undefined ? undefined : parseMode(options.cdn, options.mode);
  checkDnsChoice(options.cdn, mode, dns);
  const common = verification ? { verification } : {};
  const cloudflareDnsProvider = async (): Promise<{ dns: DnsProvider }> => ({ dns: (await loadCloudflare()).createCloudflareDns() });
  if (options.cdn === 'cloudflare' && mode === 'saas') {
    const hostDns = dns === 'cloudflare' ? await cloudflareDnsProvider() : dns === 'route53' ? { dns: (await loadCloudFront()).createRoute53Dns() } : {};
    return (await loadCloudflare()).createCloudflareProxy({ ...common, mode: 'saas', zoneId: saasZoneFromEnvironment(), ...hostDns });
  }
  if (options.cdn === 'cloudflare') return (await loadCloudflare()).createCloudflareProxy({ ...common, ...(modeSettings('cloudflare', options.mode) as Partial<CloudflareProxySettings>) });
  if (options.cdn === 'fastly') return (await loadFastly()).createFastlyProxy({ ...common, ...modeSettings('fastly', options.mode), ...(dns === 'cloudflare' ? await cloudflareDnsProvider() : {}) });
  return (await loadCloudFront()).createCloudFrontProxy({ ...common, ...modeSettings('cloudfront', options.mode), ...(dns === 'cloudflare' ? await cloudflareDnsProvider() : dns === 'manual' ? { route53: false } : {}) });
}

/**
 * A target for a real account, credentials from the environment as the examples read them:
 * CLOUDFLARE_API_TOKEN, FASTLY_API_TOKEN, the AWS SDK's own chain (AWS_ACCESS_KEY_ID, AWS_PROFILE,
 * …) and, when set, SENDGRID_API_KEY with SENDGRID_SUBUSER.
 */
async function liveTarget(options: TargetOptions): Promise<Target> {
  const dns = options.dns ?? defaultDns(options.cdn);
  const verification = await readVerificationFile(options.verificationFile);
  const adapter = await liveAdapter(options, dns, verification);
  const sendgrid = sendGridFromEnvironment();
  return {
    mode: 'live',
    banner: `Running against your real ${options.cdn} account${sendgrid ? ' and SendGrid (SENDGRID_API_KEY is set)' : ''}.`,
    adapter,
    ...(sendgrid ? { sendgrid } : {}),
    ...(verification ? { verification } : {}),
    ...(options.sampleLink ? { sampleLink: options.sampleLink } : {}),
    dnsLeftToUser: dns === 'manual',
    async close() {},
  };
}

/** What a sandbox (a world or an account) hands an adapter of `cdn`: the factory's settings, and Fastly's DNS. */
export interface SandboxAdapterSource<Cdn extends CdnName = CdnName> {
  /** The CDN. */
  cdn: Cdn;
  /** The factory settings the sandbox gives (`world.adapter`, `account.adapter`). */
  adapter: SandboxAdapterSettings[Cdn];
  /** Where Fastly's hosts' DNS lives (Cloudflare zones); undefined for the others. */
  dns?: SandboxCloudflareDnsSettings | undefined;
}

/**
 * The adapter on a sandbox's settings, in the mode asked for. Fastly without `--mode` runs Compute
 * when its package is built: an installed @sslclick/fastly ships it, a fresh clone has not built it
 * yet (npm run build:edge -w @sslclick/fastly), and the offline trial should not need that.
 */
export async function sandboxAdapter(source: SandboxAdapterSource, mode: string | undefined, warn: (message: string) => void): Promise<ProxyAdapter> {
  if (source.cdn === 'cloudflare') {
    const { createCloudflareProxy, createCloudflareDns } = await loadCloudflare();
    if (mode !== undefined && parseMode('cloudflare', mode) === 'saas') {
      // A saas sandbox names its provider zone, and the branded hosts' own DNS, in its settings.
      const saas = source.adapter as Partial<SandboxCloudflareSaasSettings> & SandboxAdapterSettings['cloudflare'];
      if (saas.zoneId === undefined || source.dns === undefined) {
        throw invalidInput('--mode saas needs a sandbox with a Cloudflare for SaaS provider zone: its settings must hold adapter.zoneId and dns.', { operation: 'cli' });
      }
      return createCloudflareProxy({ ...saas, mode: 'saas', zoneId: saas.zoneId, dns: createCloudflareDns(source.dns) });
    }
    return createCloudflareProxy({ ...(source.adapter as SandboxAdapterSettings['cloudflare']), ...(modeSettings('cloudflare', mode) as Partial<CloudflareProxySettings>) });
  }
  if (source.cdn === 'fastly') {
    const [{ createFastlyProxy, defaultEdgePackageURL }, { createCloudflareDns }] = await Promise.all([loadFastly(), loadCloudflare()]);
    let settings = modeSettings('fastly', mode);
    if (mode === undefined && !existsSync(defaultEdgePackageURL)) {
      warn('The Fastly Compute package is not built (npm run build:edge -w @sslclick/fastly), so this sandbox run uses a VCL service instead.');
      settings = modeSettings('fastly', 'vcl');
    }
    const dns = source.dns ? { dns: createCloudflareDns(source.dns) } : {};
    return createFastlyProxy({ ...(source.adapter as SandboxAdapterSettings['fastly']), ...settings, ...dns });
  }
  const { createCloudFrontProxy } = await loadCloudFront();
  return createCloudFrontProxy({ ...(source.adapter as SandboxAdapterSettings['cloudfront']), ...modeSettings('cloudfront', mode) });
}

/** A fresh first-day sandbox world for the CDN, on loopback: nothing leaves this machine. */
async function sandboxTarget(options: TargetOptions): Promise<Target> {
  // The world comes with its own DNS and verifier settings: other ones cannot be honoured there.
  const worldDns: DnsChoice = options.cdn === 'cloudfront' ? 'route53' : 'cloudflare';
  if (options.dns !== undefined && options.dns !== worldDns) {
    throw invalidInput(`--dns ${options.dns} is not available with --sandbox: the sandbox world for ${options.cdn} keeps DNS in ${worldDns}.`, { operation: 'cli' });
  }
  if (options.verificationFile !== undefined) {
    throw invalidInput('--verification does not go with --sandbox: the sandbox world brings its own resolver, root certificate and ports.', { operation: 'cli' });
  }
  // A bad --mode is a usage error before any server starts.
  if (options.mode !== undefined) parseMode(options.cdn, options.mode);
  const { startSandboxWorld } = await loadSandbox();
  const saas = options.cdn === 'cloudflare' && options.mode === 'saas';
  const world: SandboxWorld = await startSandboxWorld({ cdn: options.cdn, hostname: options.hostname, ...(saas ? { mode: 'saas' as const } : {}) });
  // Cloudflare for SaaS: the provider zone's adapter, and the branded host's DNS in its own zone.
  const source: SandboxAdapterSource = world.saas ? { cdn: 'cloudflare', adapter: world.saas.adapter, dns: world.saas.dns } : { cdn: options.cdn, adapter: world.adapter, dns: world.dns };
  try {
    return {
      mode: 'sandbox',
      banner: `Running against a local sandbox world (--sandbox): fake ${options.cdn} and SendGrid APIs, DNS, a certificate authority and a CDN edge on loopback. Branded host: ${world.hostname}.`,
      adapter: await sandboxAdapter(source, options.mode, (message) => process.stderr.write(`${message}\n`)),
      sendgrid: createSendGridLinks(world.sendgrid),
      verification: world.verification,
      sampleLink: options.sampleLink ?? world.sampleLink,
      dnsLeftToUser: false,
      close: () => world.close(),
    };
  } catch (error) {
    await world.close();
    throw error;
  }
}

/** Opens the target the options name: a sandbox world with `--sandbox`, else the real accounts. */
export function openTarget(options: TargetOptions): Promise<Target> {
  return options.sandbox ? sandboxTarget(options) : liveTarget(options);
}
