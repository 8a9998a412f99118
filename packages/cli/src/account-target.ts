import { readFile } from 'node:fs/promises';
import { SslClickError, createWriteBudget, type ProxyAdapter, type SetupAccountOptions, type VerificationSettings } from '@sslclick/core';
import { invalidInput } from '@sslclick/core/adapter';
import type { SandboxAccount, SandboxAdapterSettings, SandboxCloudflareDnsSettings, SandboxSendGridSettings } from '@sslclick/sandbox';
import { createSendGridLinks, type SendGridLinks } from '@sslclick/sendgrid';
import { cdnNames, defaultDns, liveAdapter, loadSandbox, parseMode, readVerificationFile, sandboxAdapter, type CdnName, type DnsChoice } from './targets.js';

/** What `setup --all` works on: the SendGrid account with its sub-users, the adapter for every host, and how to check them. */
export interface AccountTarget {
  /** Said first on stderr, so nobody mistakes a sandbox run for a live one. */
  banner: string;
  /** The adapter every classic host is set up with. */
  adapter: ProxyAdapter;
  /** The parent's SendGrid key, acting for its sub-users on request. */
  sendgrid: SendGridLinks;
  /** How the outside checks reach the hosts. */
  verification?: VerificationSettings;
  /** A tracked link per branded host, proving SendGrid knows it. */
  sampleLinks: Record<string, string>;
  /** The write budget per adapter, where the default one does not fit the target. */
  budgetFor?: SetupAccountOptions['budgetFor'];
  close(): Promise<void>;
}

/** What the options of `setup --all` say about the target. */
export interface AccountTargetOptions {
  cdn: CdnName;
  mode?: string;
  dns?: DnsChoice;
  /** A fresh sandbox account (`startSandboxAccount`) on loopback. */
  sandbox?: boolean;
  /** A file holding the settings of a sandbox account already running (see {@link SandboxAccountSettings}). */
  sandboxAccountFile?: string;
  verificationFile?: string;
  /** Tracked links, keyed by their host. */
  sampleLinks?: Record<string, string>;
}

/**
 * The settings of a running sandbox account that `--sandbox-account <file>` reads: the JSON of
 * these fields of what `startSandboxAccount` returns, so that several `sslclick` runs (a re-run,
 * a status) act on one world that outlives each of them.
 */
export interface SandboxAccountSettings<Cdn extends CdnName = CdnName> {
  /** The CDN whose fake the account runs. */
  cdn: Cdn;
  /** `account.adapter`: the adapter factory's settings. */
  adapter: SandboxAdapterSettings[Cdn];
  /** `account.dns`: where Fastly's hosts' DNS lives. */
  dns?: SandboxCloudflareDnsSettings | undefined;
  /** `account.sendgrid`: the parent's key and the fake SendGrid's URL. */
  sendgrid: SandboxSendGridSettings;
  /** `account.sampleLinks`: a tracked link per classic host. */
  sampleLinks?: Readonly<Record<string, string>>;
}

/**
 * CloudFront's known budget (2 writes a second) would have a sandbox run wait a minute for its
 * ~150 writes, for no reason: the sandbox's AWS fakes throttle nothing.
 */
function sandboxBudgetFor(cdn: CdnName): SetupAccountOptions['budgetFor'] | undefined {
  if (cdn !== 'cloudfront') return undefined;
  const budget = createWriteBudget({ name: 'cloudfront account (sandbox, unthrottled)', capacity: 1_000, intervalMs: 1_000 });
  return () => budget;
}

async function readSandboxAccountFile(path: string, cdn: CdnName): Promise<SandboxAccountSettings> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SslClickError({ code: 'INVALID_INPUT', operation: 'cli', cause: error, message: `--sandbox-account ${path} is not a readable JSON file: ${error instanceof Error ? error.message : String(error)}` });
  }
  const settings = parsed as Partial<SandboxAccountSettings> | null;
  if (typeof settings !== 'object' || settings === null || !(cdnNames as readonly unknown[]).includes(settings.cdn) || typeof settings.adapter !== 'object' || typeof settings.sendgrid?.baseURL !== 'string') {
    throw invalidInput(`--sandbox-account ${path} must hold a sandbox account's settings: {"cdn", "adapter", "dns", "sendgrid", "sampleLinks"} as startSandboxAccount returns them.`, { operation: 'cli' });
  }
  if (settings.cdn !== cdn) throw invalidInput(`--sandbox-account ${path} holds a ${String(settings.cdn)} sandbox, not ${cdn}: run with --cdn ${String(settings.cdn)}.`, { operation: 'cli' });
  return settings as SandboxAccountSettings;
}

