/**
 * The Fastly shared-service mode: one service holds every branded host of the adapter, and
 * hosts join Fastly-managed TLS subscriptions holding many domains. Concurrent `apply` and
 * `destroy` calls coalesce their domain changes into one new service version per batch (see
 * domain-batch.ts), so a fleet does not make one version per host. The order per host stays that
 * of the per-host mode: certificate first (its own `managed-dns` challenge, issued before traffic
 * moves), the proof through the edge, DNS last.
 */
import { randomUUID } from 'node:crypto';
import {
  SslClickError,
  createLookupCache,
  lookupName,
  normalizeHostname,
  type CheckResult,
  type DnsRecord,
  type LookupCache,
  type Plan,
  type PlannedChange,
  type ProgressEvent,
  type ProxyAdapter,
  type ProxyRequest,
  type ProxyStatus,
  type ResourceReference,
  type RunOptions,
} from '@sslclick/core';
import {
  buildStatus,
  invalidInput,
  restoreFailingCutover,
  throwIfAborted,
  waitUntil,
  withRedactedErrors,
} from '@sslclick/core/adapter';
import { checkHostAtEdge } from './edge-checks.js';
import { cutOverToEdge } from './edge-cutover.js';
import { batchRun } from './batch-budget.js';
import { createDomainBatch, type BatchOutcome, type DomainChange } from './domain-batch.js';
import { resolveSharedSettings } from './shared-settings.js';
import { loadEdgePackage, type EdgePackage } from './edge-package.js';
import type { FastlyProxySettings } from './fastly-proxy.js';
import { diffVersion } from './service-configuration.js';
import { readVersionContents, type FoundService } from './service-lookup.js';
import { activeDomainsOf, applyDomainBatch, findSharedService, type SharedServiceContext } from './shared-service.js';
import { covers, findSharedSubscription, ownedBySharedService, placeHosts, removeHosts, type SharedSubscription } from './shared-tls-subscription.js';
import { edgeStateOf } from './status-mapping.js';
import { configurationCnameTarget } from './tls-subscription.js';

export type { FastlySharedServiceSettings } from './shared-settings.js';

interface Target {
  hostname: string;
  origin: string;
  adopt: boolean;
}

interface PendingRequest {
  adopt: boolean;
  run: RunOptions | undefined;
}

const provider = 'fastly';

function cleanName(value: string | undefined): string | undefined {
  return value?.toLowerCase().replace(/\.$/, '');
}

/**
 * Creates the shared-service adapter (`createFastlyProxy` picks it for `shared`). The settings
 * are those of `createFastlyProxy`; `shared` may be `true` or {@link FastlySharedServiceSettings}.
 */
