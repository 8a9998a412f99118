/**
 * The sandbox world of the Cloudflare for SaaS tests: the data plane, the fake Cloudflare API with
 * one provider zone, and branded hosts whose DNS is NOT on Cloudflare: the sandbox DNS serves them
 * as "another provider" (written directly, as the customer's DNS host would), through a
 * `DnsProvider` over it, or by hand from `dns.required`.
 */
import { SslClickError, type DnsProvider, type DnsProviderRecord, type ProxyStatus } from '@sslclick/core';
import { startCloudflareApi, startSandbox, type CloudflareApi, type CloudflareApiOptions, type CloudflareZone, type Sandbox } from '@sslclick/sandbox';
import { createCloudflareProxy, type CloudflareSaasProxySettings } from '../src/index.js';

/** The sandbox, its fake Cloudflare API and the provider zone. */
export interface SaasWorld extends Sandbox {
  readonly sandbox: Sandbox;
  readonly cloudflare: CloudflareApi;
  readonly verification: Sandbox['verification'] & { readonly timeoutMs: number };
  /** The provider zone (Cloudflare for SaaS). */
  readonly provider: CloudflareZone;
  /** The branded hosts' DNS "elsewhere": a DnsProvider over the sandbox DNS. */
  readonly otherDns: DnsProvider & { readonly writes: string[] };
}

/** Starts the sandbox and the fake Cloudflare API with an active provider zone `saas-provider.net`. */
export async function startSaasWorld(options: CloudflareApiOptions = {}): Promise<SaasWorld> {
  const sandbox = await startSandbox();
  const cloudflare = await startCloudflareApi(sandbox, { certificateIssueDelayMs: 0, ...options });
  const provider = cloudflare.addZone({ name: 'saas-provider.net' });
  return {
    ...sandbox,
    sandbox,
    cloudflare,
    provider,
    verification: { ...sandbox.verification, timeoutMs: 3_000 },
    otherDns: createOtherDns(sandbox),
    async close() {
      await cloudflare.close();
      await sandbox.close();
    },
  };
}

let counter = 5000;

/**
 * Seeds a branded host as link branding leaves it, at a DNS host that is not Cloudflare: a CNAME
 * to sendgrid.net in the sandbox DNS (no Cloudflare zone), known to the fake SendGrid origin.
 */
export function seedOutsideHost(world: SaasWorld, domain = 'customer-mail.org'): string {
  counter += 1;
  const hostname = `url${counter}.${domain}`;
  world.origin.addBrandedHost(hostname);
  world.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: 'sendgrid.net', ttl: 60 });
  return hostname;
}

/** The saas adapter settings against the world, with short waits and retries. */
export function saasSettings(world: SaasWorld, extra: Partial<CloudflareSaasProxySettings> = {}): CloudflareSaasProxySettings {
  return {
    mode: 'saas',
    zoneId: world.provider.id,
    apiToken: world.cloudflare.tokens.full,
    baseURL: world.cloudflare.url,
    verification: world.verification,
    wait: { minDelay: 10, maxDelay: 50, maxWaitTime: 10_000 },
    retry: { minDelay: 5, maxDelay: 20 },
    cutoverCheckTimeoutMs: 2_000,
    ...extra,
  };
}

/** The saas adapter, its hosts' DNS at "another provider" (the sandbox DNS) unless `dns` says otherwise. */
export function createSaasProxy(world: SaasWorld, extra: Partial<CloudflareSaasProxySettings> = {}) {
  return createCloudflareProxy(saasSettings(world, { dns: world.otherDns, ...extra }));
}

/** Publishes `dns.required` in the sandbox DNS, as the customer would at their DNS host. */
export function publishRequired(world: SaasWorld, status: ProxyStatus): void {
  for (const record of status.dns.required) {
    if (record.type === 'TXT') {
      const others = world.dns.zone.getRecords(record.name).filter((entry) => entry.type === 'TXT' && entry.value !== record.value).map((entry) => entry.value);
      world.dns.zone.setRecord({ name: record.name, type: 'TXT', value: [...others, record.value], ttl: 60 });
    } else if (record.type === 'CNAME') {
      world.dns.zone.setRecord({ name: record.name, type: 'CNAME', value: record.value, ttl: 60 });
    }
  }
}

/** The number of writes the fake Cloudflare API received. */
export function saasWrites(world: SaasWorld): number {
  return world.cloudflare.server.writes();
}

/**
 * A DNS host that is not Cloudflare, as a `DnsProvider` over the sandbox DNS (which is the public
 * view). Its writes are logged, so tests can see what moved and when.
 */
function createOtherDns(sandbox: Sandbox): SaasWorld['otherDns'] {
  const zone = sandbox.dns.zone;
  const writes: string[] = [];
  const clean = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '');
  const read = (name: string): DnsProviderRecord[] => zone.getRecords(clean(name)).map((record) => ({ name: record.name, type: record.type, value: record.value }));
  return {
    name: 'other-dns',
    writes,
    async getRecords(name, type) {
      return read(name).filter((record) => type === undefined || record.type === type);
    },
    async upsertCname(nameInput, valueInput, options = {}) {
      const name = clean(nameInput);
      const value = clean(valueInput);
      const current = read(name);
      const cname = current.find((record) => record.type === 'CNAME');
      if (cname?.value === value && current.length === 1) return { changed: false, record: cname };
      const replaceable = (options.replaceable ?? []).map(clean);
      if (!options.adopt && (current.some((record) => record.type !== 'CNAME' && record.type !== 'TXT') || (cname && !replaceable.includes(cname.value)))) {
        throw new SslClickError({ code: 'CONFLICT', provider: 'other-dns', operation: 'dns.upsertCname', message: `${name} holds ${current.map((record) => `${record.type} ${record.value}`).join(', ')}; not overwritten.` });
      }
      zone.setRecord({ name, type: 'CNAME', value, ttl: 60 });
      writes.push(`CNAME ${name} ${value}`);
      return { changed: true, record: { name, type: 'CNAME', value } };
    },
    async deleteCname(nameInput, value) {
      const name = clean(nameInput);
      if (!read(name).some((record) => record.type === 'CNAME' && record.value === clean(value))) return { changed: false };
      zone.deleteRecord(name, 'CNAME');
      writes.push(`-CNAME ${name}`);
      return { changed: true };
    },
    async upsertTxt(nameInput, value) {
      const name = clean(nameInput);
      const values = read(name).filter((record) => record.type === 'TXT').map((record) => record.value);
      if (values.includes(value)) return { changed: false };
      zone.setRecord({ name, type: 'TXT', value: [...values, value], ttl: 60 });
      writes.push(`TXT ${name} ${value}`);
      return { changed: true };
    },
    async deleteTxt(nameInput, value) {
      const name = clean(nameInput);
      const values = read(name).filter((record) => record.type === 'TXT').map((record) => record.value);
      if (!values.includes(value)) return { changed: false };
      const kept = values.filter((entry) => entry !== value);
      if (kept.length === 0) zone.deleteRecord(name, 'TXT');
      else zone.setRecord({ name, type: 'TXT', value: kept, ttl: 60 });
      writes.push(`-TXT ${name} ${value}`);
      return { changed: true };
    },
  };
}