function refuseOtherWorldOptions(options: AccountTargetOptions, flag: string): void {
  if (options.verificationFile !== undefined) throw invalidInput(`--verification does not go with ${flag}: the sandbox account brings its own resolver, root certificate and ports.`, { operation: 'cli' });
  if (options.dns !== undefined) throw invalidInput(`--dns does not go with ${flag}: the sandbox account keeps each host's DNS where its CDN manages it.`, { operation: 'cli' });
}

/** A sandbox account's settings for `--mode saas`: a provider zone in its Cloudflare fake, and the hosts' own zones as their DNS. */
function withSaasProvider(account: SandboxAccount): SandboxAccountSettings {
  const cloudflare = account.apis.cloudflare;
  const adapter = account.adapter as SandboxAdapterSettings['cloudflare'];
  if (!cloudflare) throw invalidInput('--mode saas needs the Cloudflare sandbox account (--cdn cloudflare).', { operation: 'cli' });
  const provider = cloudflare.addZone({ name: 'saas-provider.net' });
  return { ...account, cdn: 'cloudflare', adapter: { ...adapter, mode: 'saas', zoneId: provider.id } as SandboxAdapterSettings['cloudflare'], dns: { apiToken: adapter.apiToken, baseURL: adapter.baseURL } };
}

async function sandboxAccountTarget(settings: SandboxAccountSettings, options: AccountTargetOptions, banner: string, close: () => Promise<void>, warn: (message: string) => void): Promise<AccountTarget> {
  const budgetFor = sandboxBudgetFor(settings.cdn);
  return {
    banner,
    adapter: await sandboxAdapter(settings, options.mode, warn),
    sendgrid: createSendGridLinks(settings.sendgrid),
    verification: settings.sendgrid.verification,
    sampleLinks: { ...settings.sampleLinks, ...options.sampleLinks },
    ...(budgetFor ? { budgetFor } : {}),
    close,
  };
}

/**
 * Opens what `setup --all` works on: a fresh sandbox account (`--sandbox`), a running one
 * (`--sandbox-account <file>`), or the real SendGrid account (SENDGRID_API_KEY, a parent's key)
 * with the CDN's credentials from the environment.
 */
export async function openAccountTarget(options: AccountTargetOptions, warn: (message: string) => void): Promise<AccountTarget> {
  // A bad --mode is a usage error before any server starts or any credential is read.
  if (options.mode !== undefined) parseMode(options.cdn, options.mode);
  if (options.sandbox && options.sandboxAccountFile !== undefined) throw invalidInput('--sandbox starts a fresh sandbox account; --sandbox-account <file> uses a running one: give one of them.', { operation: 'cli' });
  if (options.sandboxAccountFile !== undefined) {
    refuseOtherWorldOptions(options, '--sandbox-account');
    const settings = await readSandboxAccountFile(options.sandboxAccountFile, options.cdn);
    return sandboxAccountTarget(settings, options, `Running against the sandbox account of ${options.sandboxAccountFile} (--sandbox-account): fake ${options.cdn} and SendGrid APIs on loopback.`, async () => {}, warn);
  }
  if (options.sandbox) {
    refuseOtherWorldOptions(options, '--sandbox');
    const { startSandboxAccount } = await loadSandbox();
    const saas = options.cdn === 'cloudflare' && options.mode === 'saas';
    // Under .com: Cloudflare refuses custom hostnames under the reserved .example (error 1409).
    const account = await startSandboxAccount({ cdn: options.cdn, ...(saas ? { topLevelDomain: 'com' } : {}) });
    try {
      const banner = `Running against a fresh local sandbox account (--sandbox): the parent "${account.parent}" and its sub-users ${account.subusers.map((name) => `"${name}"`).join(', ')}, ${account.hosts.length} link brandings in mixed states, fake ${options.cdn} and SendGrid APIs, DNS, a certificate authority and a CDN edge on loopback.`;
      return await sandboxAccountTarget(saas ? withSaasProvider(account) : account, options, banner, () => account.close(), warn);
    } catch (error) {
      await account.close();
      throw error;
    }
  }
  if (!process.env.SENDGRID_API_KEY) {
    throw invalidInput('setup --all lists the link brandings from SendGrid: set SENDGRID_API_KEY to a parent account\'s key (whitelabel.read and whitelabel.update, and subusers.read with --subusers).', { operation: 'cli', provider: 'sendgrid' });
  }
  const verification = await readVerificationFile(options.verificationFile);
  const adapter = await liveAdapter(options, options.dns ?? defaultDns(options.cdn), verification);
  return {
    banner: `Running against your real SendGrid account (SENDGRID_API_KEY) and ${options.cdn} account.`,
    adapter,
    sendgrid: createSendGridLinks({}),
    ...(verification ? { verification } : {}),
    sampleLinks: { ...options.sampleLinks },
    async close() {},
  };
}