export function createSharedServiceProxy(settings: FastlyProxySettings): ProxyAdapter {
  const { mode, certificateAuthority, serviceName, domainsPerSubscription, batchWindowMs, joinIssued, packageUploadTimeoutMs, cutoverCheckTimeoutMs, dns, client } = resolveSharedSettings(settings);
  const verification = settings.verification;
  // One origin per service: its one `sendgrid` backend.
  const origin = 'sendgrid.net';
  let edgePackage: Promise<EdgePackage> | undefined;
  const loadPackage = (): Promise<EdgePackage> => {
    edgePackage ??= loadEdgePackage(settings.computePackage);
    edgePackage.catch(() => {
      edgePackage = undefined;
    });
    return edgePackage;
  };
  // The configuration's CNAME target never changes: read once per configuration.
  const cnameTargets = new Map<string, Promise<string>>();
  const lookCnameTarget = (configurationId: string | undefined, run: RunOptions | undefined): Promise<string> => {
    const key = configurationId ?? 'default';
    let target = cnameTargets.get(key);
    if (!target) {
      target = configurationCnameTarget(client, configurationId, run);
      target.catch(() => cnameTargets.delete(key));
      cnameTargets.set(key, target);
    }
    return target;
  };
  // What the last batch said about a host on its way out (a subscription left alone, …).
  const removalWarnings = new Map<string, string>();

  // The shared service is one lookup for every host of a run (issue 14: service lookups shared
  // across the hosts of one run), and its details hold every host's domain, so reading it per
  // host made a fleet's status cost the square of its hosts. It is kept in the run's lookup
  // cache (else the adapter's `lookupCache` setting; without either, every call reads afresh)
  // under a generation that each batch of this adapter moves on before its callers go on, so
  // nobody sees the service as it was before a change of ours. Another writer's change shows at
  // the next run. A locked version's contents never change (Fastly never edits a locked version)
  // and are kept beyond the run, as the per-host mode keeps them.
  const lookupScope = `fastly-shared:${randomUUID()}`;
  const ownLookups = createLookupCache();
  let serviceGeneration = 0;
  const runLookups = (run: RunOptions | undefined): LookupCache | undefined => run?.lookupCache ?? settings.lookupCache;
  const lookSharedService = async (run: RunOptions | undefined): Promise<FoundService | undefined> => {
    const cache = runLookups(run);
    if (!cache) return findSharedService(client, serviceName, run);
    return (await cache.get(`${lookupScope}:service:${serviceGeneration}`, async () => (await findSharedService(client, serviceName, run)) ?? null)) ?? undefined;
  };
  const forgetSharedService = (runs: ReadonlyArray<RunOptions | undefined>): void => {
    serviceGeneration += 1;
    for (const cache of new Set([...runs.map(runLookups), settings.lookupCache])) cache?.invalidate(`${lookupScope}:service`);
  };
  const lookActiveContents = (found: FoundService & { active: NonNullable<FoundService['active']> }, run: RunOptions | undefined) =>
    found.active.locked
      ? (run?.lookupCache ?? settings.lookupCache ?? ownLookups).get(`${lookupScope}:locked-version:${found.service.id}:${found.active.number}`, () => readVersionContents(client, found.service, found.active.number, run))
      : readVersionContents(client, found.service, found.active.number, run);

  function emit(run: RunOptions | undefined, event: Omit<ProgressEvent, 'provider'>): void {
    run?.onProgress?.({ provider, ...event });
  }

  const batch = createDomainBatch<PendingRequest>({
    windowMs: batchWindowMs,
    run: async (changes) => {
      const runs = changes.map((change) => change.request.run);
      // The batch's writes are drawn from its calls' write budgets (see batch-budget.ts).
      const written = batchRun(runs);
      const context: SharedServiceContext = {
        client,
        mode,
        serviceName,
        origin,
        loadPackage,
        packageUploadTimeoutMs,
        retry: settings.retry,
        emit: (event) => {
          for (const run of runs) emit(run, event);
        },
      };
      try {
        return await runBatch(changes, context, written);
      } finally {
        // Before any caller of the batch goes on: what they read next is the service after it.
        forgetSharedService(runs);
      }
    },
  });

  /** One batch: removals off their subscriptions, then the service version, then the additions onto subscriptions. */
  async function runBatch(changes: ReadonlyArray<DomainChange<PendingRequest>>, context: SharedServiceContext, written: RunOptions | undefined): Promise<BatchOutcome> {
    const outcome: BatchOutcome = new Map();
    const additions = changes.filter((change) => change.action === 'add');
    let removals = changes.filter((change) => change.action === 'remove').map((change) => change.hostname);
    // Off the subscriptions first (while the domains are still on the service, which is how
    // sslclick's subscriptions are recognised), then off the service.
    if (removals.length > 0) {
      const before = await findSharedService(client, serviceName, undefined);
      const removed = await removeHosts(client, removals, serviceFacts(before), { keepIssued: !joinIssued, isLive }, written);
      for (const [hostname, error] of removed.outcome) outcome.set(hostname, error);
      for (const [hostname, warning] of removed.warnings) removalWarnings.set(hostname, warning);
      removals = [...removals.filter((hostname) => !removed.parked.includes(hostname)), ...removed.released];
      // Hosts parked by earlier calls go now: their validation records too.
      if (dns) for (const challenge of removed.releasedChallenges) await dns.deleteCname(challenge.name, challenge.value, undefined);
    }
    const result = await applyDomainBatch(
      context,
      additions.map((change) => ({ hostname: change.hostname, adopt: change.request.adopt })),
      removals.filter((hostname) => outcome.get(hostname) === undefined),
      written,
    );
    for (const [hostname, error] of result.outcome) outcome.set(hostname, error);
    const placing = additions.map((change) => change.hostname).filter((hostname) => outcome.get(hostname) === undefined && result.activeDomains.includes(hostname));
    if (placing.length > 0) {
      const placed = await placeHosts({ client, certificateAuthority, domainsPerSubscription, joinIssued, service: serviceFacts(result.service) }, placing, written);
      for (const [hostname, error] of placed.outcome) outcome.set(hostname, error);
      if (placed.changed.length > 0) context.emit({ type: 'certificate-requested', message: `Requested ${certificateAuthority} certificates for ${placing.length} host(s) on ${placed.changed.length} TLS subscription(s) (managed-dns challenges).` });
    }
    return outcome;
  }

  /** Whether the host's DNS points at its subscription's Fastly target now. */
  async function isLive(hostname: string, subscription: SharedSubscription): Promise<boolean> {
    return (await currentCname(hostname, undefined)) === (await lookCnameTarget(subscription.configurationId, undefined));
  }

  function serviceFacts(found: FoundService | undefined): { owned: boolean; domains: string[]; createdAt: string | undefined } {
    return { owned: found?.owned === true, domains: activeDomainsOf(found), createdAt: found?.service.created_at };
  }

  function normalizeRequest(request: ProxyRequest, operation: string): Target {
    const hostname = normalizeHostname(request?.hostname);
    const requested = cleanName((request.origin ?? origin).trim()) ?? origin;
    if (requested !== origin) {
      throw invalidInput(`The shared Fastly service forwards every host to ${origin}; "${request.origin}" needs the per-host mode (leave out shared).`, { provider, operation });
    }
    return { hostname, origin, adopt: request.adopt === true };
  }

  /** What public DNS (or the verification resolver) shows for a name; never throws. */
  function publicLookup(name: string) {
    const resolver = verification?.resolver;
    return lookupName(name, { servers: resolver === undefined ? [] : Array.isArray(resolver) ? resolver : [resolver], timeoutMs: verification?.timeoutMs ?? 5_000 });
  }

  async function currentCname(name: string, run: RunOptions | undefined): Promise<string | undefined> {
    if (dns) return cleanName((await dns.getRecords(name, 'CNAME', run))[0]?.value);
    return (await publicLookup(name)).cnameChain[0];
  }

  async function waitForCertificate(target: Target, run: RunOptions | undefined): Promise<void> {
    await waitUntil(
      async ({ signal }) => {
        const current = await findSharedSubscription(client, target.hostname, { ...run, ...(signal ? { signal } : {}) });
        const state = current ? (covers(current, target.hostname) ? 'issued' : current.state) : 'missing';
        return { done: state === 'issued', failed: state === 'failed' || state === 'missing', state };
      },
      {
        description: `Fastly to issue a certificate covering ${target.hostname}`,
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

  async function apply(request: ProxyRequest, run?: RunOptions): Promise<ProxyStatus> {
    const target = normalizeRequest(request, 'apply');
    if (mode === 'compute') await loadPackage();
    // An unknown zone or a DNS token that cannot read it fails here, before any Fastly write.
    if (dns) await currentCname(target.hostname, run);
    throwIfAborted(run?.signal, 'apply');
    const found = await lookSharedService(run);
    let subscription = await findSharedSubscription(client, target.hostname, run);
    if (dns && subscription && activeDomainsOf(found).includes(target.hostname) && (found?.owned || target.adopt)) {
      // A host left pointing at the edge while the edge fails it (a run that died after the
      // cutover) goes back to SendGrid before anything else.
      const edgeTarget = await lookCnameTarget(subscription.configurationId, run);
      if ((await currentCname(target.hostname, run)) === edgeTarget) {
        const dnsProvider = dns;
        await restoreFailingCutover({
          hostname: target.hostname,
          provider,
          edgeTarget,
          restoreRecord: { name: target.hostname, type: 'CNAME', value: target.origin },
          restore: () => dnsProvider.upsertCname(target.hostname, target.origin, { ...run, replaceable: [edgeTarget] }),
          dnsName: dnsProvider.name,
          ...(verification ? { verification } : {}),
          ...(run?.signal ? { signal: run.signal } : {}),
          ...(run?.onProgress ? { onProgress: run.onProgress } : {}),
        });
      }
    }
    if (found && !found.owned && !target.adopt) {
      throw new SslClickError({
        code: 'CONFLICT',
        provider,
        operation: 'apply',
        message: `A Fastly service named "${found.service.name}" (${found.service.id}) exists but was not created by sslclick; pass adopt: true to add hosts to it, or choose another shared.serviceName.`,
      });
    }
    if (!activeDomainsOf(found).includes(target.hostname) || !subscription || (found && (await needsRepair(found, target, run)))) {
      await batch.submit({ hostname: target.hostname, action: 'add', request: { adopt: target.adopt, run } }, run?.signal);
      // The service is not read again here: nothing below needs it, and the final status reads
      // it (a shared service's details hold every host's domain, so each read costs the fleet).
      subscription = await findSharedSubscription(client, target.hostname, run);
    }
    if (!subscription) throw new SslClickError({ code: 'PROVIDER', provider, operation: 'apply', message: `No TLS subscription holds ${target.hostname} after the batch that added it.` });
    const cnameTarget = await lookCnameTarget(subscription.configurationId, run);
    const challenge = subscription.challenges.get(target.hostname);
    if (challenge && dns) {
      // Kept after issuance too: Fastly renews through the same record.
      const written = await dns.upsertCname(challenge.name, challenge.value, { ...run, adopt: target.adopt, comment: 'sslclick: Fastly certificate validation' });
      if (written.changed) emit(run, { type: 'dns-record-written', hostname: target.hostname, message: `Wrote ${challenge.name} CNAME ${challenge.value} through ${dns.name}.` });
    }
    if (!covers(subscription, target.hostname)) {
      if (!challenge) throw new SslClickError({ code: 'PROVIDER', provider, operation: 'apply', message: `The TLS subscription ${subscription.id} offers no managed-dns challenge for ${target.hostname}.` });
      if (!dns && (await publicLookup(challenge.name)).cnameChain[0] !== challenge.value) {
        emit(run, { type: 'records-required', hostname: target.hostname, message: `Publish ${challenge.name} CNAME ${challenge.value} so Fastly can issue the certificate, then run apply again.` });
        return readStatus(target, run);
      }
      await waitForCertificate(target, run);
    }
    if ((await currentCname(target.hostname, run)) !== cnameTarget) {
      await cutOverToEdge({ hostname: target.hostname, origin: target.origin, adopt: target.adopt, cnameTarget, dns, verification, cutoverCheckTimeoutMs, maxWaitTime: settings.wait?.maxWaitTime, emit }, run);
    }
    return readStatus(target, run);
  }

  /** Whether the active version lacks what every host needs (backend, snippet or package). */
  async function needsRepair(found: FoundService, target: Target, run: RunOptions | undefined): Promise<boolean> {
    if (!found.active) return true;
    const contents = await lookActiveContents({ ...found, active: found.active }, run);
    const packageHash = mode === 'compute' ? (await loadPackage()).filesHash : undefined;
    return diffVersion(contents, { hostname: target.hostname, origin, mode, ...(packageHash ? { packageHash } : {}) }).some((change) => change.kind !== 'domain');
  }

  async function destroy(request: ProxyRequest, run?: RunOptions): Promise<ProxyStatus> {
    const target = normalizeRequest(request, 'destroy');
    const warnings: string[] = [];
    const found = await findSharedService(client, serviceName, run);
    const subscription = await findSharedSubscription(client, target.hostname, run);
    const onService = activeDomainsOf(found).includes(target.hostname) || (found?.service.version?.domains ?? []).some((domain) => domain.name.toLowerCase() === target.hostname);
    if (found && onService && !found.owned && !target.adopt) {
      warnings.push(`The service "${found.service.name}" (${found.service.id}) was not created by sslclick; ${target.hostname} was left on it (pass adopt: true to remove it).`);
      return readStatus(target, run, warnings);
    }
    if (!onService && !subscription) return readStatus(target, run, warnings);
    const cnameTarget = await lookCnameTarget(subscription?.configurationId, run);
    if (dns) {
      if ((await currentCname(target.hostname, run)) === cnameTarget) {
        // Links must keep working: DNS goes back to SendGrid before Fastly stops serving.
        await dns.upsertCname(target.hostname, target.origin, { ...run, replaceable: [cnameTarget], comment: 'sslclick: restored to SendGrid' });
        emit(run, { type: 'dns-restored', hostname: target.hostname, message: `Pointed ${target.hostname} back at ${target.origin} through ${dns.name}.` });
      }
    } else {
      await assertNoLongerOnFastly(target, cnameTarget);
    }
    throwIfAborted(run?.signal, 'destroy');
    await batch.submit({ hostname: target.hostname, action: 'remove', request: { adopt: target.adopt, run } }, run?.signal);
    // Only once the host is off its subscription: the others' re-issue still validates every
    // domain on it, this one's included, until then.
    const warning = removalWarnings.get(target.hostname);
    const challenge = subscription?.challenges.get(target.hostname);
    const stillOnSubscription = challenge !== undefined && (await findSharedSubscription(client, target.hostname, run)) !== undefined;
    if (dns && challenge && !stillOnSubscription) await dns.deleteCname(challenge.name, challenge.value, run);
    if (warning) {
      warnings.push(warning);
      removalWarnings.delete(target.hostname);
    }
    if (!stillOnSubscription) emit(run, { type: 'service-deleted', hostname: target.hostname, message: `Removed ${target.hostname} from the shared Fastly service and its TLS subscription.` });
    return readStatus(target, run, warnings);
  }

  /** Refuses (`UNSAFE`, before any write) while public DNS still sends the host to Fastly, or cannot be read. */
  async function assertNoLongerOnFastly(target: Target, cnameTarget: string): Promise<void> {
    const seen = await publicLookup(target.hostname);
    const restore = `${target.hostname} CNAME ${target.origin}`;
    if (seen.cnameChain.some((name) => name === cnameTarget || /(?:^|\.)(?:fastly\.net|fastlylb\.net)$/.test(name))) {
      throw new SslClickError({
        code: 'UNSAFE',
        provider,
        operation: 'destroy',
        message: `${target.hostname} still points at Fastly (${seen.cnameChain.join(' → ')}), so removing it from the shared service now would break every link already sent. Restore the record ${restore}, wait until DNS shows it, then run destroy again; or give the adapter a dns provider so destroy restores it first.`,
      });
    }
    const readable = seen.errorCode === undefined || seen.cnameChain.length > 0 || seen.errorCode === 'NXDOMAIN' || seen.errorCode === 'ENODATA' || seen.errorCode === 'NOADDRESS';
    if (!readable) {
      throw new SslClickError({
        code: 'UNSAFE',
        provider,
        operation: 'destroy',
        message: `Could not read the DNS of ${target.hostname} (${seen.error ?? seen.errorCode}), so destroy cannot tell whether its links still go through Fastly; nothing was changed. Make sure ${restore} is published, then run destroy again.`,
      });
    }
  }

  async function readStatus(target: Target, run: RunOptions | undefined, extraWarnings: string[] = []): Promise<ProxyStatus> {
    const found = await lookSharedService(run);
    const subscription = await findSharedSubscription(client, target.hostname, run);
    const warnings = [...extraWarnings];
    const nextSteps: string[] = [];
    const resources: ResourceReference[] = [];
    const active = activeDomainsOf(found).includes(target.hostname);
    const onLatest = (found?.service.version?.domains ?? []).some((domain) => domain.name.toLowerCase() === target.hostname);
    let activeComplete = false;
    if (found && (active || onLatest)) {
      resources.push({ kind: 'fastly-service', id: found.service.id, owned: found.owned });
      if (active && found.active) activeComplete = !(await needsRepair(found, target, run));
      if (!found.owned) warnings.push(`The service "${found.service.name}" (${found.service.id}) was not created by sslclick; hosts are added to it only with adopt: true.`);
    }
    const owned = subscription ? ownedBySharedService(subscription, serviceFacts(found)) : false;
    if (subscription) resources.push({ kind: 'fastly-tls-subscription', id: subscription.id, owned });
    const cnameTarget = subscription ? await lookCnameTarget(subscription.configurationId, run) : undefined;
    const edgeState = edgeStateOf({ serviceExists: active || onLatest, activeVersion: active ? found?.active?.number : undefined, activeComplete });
    const certificateState: ProxyStatus['certificate']['state'] = !subscription ? 'absent' : covers(subscription, target.hostname) ? 'issued' : subscription.state === 'failed' ? 'failed' : 'pending';
    const challenge = subscription?.challenges.get(target.hostname);

    const checks: CheckResult[] = [];
    let observed: string[] | undefined;
    let pointsToCdn: boolean | undefined;
    if (cnameTarget) {
      const pointing = (await currentCname(target.hostname, run)) === cnameTarget;
      const found = await checkHostAtEdge({ hostname: target.hostname, cnameTarget, pointing, apiSaysServing: certificateState === 'issued' && edgeState === 'deployed', verification }, run);
      checks.push(...found.checks);
      warnings.push(...found.warnings);
      ({ observed, pointsToCdn } = found);
    }
    if (!active) nextSteps.push(`Run apply to add ${target.hostname} to the shared Fastly service "${serviceName}".`);
    else if (edgeState !== 'deployed') nextSteps.push('Run apply to repair the shared service\'s active version.');
    if (challenge && certificateState !== 'issued') {
      const seen = (await currentCname(challenge.name, run)) === challenge.value;
      nextSteps.push(
        !seen
          ? dns
            ? `Run apply to write the certificate validation record ${challenge.name} CNAME ${challenge.value} through ${dns.name}.`
            : `Publish the certificate validation record: ${challenge.name} CNAME ${challenge.value}, then run apply again.`
          : 'Wait for Fastly to issue the certificate (the validation record is in place), then run apply again.',
      );
    }
    if (cnameTarget && pointsToCdn !== true) {
      nextSteps.push(
        certificateState === 'issued'
          ? `Point ${target.hostname} at Fastly: CNAME ${cnameTarget} (replacing the CNAME to ${target.origin}) once apply has verified the edge.`
          : `After the certificate is issued and the edge verified, point ${target.hostname} at Fastly: CNAME ${cnameTarget}.`,
      );
    }
    const required: DnsRecord[] = [];
    if (challenge) required.push(challenge);
    if (cnameTarget) required.push({ name: target.hostname, type: 'CNAME', value: cnameTarget, purpose: 'cutover: replaces the CNAME to sendgrid.net; publish it once the certificate is issued and the edge check passed' });
    return buildStatus({
      provider,
      hostname: target.hostname,
      origin: target.origin,
      edge: {
        state: edgeState,
        ...(cnameTarget ? { target: cnameTarget } : {}),
        ...(found ? { raw: { serviceId: found.service.id, serviceName: found.service.name, shared: true, activeVersion: found.active?.number ?? null, domains: activeDomainsOf(found).length } } : {}),
      },
      certificate: {
        state: certificateState,
        ...(subscription ? { raw: subscriptionRaw(subscription) } : {}),
      },
      dns: { managed: dns !== undefined, required, ...(observed ? { observed } : {}), ...(pointsToCdn === undefined ? {} : { pointsToCdn }) },
      resources,
      checks,
      nextSteps,
      warnings,
    });
  }

  function subscriptionRaw(subscription: SharedSubscription): Record<string, unknown> {
    return { id: subscription.id, state: subscription.state, certificate_authority: subscription.certificateAuthority, domains: subscription.domains.length, has_certificate: subscription.hasCertificate };
  }

  /**
   * The changes `apply` would make for the host, each with the Fastly writes it costs the host
   * (`writes`, which `setupAccount` reserves from the write budget). A host's own write is its
   * domain on the batch's version; the rest of a batch is shared by its hosts: a clone, an
   * activation and one subscription write (a PATCH adding the batch's hosts, or a POST for a new
   * subscription), 3 writes per batch, 4 when the batch also starts a new subscription and 5 for
   * the batch that creates the service (its backend and its package or snippet instead of the
   * clone). Each host reserves 1 write as its share of that: 2 per host, which covers a batch of
   * 3 hosts or more (5 for the service's first batch); `setupAccount` at its default concurrency
   * and the batch window make larger ones. A smaller batch takes its remaining writes from the
   * shared budget as it sends them (batch-budget.ts), so the budget holds either way (a lone
   * host makes 4 writes for the 2 it reserved, 6 when it creates the service). DNS records cost
   * none: they are written through another vendor's DNS provider, or by the user.
   */
  async function plan(request: ProxyRequest, run?: RunOptions): Promise<Plan> {
    const target = normalizeRequest(request, 'plan');
    const changes: PlannedChange[] = [];
    const warnings: string[] = [];
    const found = await findSharedService(client, serviceName, run);
    if (found && !found.owned && !target.adopt) warnings.push(`The service "${found.service.name}" (${found.service.id}) was not created by sslclick; apply refuses without adopt: true.`);
    // Made once for every host, by the first batch: no host reserves its writes (see above).
    if (!found) changes.push({ resource: { kind: 'fastly-service', name: serviceName }, action: 'create', description: `Create the shared Fastly ${mode === 'compute' ? 'Compute (wasm)' : 'VCL'} service "${serviceName}" (once for every host).`, writes: 0 });
    const subscription = await findSharedSubscription(client, target.hostname, run);
    const joinsBatch = !activeDomainsOf(found).includes(target.hostname);
    if (joinsBatch) {
      changes.push({
        resource: { kind: 'fastly-domain', name: target.hostname, ...(found ? { id: found.service.id } : {}) },
        action: 'create',
        description: `Add ${target.hostname} to the shared service, in a version made for every host of the batch.`,
        // Its domain, and its share of the batch's clone, activation and subscription write.
        writes: 2,
      });
    }
    if (!subscription) {
      changes.push({
        resource: { kind: 'fastly-tls-subscription', name: target.hostname },
        action: 'update',
        description: `Put ${target.hostname} on a TLS subscription with room (up to ${domainsPerSubscription} hosts each), or a new one.`,
        // Counted with the domain when the host joins a batch; alone, the one subscription write.
        writes: joinsBatch ? 0 : 1,
      });
    } else {
      const challenge = subscription.challenges.get(target.hostname);
      if (challenge && (await currentCname(challenge.name, run)) !== challenge.value) {
        changes.push({ resource: { kind: 'dns-record', name: challenge.name }, action: 'create', description: `${dns ? `Write through ${dns.name}` : 'You publish'}: ${challenge.name} CNAME ${challenge.value}.`, writes: 0 });
      }
      const cnameTarget = await lookCnameTarget(subscription.configurationId, run);
      if ((await currentCname(target.hostname, run)) !== cnameTarget) {
        changes.push({ resource: { kind: 'dns-record', name: target.hostname }, action: 'update', description: `${dns ? `Write through ${dns.name}` : 'You publish'}, after the pre-cutover check: ${target.hostname} CNAME ${cnameTarget}.`, writes: 0 });
      }
    }
    return { provider, hostname: target.hostname, changes, warnings };
  }

  return withRedactedErrors({
    specificationVersion: 'v1',
    provider,
    capabilities: { managesDns: dns !== undefined, managedCertificate: true },
    plan,
    apply,
    status: (request, run) => readStatus(normalizeRequest(request, 'status'), run),
    destroy,
  } satisfies ProxyAdapter);
}
