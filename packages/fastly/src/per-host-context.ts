import { randomUUID } from 'node:crypto';
import { createLookupCache, lookupName, normalizeHostname, type DnsProvider, type LookupCache, type ProgressEvent, type ProxyRequest, type RunOptions } from '@sslclick/core';
import { cachedLookup, invalidInput } from '@sslclick/core/adapter';
import { loadEdgePackage, type EdgePackage } from './edge-package.js';
import type { FastlyClient } from './fastly-client.js';
import type { FastlyProxySettings } from './fastly-proxy.js';
import type { FastlyServiceDetail, FastlyVersion } from './fastly-types.js';
import type { FastlyMode, VersionContents } from './service-configuration.js';
import { findService, readVersionContents, type FoundService } from './service-lookup.js';
import { configurationCnameTarget, findSubscription, type FastlyCertificateAuthority, type Subscription } from './tls-subscription.js';

/** The provider name on every status, error and progress event of the Fastly adapter. */
export const provider = 'fastly';

/** A request with its hostname and origin checked and normalised. */
export interface Target {
  hostname: string;
  origin: string;
  adopt: boolean;
}

/** Lower-cases a DNS name and drops its trailing dot. */
export function cleanName(value: string | undefined): string | undefined {
  return value?.toLowerCase().replace(/\.$/, '');
}

/** Checks and normalises a request's hostname and origin (`INVALID_INPUT` when either is not a host name). */
export function normalizeRequest(request: ProxyRequest): Target {
  const hostname = normalizeHostname(request?.hostname);
  const origin = cleanName((request.origin ?? 'sendgrid.net').trim()) ?? 'sendgrid.net';
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(origin)) {
    throw invalidInput(`The origin "${request.origin}" is not a host name; use "sendgrid.net" (or "eu.sendgrid.net" for EU links).`, { provider, operation: 'apply' });
  }
  return { hostname, origin, adopt: request.adopt === true };
}

/** The per-host mode's settings, checked and with their defaults resolved by the factory. */
export interface PerHostSettings {
  readonly settings: FastlyProxySettings;
  readonly client: FastlyClient;
  readonly mode: FastlyMode;
  readonly certificateAuthority: FastlyCertificateAuthority;
  readonly dns: DnsProvider | undefined;
  readonly cutoverCheckTimeoutMs: number;
  readonly packageUploadTimeoutMs: number;
}

/**
 * What the per-host mode's steps (status, plan, apply, destroy) share: the resolved settings, the
 * edge package, and the lookups more than one step makes.
 */
export interface PerHostContext extends PerHostSettings {
  readonly verification: FastlyProxySettings['verification'];
  /** The Compute package, loaded once per adapter (again after a failed load). */
  loadPackage(): Promise<EdgePackage>;
  emit(run: RunOptions | undefined, event: Omit<ProgressEvent, 'provider'>): void;
  servicePath(serviceId: string): string;
  /** sslclick's service for the host, read once per call (`reads`). */
  lookService(target: Target, run: RunOptions | undefined, reads: LookupCache | undefined): Promise<FoundService | undefined>;
  /** The host's TLS subscription, read once per call (`reads`). */
  lookSubscription(target: Target, run: RunOptions | undefined, reads: LookupCache | undefined): Promise<Subscription | undefined>;
  /**
   * The CNAME target of the host's subscription: its `managed-http-cname` challenge when the
   * subscription read carried one (no request), else its TLS configuration's (the default one
   * without a subscription), which never changes and is kept beyond one call.
   */
  lookCnameTarget(subscription: Subscription | undefined, run: RunOptions | undefined): Promise<string>;
  /** A version's domains, backends, snippets and package; a locked version's kept beyond one call. */
  lookContents(service: FastlyServiceDetail, version: FastlyVersion, run: RunOptions | undefined, reads: LookupCache | undefined): Promise<VersionContents>;
  /** Forgets what the run read of the service, after a write to it. */
  forgetService(reads: LookupCache | undefined): void;
  /** The CNAME a name has now: through the DNS provider when there is one, else public DNS. */
  currentCname(name: string, run: RunOptions | undefined, reads?: LookupCache): Promise<string | undefined>;
  /** What public DNS (or the verification resolver) shows for a name; never throws. */
  publicLookup(name: string): ReturnType<typeof lookupName>;
  /**
   * The host's TLS subscription, owned only when it covers exactly the host and was made no
   * earlier than sslclick's service.
   */
  findHostSubscription(target: Target, found: FoundService | undefined, run: RunOptions | undefined, reads?: LookupCache): Promise<Subscription | undefined>;
}

