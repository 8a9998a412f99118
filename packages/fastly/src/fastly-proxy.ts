import { randomUUID } from 'node:crypto';
import {
  SslClickError,
  createLookupCache,
  lookupName,
  normalizeHostname,
  verifyHostname,
  type CheckResult,
  type DnsProvider,
  type LookupCache,
  type DnsRecord,
  type Plan,
  type PlannedChange,
  type ProgressEvent,
  type ProxyAdapter,
  type ProxyRequest,
  type ProxyStatus,
  type ResourceReference,
  type RunOptions,
  type VerifierCheckId,
} from '@sslclick/core';
import {
  requireVerificationForLocalEndpoints,
  restoreFailingCutover,
  DEFAULT_CUTOVER_CHECK_TIMEOUT_MS,
  readCutoverCheckTimeoutMs,
  withRedactedErrors,
  buildStatus,
  cachedLookup,
  checkBeforeCutover,
  confirmAfterCutover,
  invalidInput,
  loadCredential,
  throwIfAborted,
  waitUntil,
  type CommonProxySettings,
} from '@sslclick/core/adapter';
import { loadEdgePackage, type EdgePackage } from './edge-package.js';
import { createFastlyClient, defaultFastlyBaseURL, type FastlyClient } from './fastly-client.js';
import type { FastlyBackend, FastlyDomain, FastlyService, FastlyServiceDetail, FastlySnippet, FastlyVersion } from './fastly-types.js';
import { createRateLimitGovernor, type FastlyRateLimitSettings } from './rate-limit.js';
import {
  backendName,
  diffVersion,
  passSnippetContent,
  passSnippetName,
  plannedVersionChange,
  serviceComment,
  serviceName,
  type FastlyMode,
  type VersionChange,
  type VersionContents,
} from './service-configuration.js';
import { assertUsable, findService, readVersionContents, searchLiveService, type FoundService } from './service-lookup.js';
import { conflictFromRefusedDomain, fastlyAnswerOf, lockedMeanwhile, lockedVersionConflict } from './version-edit-refusals.js';
import { certificateStateOf, edgeStateOf } from './status-mapping.js';
import { createSharedServiceProxy, type FastlySharedServiceSettings } from './shared-service-proxy.js';
import {
  configurationCnameTarget,
  createSubscription,
  findSubscription,
  type FastlyCertificateAuthority,
  type Subscription,
} from './tls-subscription.js';