/** Builds the lookups and helpers the per-host steps share. */
export function createPerHostContext(resolved: PerHostSettings): PerHostContext {
  const { settings, client, dns } = resolved;
  const verification = settings.verification;
  let edgePackage: Promise<EdgePackage> | undefined;
  const loadPackage = (): Promise<EdgePackage> => {
    edgePackage ??= loadEdgePackage(settings.computePackage);
    edgePackage.catch(() => {
      edgePackage = undefined;
    });
    return edgePackage;
  };

  function emit(run: RunOptions | undefined, event: Omit<ProgressEvent, 'provider'>): void {
    run?.onProgress?.({ provider, ...event });
  }

  const servicePath = (serviceId: string): string => `/service/${encodeURIComponent(serviceId)}`;

  // What one call of apply, status or destroy has read (`reads`, a cache living as long as the
  // call): each thing is read once, and a write forgets what it changed, so the final status
  // re-reads only that. Beyond one call (the run's `lookupCache`, else the adapter's setting, else
  // one of its own) only what never changes is kept: the TLS configuration's CNAME target, and the
  // contents of a locked version (Fastly never edits a locked version, sslclick clones it).
  // Services and subscriptions are per host and read each time.
  const lookupScope = `fastly:${randomUUID()}`;
  const ownLookups = createLookupCache();
  const lastingLookups = (run: RunOptions | undefined): LookupCache => run?.lookupCache ?? settings.lookupCache ?? ownLookups;
  const lookService = (target: Target, run: RunOptions | undefined, reads: LookupCache | undefined): Promise<FoundService | undefined> =>
    cachedLookup(reads, 'service', () => findService(client, target.hostname, run), { rememberAbsent: true });
  const lookSubscription = (target: Target, run: RunOptions | undefined, reads: LookupCache | undefined): Promise<Subscription | undefined> =>
    cachedLookup(reads, 'subscription', () => findSubscription(client, target.hostname, run), { rememberAbsent: true });
  const lookCnameTarget = async (subscription: Subscription | undefined, run: RunOptions | undefined): Promise<string> => {
    if (subscription?.cnameTarget) return subscription.cnameTarget;
    const configurationId = subscription?.configurationId;
    return cachedLookup(lastingLookups(run), `${lookupScope}:configuration:${configurationId ?? 'default'}`, () => configurationCnameTarget(client, configurationId, run));
  };
  const lookContents = (service: FastlyServiceDetail, version: FastlyVersion, run: RunOptions | undefined, reads: LookupCache | undefined): Promise<VersionContents> =>
    version.locked
      ? cachedLookup(lastingLookups(run), `${lookupScope}:locked-version:${service.id}:${version.number}`, () => readVersionContents(client, service, version.number, run))
      : cachedLookup(reads, `contents:${service.id}:${version.number}`, () => readVersionContents(client, service, version.number, run));
  const forgetService = (reads: LookupCache | undefined): void => {
    reads?.invalidate('service');
    reads?.invalidate('contents');
  };

  async function currentCname(name: string, run: RunOptions | undefined, reads?: LookupCache): Promise<string | undefined> {
    return cachedLookup(
      reads,
      `cname:${name}`,
      async () => {
        if (dns) {
          const records = await dns.getRecords(name, 'CNAME', run);
          return cleanName(records[0]?.value);
        }
        return (await publicLookup(name)).cnameChain[0];
      },
      { rememberAbsent: true },
    );
  }

  function publicLookup(name: string) {
    const resolver = verification?.resolver;
    return lookupName(name, { servers: resolver === undefined ? [] : Array.isArray(resolver) ? resolver : [resolver], timeoutMs: verification?.timeoutMs ?? 5_000 });
  }

  /**
   * The host's TLS subscription, owned only when it covers exactly the host and was made no
   * earlier than sslclick's service: sslclick makes the service first, so a subscription someone
   * made for the host beforehand is used as it is but never deleted. Without readable times the
   * domain rule alone decides.
   */
  async function findHostSubscription(target: Target, found: FoundService | undefined, run: RunOptions | undefined, reads?: LookupCache): Promise<Subscription | undefined> {
    const subscription = await lookSubscription(target, run, reads);
    if (!subscription?.owned) return subscription;
    if (!found?.owned) return { ...subscription, owned: false };
    const subscriptionMade = Date.parse(subscription.raw.attributes.created_at ?? '');
    const serviceMade = Date.parse(found.service.created_at ?? '');
    if (Number.isNaN(subscriptionMade) || Number.isNaN(serviceMade)) return subscription;
    return subscriptionMade >= serviceMade ? subscription : { ...subscription, owned: false };
  }

  return {
    ...resolved,
    verification,
    loadPackage,
    emit,
    servicePath,
    lookService,
    lookSubscription,
    lookCnameTarget,
    lookContents,
    forgetService,
    currentCname,
    publicLookup,
    findHostSubscription,
  };
}