/** Settings of `createFastlyProxy`. */
export interface FastlyProxySettings extends CommonProxySettings {
  /**
   * A Fastly API token with the `global` scope (sent as `Fastly-Key`).
   * @default process.env.FASTLY_API_TOKEN
   */
  apiToken?: string | undefined; // `| undefined`: `apiToken: process.env.X` compiles under exactOptionalPropertyTypes
  /**
   * The Fastly API endpoint; the sandbox passes its fake's URL.
   * @default 'https://api.fastly.com'
   */
  baseURL?: string;
  /**
   * `compute`: a Compute service running sslclick's edge program (a pass-through to SendGrid);
   * `vcl`: a VCL service with a `recv` snippet that passes every request. Both forward the
   * viewer's request unchanged, with its `Host`, and cache nothing.
   * @default 'compute'
   */
  mode?: FastlyMode;
  /**
   * Who issues the certificate of the Fastly TLS subscription.
   * @default 'certainly'
   */
  certificateAuthority?: FastlyCertificateAuthority;
  /**
   * Where the hostname's DNS lives (Fastly hosts none), e.g. `createCloudflareDns()` or `createRoute53Dns()`.
   * With it, apply writes the `_acme-challenge` record and, after the pre-cutover check, the
   * cutover CNAME; without it, both are left in `status.dns.required` for you to publish.
   * @default undefined (records are left to you)
   */
  dns?: DnsProvider;
  /**
   * The Compute package to upload in compute mode: bytes, or a path to a `.tar.gz`.
   * @default the package built into `dist/edge/sslclick-edge.tar.gz`
   */
  computePackage?: string | Uint8Array;
  /** How the hourly write budget is honoured. */
  rateLimit?: FastlyRateLimitSettings;
  /**
   * One shared service for every host instead of a service per host: `true`, or its settings.
   * Domains are added and removed in batched versions, and hosts share TLS subscriptions of up
   * to 100 domains (see "When to choose the shared service" in the README).
   * @default false (a service per host)
   */
  shared?: boolean | FastlySharedServiceSettings;
  /**
   * How long one Fastly API request may take, in ms, before it is abandoned and retried; when
   * every attempt times out the call fails with `TIMEOUT`. The Compute package upload has its
   * own, longer deadline (`packageUploadTimeoutMs`).
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * How long the Compute package upload (a few MB) may take, in ms, before it is abandoned and
   * retried: long enough for a slow link, as the Fastly CLI allows 2 minutes per request
   * (fastly/cli `pkg/app/run.go`).
   * @default 120000
   */
  packageUploadTimeoutMs?: number;
  /**
   * The `fetch` used for API calls (tests may inject one).
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
}

interface Target {
  hostname: string;
  origin: string;
  adopt: boolean;
}

const provider = 'fastly';
const modes: readonly FastlyMode[] = ['compute', 'vcl'];
const authorities: readonly FastlyCertificateAuthority[] = ['certainly', 'lets-encrypt'];

function cleanName(value: string | undefined): string | undefined {
  return value?.toLowerCase().replace(/\.$/, '');
}

function normalizeRequest(request: ProxyRequest): Target {
  const hostname = normalizeHostname(request?.hostname);
  const origin = cleanName((request.origin ?? 'sendgrid.net').trim()) ?? 'sendgrid.net';
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(origin)) {
    throw invalidInput(`The origin "${request.origin}" is not a host name; use "sendgrid.net" (or "eu.sendgrid.net" for EU links).`, { provider, operation: 'apply' });
  }
  return { hostname, origin, adopt: request.adopt === true };
}

/**
 * Creates the Fastly adapter: a service named `sslclick <hostname>` (Compute running sslclick's
 * pass-through program, or VCL with a pass snippet) whose `sendgrid` backend reaches SendGrid over
 * TLS with the viewer's `Host`; a Fastly-managed TLS subscription validated by the `managed-dns`
 * challenge, so the certificate is issued before traffic moves; the pre-cutover check through the
 * edge; then the cutover CNAME (through `dns`, or left in `status.dns.required`).
 */
export function createFastlyProxy(settings: FastlyProxySettings = {}): ProxyAdapter {
  if (settings.shared) return createSharedServiceProxy(settings);
  const mode = settings.mode ?? 'compute';
  if (!modes.includes(mode)) throw invalidInput(`mode must be "compute" or "vcl", not "${String(mode)}".`, { provider, operation: 'create' });
  const certificateAuthority = settings.certificateAuthority ?? 'certainly';
  if (!authorities.includes(certificateAuthority)) {
    throw invalidInput(`certificateAuthority must be "certainly" or "lets-encrypt", not "${String(certificateAuthority)}".`, { provider, operation: 'create' });
  }
  const baseURL = settings.baseURL ?? defaultFastlyBaseURL;
  try {
    new URL(baseURL);
  } catch {
    throw invalidInput(`baseURL "${baseURL}" is not a URL.`, { provider, operation: 'create' });
  }
  requireVerificationForLocalEndpoints({ provider, endpoints: [baseURL], verification: settings.verification });
  const timeoutMs = settings.timeoutMs ?? 30_000;
  // Without the setting, a shorter `wait.maxWaitTime` still bounds the edge check, as it did before the setting existed.
  const cutoverCheckTimeoutMs =
    readCutoverCheckTimeoutMs(settings, provider) ?? (settings.wait?.maxWaitTime ? Math.min(settings.wait.maxWaitTime, 300_000) : DEFAULT_CUTOVER_CHECK_TIMEOUT_MS);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw invalidInput(`timeoutMs must be a positive number of milliseconds, not ${String(settings.timeoutMs)}.`, { provider, operation: 'create' });
  const packageUploadTimeoutMs = settings.packageUploadTimeoutMs ?? 120_000;
  if (!Number.isFinite(packageUploadTimeoutMs) || packageUploadTimeoutMs <= 0) {
    throw invalidInput(`packageUploadTimeoutMs must be a positive number of milliseconds, not ${String(settings.packageUploadTimeoutMs)}.`, { provider, operation: 'create' });
  }
  const dns = settings.dns;
  if (dns !== undefined && (typeof dns.getRecords !== 'function' || typeof dns.upsertCname !== 'function' || typeof dns.deleteCname !== 'function')) {
    throw invalidInput('dns must be a DnsProvider such as createCloudflareDns() or createRoute53Dns().', { provider, operation: 'create' });
  }
  const apiToken = loadCredential({ value: settings.apiToken, environmentVariable: 'FASTLY_API_TOKEN', settingName: 'apiToken', provider });
  const client: FastlyClient = createFastlyClient({
    apiToken,
    baseURL,
    fetch: settings.fetch ?? globalThis.fetch,
    retry: settings.retry,
    rateLimit: createRateLimitGovernor(settings.rateLimit),
    timeoutMs,
  });
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
  const lookCnameTarget = (configurationId: string | undefined, run: RunOptions | undefined): Promise<string> =>
    cachedLookup(lastingLookups(run), `${lookupScope}:configuration:${configurationId ?? 'default'}`, () => configurationCnameTarget(client, configurationId, run));
  const lookContents = (service: FastlyServiceDetail, version: FastlyVersion, run: RunOptions | undefined, reads: LookupCache | undefined): Promise<VersionContents> =>
    version.locked
      ? cachedLookup(lastingLookups(run), `${lookupScope}:locked-version:${service.id}:${version.number}`, () => readVersionContents(client, service, version.number, run))
      : cachedLookup(reads, `contents:${service.id}:${version.number}`, () => readVersionContents(client, service, version.number, run));
  /** Forgets what the run read of the service, after a write to it. */
  const forgetService = (reads: LookupCache | undefined): void => {
    reads?.invalidate('service');
    reads?.invalidate('contents');
  };

  /**
   * Re-reads one named item of a version (`domain`, `backend`, `snippet`): what a create whose
   * answer was lost made, if it took effect; the list answers in the shape the create does.
   */
  function findOnVersion<Item extends { name: string }>(base: string, collection: 'domain' | 'backend' | 'snippet', name: string, run: RunOptions | undefined): () => Promise<Item | undefined> {
    return async () => {
      const items = await client.get<Item[]>(`${base}/${collection}`, { operation: `${collection}.list`, run });
      return items?.find((item) => item.name.toLowerCase() === name.toLowerCase());
    };
  }

  async function applyVersionChange(service: FastlyService, version: number, change: VersionChange, target: Target, run: RunOptions | undefined): Promise<void> {
    const base = `${servicePath(service.id)}/version/${version}`;
    switch (change.kind) {
      case 'domain':
        await client.write('POST', `${base}/domain`, {
          operation: 'domain.create',
          form: { name: target.hostname, comment: 'sslclick' },
          recover: findOnVersion<FastlyDomain>(base, 'domain', target.hostname, run),
          run,
        });
        return;
      case 'backend': {
        const fields = Object.fromEntries(Object.entries(change.fields).filter(([, value]) => change.action === 'update' || value !== null));
        if (change.action === 'create') {
          await client.write('POST', `${base}/backend`, {
            operation: 'backend.create',
            form: { name: backendName, ...fields },
            recover: findOnVersion<FastlyBackend>(base, 'backend', backendName, run),
            run,
          });
        } else await client.write('PUT', `${base}/backend/${backendName}`, { operation: 'backend.update', form: fields, run });
        return;
      }
      case 'snippet':
        if (change.action === 'create') {
          await client.write('POST', `${base}/snippet`, {
            operation: 'snippet.create',
            form: { name: passSnippetName, type: 'recv', content: passSnippetContent, dynamic: 0, priority: 100 },
            recover: findOnVersion<FastlySnippet>(base, 'snippet', passSnippetName, run),
            run,
          });
        } else {
          await client.write('PUT', `${base}/snippet/${passSnippetName}`, { operation: 'snippet.update', form: { type: 'recv', content: passSnippetContent }, run });
        }
        return;
      case 'package': {
        const built = await loadPackage();
        await client.write('PUT', `${base}/package`, {
          operation: 'package.upload',
          multipart: { field: 'package', filename: 'sslclick-edge.tar.gz', bytes: built.bytes },
          timeoutMs: packageUploadTimeoutMs,
          run,
        });
        return;
      }
    }
  }

  /** Makes the service's active version hold what sslclick needs, never editing an active or locked version. */
  async function ensureService(target: Target, run: RunOptions | undefined, reads: LookupCache | undefined): Promise<FoundService> {
    let found = await lookService(target, run, reads);
    if (found) assertUsable(found, mode, target.adopt);
    const packageHash = mode === 'compute' ? (await loadPackage()).filesHash : undefined;
    let createdServiceId: string | undefined;
    if (!found) {
      throwIfAborted(run?.signal, 'apply');
      forgetService(reads);
      const name = serviceName(target.hostname);
      const type = mode === 'compute' ? 'wasm' : 'vcl';
      const comment = serviceComment(target.hostname);
      const created = await client.write<FastlyService>('POST', '/service', {
        operation: 'service.create',
        form: { name, type, comment },
        // None existed a moment ago: one with this name, type and our comment is the lost create's.
        recover: async () => {
          const existing = await searchLiveService(client, name, run);
          return existing && existing.type === type && existing.comment === comment ? existing : undefined;
        },
        run,
      });
      if (!created) throw new SslClickError({ code: 'PROVIDER', provider, operation: 'service.create', message: 'Fastly returned no service.' });
      createdServiceId = created.id;
      emit(run, { type: 'service-created', hostname: target.hostname, message: `Created the Fastly ${mode} service "${created.name}" (${created.id}).`, detail: { serviceId: created.id } });
      const versions = [...created.versions].sort((left, right) => left.number - right.number);
      const detail: FastlyServiceDetail = { ...created, active_version: null, version: null };
      found = { service: detail, owned: true, active: undefined, latest: versions[versions.length - 1] ?? { number: 1, active: false, locked: false } };
    }
    const desired = { hostname: target.hostname, origin: target.origin, mode, ...(packageHash ? { packageHash } : {}) };
    const base = found.active ?? found.latest;
    const empty: VersionContents = { domains: [], backends: [], snippets: [] };
    const baseContents = base && !createdServiceId ? await lookContents(found.service, base, run, reads) : empty;
    let changes = diffVersion(baseContents, desired);
    if (changes.length === 0 && found.active) return found;
    // From here the service is written: what the run read of it is forgotten (whatever fails next).
    forgetService(reads);

    let editable: FastlyVersion;
    if (found.latest && !found.latest.active && !found.latest.locked) {
      // A draft left by an interrupted run (or a new service's version 1): finish it.
      editable = found.latest;
      if (editable.number !== base?.number) changes = diffVersion(await readVersionContents(client, found.service, editable.number, run), desired);
    } else {
      if (!base) throw new SslClickError({ code: 'PROVIDER', provider, operation: 'apply', message: `The Fastly service ${found.service.id} has no version.` });
      const newest = Math.max(0, ...found.service.versions.map((version) => version.number));
      const serviceId = found.service.id;
      const cloned = await client.write<FastlyVersion>('PUT', `${servicePath(serviceId)}/version/${base.number}/clone`, {
        operation: 'version.clone',
        // A clone is numbered after the newest version: an editable one past it is the lost clone.
        recover: async () => {
          const versions = await client.get<FastlyVersion[]>(`${servicePath(serviceId)}/version`, { operation: 'version.list', run });
          const drafts = (versions ?? []).filter((version) => version.number > newest && !version.active && !version.locked);
          return drafts.sort((left, right) => right.number - left.number)[0];
        },
        run,
      });
      if (!cloned) throw new SslClickError({ code: 'PROVIDER', provider, operation: 'version.clone', message: 'Fastly returned no version.' });
      editable = cloned;
      emit(run, { type: 'version-cloned', hostname: target.hostname, message: `Cloned version ${base.number} of ${found.service.id} into version ${cloned.number}: active and locked versions are never edited.` });
    }
    for (const change of changes) {
      throwIfAborted(run?.signal, 'apply');
      try {
        await applyVersionChange(found.service, editable.number, change, target, run);
      } catch (error) {
        const answer = fastlyAnswerOf(error);
        if (change.kind === 'domain' && answer?.status === 400) {
          const conflict = await conflictFromRefusedDomain(client, answer, found.service.id, target.hostname, run);
          // The service made in this run holds nothing yet: remove it rather than leave a stray.
          if (createdServiceId) await client.write('DELETE', servicePath(createdServiceId), { operation: 'service.delete', allowNotFound: true, run });
          throw conflict;
        }
        // Fastly answers 422 "Version locked" (recorded by go-fastly); whatever the status, the
        // version itself says whether it was locked under us.
        if ((answer?.status === 422 || answer?.status === 400) && (await lockedMeanwhile(client, found.service.id, editable.number, run))) {
          throw lockedVersionConflict(error, answer.status, found.service.id, editable.number, `${change.kind}.${change.action}`);
        }
        throw error;
      }
      emit(run, { type: 'version-changed', hostname: target.hostname, message: change.description, detail: { version: editable.number, kind: change.kind } });
    }
    await client.write('PUT', `${servicePath(found.service.id)}/version/${editable.number}/activate`, { operation: 'version.activate', run });
    emit(run, { type: 'version-activated', hostname: target.hostname, message: `Activated version ${editable.number} of the Fastly service ${found.service.id}.` });
    return { ...found, active: { ...editable, active: true, locked: true }, latest: { ...editable, active: true, locked: true } };
  }

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

  /** What public DNS (or the verification resolver) shows for a name; never throws. */
  function publicLookup(name: string) {
    const resolver = verification?.resolver;
    return lookupName(name, { servers: resolver === undefined ? [] : Array.isArray(resolver) ? resolver : [resolver], timeoutMs: verification?.timeoutMs ?? 5_000 });
  }

  function requiredRecords(target: Target, subscription: Subscription | undefined, cnameTarget: string | undefined): DnsRecord[] {
    const records: DnsRecord[] = [];
    if (subscription?.challenge) records.push(subscription.challenge);
    if (cnameTarget) {
      records.push({
        name: target.hostname,
        type: 'CNAME',
        value: cnameTarget,
        purpose: 'cutover: replaces the CNAME to sendgrid.net; publish it once the certificate is issued and the edge check passed',
      });
    }
    return records;
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

  async function readStatus(target: Target, run: RunOptions | undefined, extraWarnings: string[] = [], reads: LookupCache = createLookupCache()): Promise<ProxyStatus> {
    const found = await lookService(target, run, reads);
    const resources: ResourceReference[] = [];
    const warnings = [...extraWarnings];
    const nextSteps: string[] = [];
    let edgeRaw: Record<string, unknown> | undefined;
    let activeComplete = false;
    if (found) {
      resources.push({ kind: 'fastly-service', id: found.service.id, owned: found.owned });
      let drift: VersionChange[] = [];
      let packageHash: string | undefined;
      if (found.active) {
        const contents = await lookContents(found.service, found.active, run, reads);
        packageHash = contents.packageHash;
        const expectedHash = mode === 'compute' && found.service.type === 'wasm' ? await loadPackage().then((built) => built.filesHash, () => undefined) : undefined;
        drift = diffVersion(contents, { hostname: target.hostname, origin: target.origin, mode: found.service.type === 'wasm' ? 'compute' : 'vcl', ...(expectedHash ? { packageHash: expectedHash } : {}) });
        activeComplete = !drift.some((change) => change.action === 'create' && change.kind !== 'snippet');
        for (const change of drift) warnings.push(`The active version ${found.active.number} differs from what sslclick set: ${change.description} Run apply to repair it.`);
      }
      if (!found.owned) warnings.push(`The service "${found.service.name}" (${found.service.id}) was not created by sslclick; it is left alone unless adopt: true.`);
      edgeRaw = {
        serviceId: found.service.id,
        serviceType: found.service.type,
        activeVersion: found.active?.number ?? null,
        latestVersion: found.latest?.number ?? null,
        package: found.service.type === 'wasm' ? (packageHash ? { files_hash: packageHash } : null) : undefined,
        drift: drift.map((change) => change.description),
      };
    }
    const subscription = await findHostSubscription(target, found, run, reads);
    if (subscription) resources.push({ kind: 'fastly-tls-subscription', id: subscription.id, owned: subscription.owned });
    const cnameTarget = subscription ? await lookCnameTarget(subscription.configurationId, run) : undefined;
    const edgeState = edgeStateOf({ serviceExists: found !== undefined, activeVersion: found?.active?.number, activeComplete });
    const certificateState = subscription ? certificateStateOf[subscription.state] : 'absent';

    const checks: CheckResult[] = [];
    let observed: string[] | undefined;
    let pointsToCdn: boolean | undefined;
    if (cnameTarget) {
      const pointing = (await currentCname(target.hostname, run, reads)) === cnameTarget;
      // Once DNS points at Fastly, clicks go through it whatever the API says: always check it.
      const serving = pointing || (certificateState === 'issued' && edgeState === 'deployed');
      const selected: VerifierCheckId[] = serving ? ['dns-points-to-cdn', 'dns-not-sendgrid', 'tls-valid', 'reaches-sendgrid'] : ['dns-points-to-cdn', 'dns-not-sendgrid'];
      const result = await verifyHostname(target.hostname, {
        ...verification,
        expectedTargets: [cnameTarget],
        checks: selected,
        // Before cutover the edge is checked directly, as the pre-cutover check does.
        ...(pointing ? {} : { connectTo: cnameTarget }),
        ...(run?.signal ? { signal: run.signal } : {}),
      });
      checks.push(...result.checks);
      warnings.push(...result.warnings);
      observed = result.observed.dns ? [...result.observed.dns.cnameChain, ...result.observed.dns.addresses] : undefined;
      pointsToCdn = result.observed.dns ? result.observed.dns.cnameChain.includes(cnameTarget) : pointing;
    }

    // What to do next, in order.
    if (!found) nextSteps.push(`Run apply to create the Fastly service for ${target.hostname}.`);
    else if (edgeState !== 'deployed') nextSteps.push('Run apply to finish and activate the Fastly service version.');
    if (subscription?.challenge && (certificateState === 'pending' || certificateState === 'failed')) {
      const seen = (await currentCname(subscription.challenge.name, run, reads)) === subscription.challenge.value;
      if (!seen) {
        nextSteps.push(
          dns
            ? `Run apply to write the certificate validation record ${subscription.challenge.name} CNAME ${subscription.challenge.value} through ${dns.name}.`
            : `Publish the certificate validation record: ${subscription.challenge.name} CNAME ${subscription.challenge.value}, then run apply again.`,
        );
      } else if (certificateState === 'pending') {
        nextSteps.push('Wait for Fastly to issue the certificate (the validation record is in place), then run apply again.');
      }
    }
    if (certificateState === 'failed') nextSteps.push(`Fastly gave up issuing the certificate (state "failed"): check ${subscription?.challenge?.name ?? 'the validation record'} and retry the subscription in the Fastly console.`);
    if (cnameTarget && pointsToCdn !== true) {
      nextSteps.push(
        certificateState === 'issued'
          ? dns
            ? `Run apply to run the pre-cutover check and point ${target.hostname} at ${cnameTarget} through ${dns.name}.`
            : `Point ${target.hostname} at Fastly: CNAME ${cnameTarget} (replacing the CNAME to ${target.origin}) once apply has verified the edge.`
          : `After the certificate is issued and the edge verified, point ${target.hostname} at Fastly: CNAME ${cnameTarget}.`,
      );
    }
    return buildStatus({
      provider,
      hostname: target.hostname,
      origin: target.origin,
      edge: { state: edgeState, ...(cnameTarget ? { target: cnameTarget } : {}), ...(edgeRaw ? { raw: edgeRaw } : {}) },
      certificate: {
        state: certificateState,
        ...(subscription ? { raw: { id: subscription.id, state: subscription.state, certificate_authority: subscription.certificateAuthority, domains: subscription.domains } } : {}),
      },
      dns: { managed: dns !== undefined, required: requiredRecords(target, subscription, cnameTarget), ...(observed ? { observed } : {}), ...(pointsToCdn === undefined ? {} : { pointsToCdn }) },
      resources,
      checks,
      nextSteps,
      warnings,
    });
  }

  /**
   * Before anything else: a hostname that points at our Fastly edge while the edge fails the
   * checks (a run that died before putting DNS back) goes back to SendGrid first.
   */
  async function restoreIfFailing(target: Target, dnsProvider: DnsProvider, run: RunOptions | undefined, reads: LookupCache): Promise<void> {
    // Fastly's CNAME target is shared by every customer: only a host on sslclick's own service
    // (or one being adopted) is sslclick's to move back.
    const found = await lookService(target, run, reads);
    if (!found || (!found.owned && !target.adopt)) return;
    const subscription = await lookSubscription(target, run, reads);
    if (!subscription) return;
    const cnameTarget = await lookCnameTarget(subscription.configurationId, run);
    if (!cnameTarget || (await currentCname(target.hostname, run, reads)) !== cnameTarget) return;
    await restoreFailingCutover({
      hostname: target.hostname,
      provider,
      edgeTarget: cnameTarget,
      restoreRecord: { name: target.hostname, type: 'CNAME', value: target.origin },
      restore: () => {
        reads.invalidate(`cname:${target.hostname}`);
        return dnsProvider.upsertCname(target.hostname, target.origin, { ...run, replaceable: [cnameTarget] });
      },
      dnsName: dnsProvider.name,
      ...(verification ? { verification } : {}),
      ...(run?.signal ? { signal: run.signal } : {}),
      ...(run?.onProgress ? { onProgress: run.onProgress } : {}),
    });
  }

  async function apply(request: ProxyRequest, run?: RunOptions): Promise<ProxyStatus> {
    const target = normalizeRequest(request);
    // Each thing is read once in this call; a write forgets what it changed (see lookService).
    const reads = createLookupCache();
    if (dns) await restoreIfFailing(target, dns, run, reads);
    if (mode === 'compute') await loadPackage();
    // An unknown zone or a DNS token that cannot read it fails here, before any Fastly write.
    if (dns) await currentCname(target.hostname, run, reads);
    throwIfAborted(run?.signal, 'apply');
    await ensureService(target, run, reads);

    let subscription = await lookSubscription(target, run, reads);
    const warnings: string[] = [];
    if (!subscription) {
      throwIfAborted(run?.signal, 'apply');
      reads.invalidate('subscription');
      subscription = await createSubscription(client, target.hostname, certificateAuthority, run);
      emit(run, { type: 'certificate-requested', hostname: target.hostname, message: `Requested a ${certificateAuthority} certificate for ${target.hostname} (TLS subscription ${subscription.id}, managed-dns challenge).` });
    } else if (subscription.certificateAuthority !== certificateAuthority) {
      warnings.push(`The TLS subscription ${subscription.id} uses ${subscription.certificateAuthority}, not ${certificateAuthority}; it is kept as it is.`);
    }
    const cnameTarget = await lookCnameTarget(subscription.configurationId, run);
    const challenge = subscription.challenge;

    if (challenge && dns) {
      // Kept after issuance too: Fastly renews through the same record.
      reads.invalidate(`cname:${challenge.name}`);
      const written = await dns.upsertCname(challenge.name, challenge.value, { ...run, adopt: target.adopt, comment: 'sslclick: Fastly certificate validation' });
      if (written.changed) emit(run, { type: 'dns-record-written', hostname: target.hostname, message: `Wrote ${challenge.name} CNAME ${challenge.value} through ${dns.name}.` });
    }
    if (subscription.state !== 'issued' && subscription.state !== 'renewing') {
      if (!challenge) throw new SslClickError({ code: 'PROVIDER', provider, operation: 'apply', message: `The TLS subscription ${subscription.id} offers no managed-dns challenge for ${target.hostname}.` });
      if (!dns && (await publicLookup(challenge.name)).cnameChain[0] !== challenge.value) {
        emit(run, { type: 'records-required', hostname: target.hostname, message: `Publish ${challenge.name} CNAME ${challenge.value} so Fastly can issue the certificate, then run apply again.` });
        return readStatus(target, run, warnings, reads);
      }
      // The subscription's state changes while waiting: the final status reads it again.
      reads.invalidate('subscription');
      await waitUntil(
        async ({ signal }) => {
          const current = await findSubscription(client, target.hostname, { ...run, ...(signal ? { signal } : {}) });
          const state = current?.state ?? 'missing';
          return { done: state === 'issued' || state === 'renewing', failed: state === 'failed' || state === 'missing', state };
        },
        {
          description: `Fastly to issue the certificate for ${target.hostname}`,
          subject: 'certificate',
          provider,
          hostname: target.hostname,
          minDelay: settings.wait?.minDelay ?? 5_000,
          maxDelay: settings.wait?.maxDelay ?? 60_000,
          maxWaitTime: settings.wait?.maxWaitTime ?? 3_600_000,
          ...(run?.signal ? { signal: run.signal } : {}),
          ...(run?.onProgress ? { onProgress: run.onProgress } : {}),
        },
      );
    }

    if ((await currentCname(target.hostname, run, reads)) !== cnameTarget) {
      // DNS is written (and maybe put back) from here: the final status reads it again.
      reads.invalidate(`cname:${target.hostname}`);
      await checkBeforeCutover({
        hostname: target.hostname,
        edgeTarget: cnameTarget,
        provider,
        ...(verification ? { verification } : {}),
        maxWaitTime: cutoverCheckTimeoutMs,
        ...(run?.signal ? { signal: run.signal } : {}),
        ...(run?.onProgress ? { onProgress: run.onProgress } : {}),
      });
      if (dns) {
        await dns.upsertCname(target.hostname, cnameTarget, {
          ...run,
          replaceable: [...new Set([target.origin, 'sendgrid.net'])],
          adopt: target.adopt,
          comment: 'sslclick: SendGrid HTTPS click tracking through Fastly',
        });
        emit(run, { type: 'dns-cutover', hostname: target.hostname, message: `Pointed ${target.hostname} at ${cnameTarget} through ${dns.name}.` });
        await confirmAfterCutover({
          hostname: target.hostname,
          edgeTarget: cnameTarget,
          provider,
          dns,
          restoreTo: target.origin,
          verification,
          maxWaitTime: Math.min(settings.wait?.maxWaitTime ?? 30_000, 30_000),
          ...(run?.signal ? { signal: run.signal } : {}),
          ...(run?.onProgress ? { onProgress: run.onProgress } : {}),
        });
      } else {
        emit(run, { type: 'records-required', hostname: target.hostname, message: `The edge is verified: point ${target.hostname} CNAME ${cnameTarget}, then run apply again.` });
      }
    }
    return readStatus(target, run, warnings, reads);
  }

  async function plan(request: ProxyRequest, run?: RunOptions): Promise<Plan> {
    const target = normalizeRequest(request);
    const changes: PlannedChange[] = [];
    const warnings: string[] = [];
    const found = await findService(client, target.hostname, run);
    const packageHash = mode === 'compute' ? (await loadPackage()).filesHash : undefined;
    const desired = { hostname: target.hostname, origin: target.origin, mode, ...(packageHash ? { packageHash } : {}) };
    if (!found) {
      changes.push({ resource: { kind: 'fastly-service', name: serviceName(target.hostname) }, action: 'create', description: `Create the Fastly ${mode === 'compute' ? 'Compute (wasm)' : 'VCL'} service "${serviceName(target.hostname)}".` });
      changes.push(...diffVersion({ domains: [], backends: [], snippets: [] }, desired).map((change) => plannedVersionChange(change, undefined)));
      changes.push({ resource: { kind: 'fastly-version', name: '1' }, action: 'update', description: 'Activate version 1.' });
    } else {
      try {
        assertUsable(found, mode, target.adopt);
      } catch (error) {
        warnings.push(error instanceof Error ? error.message : String(error));
      }
      const base = found.active ?? found.latest;
      const versionChanges = base ? diffVersion(await readVersionContents(client, found.service, base.number, run), desired) : [];
      if (versionChanges.length > 0 || !found.active) {
        const editable = found.latest && !found.latest.active && !found.latest.locked;
        if (!editable && base) {
          changes.push({ resource: { kind: 'fastly-version', name: String(base.number), id: found.service.id }, action: 'create', description: `Clone version ${base.number} (active and locked versions are never edited).` });
        }
        changes.push(...versionChanges.map((change) => plannedVersionChange(change, found.service.id)));
        changes.push({ resource: { kind: 'fastly-version', name: 'new', id: found.service.id }, action: 'update', description: 'Activate the new version.' });
      }
    }
    const subscription = await findSubscription(client, target.hostname, run);
    if (!subscription) {
      changes.push({ resource: { kind: 'fastly-tls-subscription', name: target.hostname }, action: 'create', description: `Request a ${certificateAuthority} certificate (managed-dns challenge).` });
    } else {
      const cnameTarget = await configurationCnameTarget(client, subscription.configurationId, run);
      if (subscription.challenge && (await currentCname(subscription.challenge.name, run)) !== subscription.challenge.value) {
        changes.push({
          resource: { kind: 'dns-record', name: subscription.challenge.name },
          action: 'create',
          description: `${dns ? `Write through ${dns.name}` : 'You publish'}: ${subscription.challenge.name} CNAME ${subscription.challenge.value}.`,
        });
      }
      if ((await currentCname(target.hostname, run)) !== cnameTarget) {
        changes.push({ resource: { kind: 'dns-record', name: target.hostname }, action: 'update', description: `${dns ? `Write through ${dns.name}` : 'You publish'}, after the pre-cutover check: ${target.hostname} CNAME ${cnameTarget}.` });
      }
    }
    return { provider, hostname: target.hostname, changes, warnings };
  }

  async function destroy(request: ProxyRequest, run?: RunOptions): Promise<ProxyStatus> {
    const target = normalizeRequest(request);
    const warnings: string[] = [];
    const reads = createLookupCache();
    const found = await lookService(target, run, reads);
    const subscription = await findHostSubscription(target, found, run, reads);
    const cnameTarget = await lookCnameTarget(subscription?.configurationId, run);
    const removesSomething = found?.owned === true || subscription?.owned === true;
    if (dns) {
      if ((await currentCname(target.hostname, run, reads)) === cnameTarget) {
        reads.invalidate(`cname:${target.hostname}`);
        // Links must keep working: DNS goes back to SendGrid before Fastly stops serving.
        await dns.upsertCname(target.hostname, target.origin, { ...run, replaceable: [cnameTarget], comment: 'sslclick: restored to SendGrid' });
        emit(run, { type: 'dns-restored', hostname: target.hostname, message: `Pointed ${target.hostname} back at ${target.origin} through ${dns.name}.` });
      }
    } else if (removesSomething) {
      await assertNoLongerOnFastly(target, cnameTarget);
    }
    throwIfAborted(run?.signal, 'destroy');
    if (subscription?.owned) {
      reads.invalidate('subscription');
      if (dns && subscription.challenge) {
        reads.invalidate(`cname:${subscription.challenge.name}`);
        await dns.deleteCname(subscription.challenge.name, subscription.challenge.value, run);
      }
      await client.write('DELETE', `/tls/subscriptions/${encodeURIComponent(subscription.id)}`, { operation: 'tls.subscriptions.delete', query: { force: 'true' }, allowNotFound: true, run });
      emit(run, { type: 'certificate-deleted', hostname: target.hostname, message: `Deleted the TLS subscription ${subscription.id}.` });
    } else if (subscription) {
      const others = subscription.domains.filter((domain) => domain !== target.hostname);
      warnings.push(
        others.length > 0
          ? `The TLS subscription ${subscription.id} also covers ${others.join(', ')}; sslclick left it alone.`
          : `The TLS subscription ${subscription.id} for ${target.hostname} was made before sslclick's service, so it is not sslclick's; it was left alone.`,
      );
    }
    if (found?.owned) {
      forgetService(reads);
      if (found.active) {
        const serviceId = found.service.id;
        const activeNumber = found.active.number;
        await client.write<FastlyVersion>('PUT', `${servicePath(serviceId)}/version/${activeNumber}/deactivate`, {
          operation: 'version.deactivate',
          // A deactivation whose answer was lost is refused when sent again ("not active").
          recover: async () => {
            const version = await client.get<FastlyVersion>(`${servicePath(serviceId)}/version/${activeNumber}`, { operation: 'version.get', run });
            return version && !version.active ? version : undefined;
          },
          run,
        });
      }
      await client.write('DELETE', servicePath(found.service.id), { operation: 'service.delete', allowNotFound: true, run });
      emit(run, { type: 'service-deleted', hostname: target.hostname, message: `Deactivated and deleted the Fastly service ${found.service.id}.` });
    } else if (found) {
      warnings.push(`The service "${found.service.name}" (${found.service.id}) was not created by sslclick; it was left alone.`);
    }
    return readStatus(target, run, warnings, reads);
  }

  /**
   * Without a DNS provider, destroy cannot move the hostname back itself; removing the service
   * while public DNS still sends clicks to Fastly would break every link already sent. So it
   * refuses (`UNSAFE`, before any write) until DNS shows the hostname off Fastly, and also when
   * DNS cannot be read at all, since then nobody can tell.
   */
  async function assertNoLongerOnFastly(target: Target, cnameTarget: string): Promise<void> {
    const seen = await publicLookup(target.hostname);
    const onFastly = seen.cnameChain.some((name) => name === cnameTarget || /(?:^|\.)(?:fastly\.net|fastlylb\.net)$/.test(name));
    const restore = `${target.hostname} CNAME ${target.origin}`;
    if (onFastly) {
      throw new SslClickError({
        code: 'UNSAFE',
        provider,
        operation: 'destroy',
        message: `${target.hostname} still points at Fastly (${seen.cnameChain.join(' → ')}), so deleting the service now would break every link already sent. Restore the record ${restore} (replacing the CNAME to ${cnameTarget}), wait until DNS shows it, then run destroy again; or give the adapter a dns provider so destroy restores it first.`,
      });
    }
    const readable = seen.errorCode === undefined || seen.cnameChain.length > 0 || seen.errorCode === 'NXDOMAIN' || seen.errorCode === 'ENODATA' || seen.errorCode === 'NOADDRESS';
    if (!readable) {
      throw new SslClickError({
        code: 'UNSAFE',
        provider,
        operation: 'destroy',
        message: `Could not read the DNS of ${target.hostname} (${seen.error ?? seen.errorCode}), so destroy cannot tell whether its links still go through Fastly; nothing was deleted. Make sure ${restore} is published, then run destroy again when DNS answers.`,
      });
    }
  }

  // The one place errors leave the adapter: whatever is thrown, and every progress event, is redacted.
  return withRedactedErrors({
    specificationVersion: 'v1',
    provider,
    capabilities: { managesDns: dns !== undefined, managedCertificate: true },
    plan,
    apply,
    status: (request, run) => readStatus(normalizeRequest(request), run),
    destroy,
  } satisfies ProxyAdapter);
}
