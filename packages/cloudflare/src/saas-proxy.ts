import { randomUUID } from 'node:crypto';
import { SslClickError, type DnsProvider, type LookupCache, type DnsRecord, type Plan, type PlannedChange, type ProxyAdapter, type ProxyRequest, type ProxyStatus, type RunOptions } from '@sslclick/core';
import {
  DEFAULT_CUTOVER_CHECK_TIMEOUT_MS,
  cachedLookup,
  checkBeforeCutover,
  confirmAfterCutover,
  invalidInput,
  readCutoverCheckTimeoutMs,
  requireVerificationForLocalEndpoints,
  restoreFailingCutover,
  throwIfAborted,
  waitUntil,
  withRedactedErrors,
} from '@sslclick/core/adapter';
import { createCloudflareConnection } from './cloudflare-client.js';
import {
  createCustomHostname,
  deleteCustomHostname,
  deleteMarker,
  findCustomHostname,
  findMarker,
  getCustomHostname,
  noteMarkerRecords,
  useTxtValidation,
  validationRecords,
  writeMarker,
  type CustomHostnameSummary,
  type OwnershipMarker,
} from './custom-hostname.js';
import { verifyOnce } from './edge-verification.js';
import { ensureProvider, providerReady, readFallbackOrigin, readProvider, type ProviderState } from './fallback-origin.js';
import { normalizeRequest, type NormalizedRequest } from './planned-changes.js';
import { publicViewOf, txtRecordsVisible } from './saas-public-dns.js';
import { validateSaasSettings, type CloudflareSaasProxySettings } from './saas-settings.js';
import { buildSaasStatus, isFailedCustomHostname, type SaasStatusContext } from './saas-status-mapping.js';

const provider = 'cloudflare';

/** What one host looks like in the provider zone. */
interface HostState {
  custom?: CustomHostnameSummary | undefined;
  marker?: OwnershipMarker | undefined;
}

/**
 * Cloudflare for SaaS: every branded host is a custom hostname of one provider zone, whose
 * fallback origin is a proxied CNAME to SendGrid (SSL Full). Per host, `apply` creates the
 * custom hostname with TXT validation, publishes its two TXT records (ownership and certificate
 * DCV) through the host's DnsProvider (or lists them to publish), waits until Cloudflare reports
 * the hostname and its certificate active, proves the certificate and the path to SendGrid
 * through the edge (dialling the CNAME target with SNI and Host = the branded host), and only
 * then moves the host's CNAME to the CNAME target. Cloudflare sends the custom hostname as both
 * Host and SNI to the fallback origin, so SendGrid sees the branded Host.
 */
export function createCloudflareSaasProxy(settings: CloudflareSaasProxySettings): ProxyAdapter {
  const connection = createCloudflareConnection(settings, 'createCloudflareProxy');
  const names = validateSaasSettings(settings);
  requireVerificationForLocalEndpoints({ provider, endpoints: [settings.baseURL], verification: settings.verification });
  const cutoverCheckTimeoutMs = readCutoverCheckTimeoutMs(settings, provider) ?? DEFAULT_CUTOVER_CHECK_TIMEOUT_MS;
  const zoneId = settings.zoneId.toLowerCase();
  const dns: DnsProvider | undefined = settings.dns;
  const verification = settings.verification ?? {};
  const wait = { minDelay: settings.wait?.minDelay ?? 5_000, maxDelay: settings.wait?.maxDelay ?? 30_000, maxWaitTime: settings.wait?.maxWaitTime ?? 900_000 };
  // Once the shared parts were found in place and active, later runs of this adapter skip them:
  // a fleet reads the provider zone once, not once per host.
  let providerInPlace: ProviderState | undefined;

  const progress = (run: RunOptions, type: string, message: string, hostname: string, detail?: Record<string, unknown>): void => {
    run.onProgress?.({ type, message, provider, hostname, ...(detail ? { detail } : {}) });
  };

  function checkOrigin(request: NormalizedRequest): void {
    if (request.origin !== names.origin) {
      throw invalidInput(
        `${request.hostname} asks for the origin ${request.origin}, but this provider zone's fallback origin forwards to ${names.origin}: one zone has one fallback origin. Use a provider zone (and adapter with origin: "${request.origin}") for these hosts.`,
        { provider, operation: 'apply' },
      );
    }
  }

  // Entries this adapter puts in a shared lookup cache are its own (another token or zone never gets them).
  const providerKey = `cloudflare-saas:${randomUUID()}:provider`;
  const cacheOf = (run: RunOptions): LookupCache | undefined => run.lookupCache ?? settings.lookupCache;

  /** The shared parts as they are now: read once per run when the run shares a lookup cache, else afresh. */
  async function providerState(run: RunOptions): Promise<ProviderState> {
    return cachedLookup(cacheOf(run), providerKey, () => readProvider(connection, zoneId, names, run));
  }

  // Hosts applied at once (setupAccount) share one ensure of the shared parts: two would both
  // find no fallback record and both create it.
  let ensuring: Promise<ProviderState> | undefined;

  /** The shared parts in place and the fallback origin active (waits for it); one ensure at a time. */
  async function ensureProviderReady(hostname: string, run: RunOptions): Promise<ProviderState> {
    if (providerInPlace) return providerInPlace;
    ensuring ??= ensureProviderOnce(hostname, run).finally(() => {
      ensuring = undefined;
    });
    return ensuring;
  }

  async function ensureProviderOnce(hostname: string, run: RunOptions): Promise<ProviderState> {
    let state = await readProvider(connection, zoneId, names, run);
    state = await ensureProvider(connection, state, run, (type, message) => progress(run, type, message, hostname));
    if (state.fallbackOrigin?.status !== 'active') {
      const result = await waitUntil(
        async () => {
          const fallbackOrigin = await readFallbackOrigin(connection, zoneId, run);
          const status = fallbackOrigin?.status ?? 'unknown';
          return { done: status === 'active', value: fallbackOrigin, state: status, failed: status.endsWith('_timed_out') };
        },
        { description: `the fallback origin ${state.fallbackName} to become active`, subject: 'fallback-origin', provider, hostname, ...wait, ...runWait(run) },
      );
      state = { ...state, fallbackOrigin: result.value };
    }
    if (providerReady(state)) providerInPlace = state;
    // What the run's other reads get from now on is the state just written, not what was read before.
    const cache = cacheOf(run);
    if (cache) {
      cache.invalidate(providerKey);
      await cache.get(providerKey, async () => state);
    }
    return state;
  }

  async function readHost(hostname: string, state: ProviderState, run: RunOptions): Promise<HostState> {
    const custom = await findCustomHostname(connection, zoneId, hostname, run);
    const marker = await findMarker(connection, zoneId, state.zone.name, hostname, run);
    return { custom, marker };
  }

  function runWait(run: RunOptions): { signal?: AbortSignal; onProgress?: RunOptions['onProgress'] } {
    return { ...(run.signal ? { signal: run.signal } : {}), ...(run.onProgress ? { onProgress: run.onProgress } : {}) };
  }

  /** Polls the custom hostname until Cloudflare hands out both TXT records (its create answer may not carry them). */
  async function waitForValidationRecords(custom: CustomHostnameSummary, run: RunOptions): Promise<CustomHostnameSummary> {
    if (custom.ownership && (custom.dcv || custom.sslStatus === 'active')) return custom;
    const result = await waitUntil(
      async () => {
        const now = await getCustomHostname(connection, zoneId, custom.id, run);
        if (!now) throw new SslClickError({ code: 'CONFLICT', provider, operation: 'apply', message: `The custom hostname ${custom.hostname} (${custom.id}) was deleted while sslclick waited for its validation records. Run apply again.` });
        return { done: Boolean(now.ownership && (now.dcv || now.sslStatus === 'active')), value: now, state: now.sslStatus, failed: isFailedCustomHostname(now) };
      },
      { description: `Cloudflare to give the validation records of ${custom.hostname}`, subject: 'validation-records', provider, hostname: custom.hostname, ...wait, ...runWait(run) },
    );
    return result.value ?? custom;
  }

  /** Polls until the hostname and its certificate are active (or failed). */
  async function waitForActive(custom: CustomHostnameSummary, run: RunOptions): Promise<CustomHostnameSummary> {
    if (custom.status === 'active' && custom.sslStatus === 'active') return custom;
    const result = await waitUntil(
      async () => {
        const now = await getCustomHostname(connection, zoneId, custom.id, run);
        if (!now) throw new SslClickError({ code: 'CONFLICT', provider, operation: 'apply', message: `The custom hostname ${custom.hostname} (${custom.id}) was deleted while sslclick waited for it. Run apply again.` });
        return { done: now.status === 'active' && now.sslStatus === 'active', value: now, state: `hostname ${now.status}, certificate ${now.sslStatus}`, failed: isFailedCustomHostname(now) };
      },
      { description: `the custom hostname ${custom.hostname} and its certificate to become active`, subject: 'certificate', provider, hostname: custom.hostname, ...wait, ...runWait(run) },
    );
    return result.value ?? custom;
  }

  function status$(context: Omit<SaasStatusContext, 'dnsManaged'>): ProxyStatus {
    return buildSaasStatus({ ...context, dnsManaged: dns !== undefined });
  }

  async function apply(input: ProxyRequest, run: RunOptions = {}): Promise<ProxyStatus> {
    const request = normalizeRequest(input);
    const { hostname, origin } = request;
    checkOrigin(request);
    throwIfAborted(run.signal, 'apply');
    const state = await ensureProviderReady(hostname, run);
    const target = state.targetName;
    let { custom, marker } = await readHost(hostname, state, run);

    // A custom hostname sslclick did not create is someone else's (another SaaS setup in this
    // zone): without adopt it is a conflict, and nothing is changed.
    if (custom && !marker && !request.adopt) {
      throw new SslClickError({
        code: 'CONFLICT',
        provider,
        operation: 'apply',
        message: `${hostname} is already a custom hostname (${custom.id}, "${custom.status}") of ${state.zone.name} that sslclick did not create; it is left alone. Pass adopt: true to take it over. Nothing was changed.`,
      });
    }

    // Before anything else: DNS that points at the target while the edge fails the checks (a run
    // that died right after the cutover) goes back to SendGrid, where sslclick writes DNS.
    let view = await publicViewOf(hostname, target, origin, verification);
    if (view.pointsToTarget && dns) {
      const outcome = await restoreFailingCutover({
        hostname,
        provider,
        edgeTarget: target,
        restoreRecord: { name: hostname, type: 'CNAME', value: origin },
        restore: () => dns.upsertCname(hostname, origin, { ...run, replaceable: [target], comment: `sslclick: ${hostname} back to SendGrid` }),
        dnsName: dns.name,
        verification,
        ...runWait(run),
      });
      if (outcome.restored) {
        progress(run, 'dns-restored', `${hostname} pointed at Cloudflare, which failed the checks (${outcome.finding}); it is back at ${origin}.`, hostname);
        view = await publicViewOf(hostname, target, origin, verification);
      }
    }

    // 1. The marker first (so a run stopped after the create still knows the hostname is ours), then the custom hostname.
    if (!marker) {
      marker = await writeMarker(connection, zoneId, state.zone.name, hostname, run);
      progress(run, 'marker-written', `Noted in ${state.zone.name} that sslclick manages the custom hostname ${hostname}.`, hostname);
    }
    if (!custom) {
      custom = await createCustomHostname(connection, zoneId, hostname, run);
      progress(run, 'custom-hostname-created', `${hostname} is a custom hostname of ${state.zone.name} (${custom.id}), validated by TXT records.`, hostname, { id: custom.id });
    } else if (custom.sslMethod !== 'txt' && custom.sslStatus !== 'active') {
      custom = await useTxtValidation(connection, zoneId, custom.id, run);
      progress(run, 'custom-hostname-updated', `The adopted custom hostname ${hostname} now validates its certificate by TXT record.`, hostname);
    }
    if (isFailedCustomHostname(custom)) {
      return status$({ hostname, origin, provider: state, custom, marker, owned: true, pointsToCdn: view.pointsToTarget, observedDns: view.observed, edgeProven: false, nextSteps: [`The custom hostname ${hostname} is "${custom.status}" with its certificate "${custom.sslStatus}" at Cloudflare, and will not become active by waiting. Run destroy, then apply again, to start over.`] });
    }

    // 2. The TXT records, published before anything moves.
    custom = await waitForValidationRecords(custom, run);
    const txt = validationRecords(custom);
    const known = marker.noted;
    const unnoted = txt.filter((record) => !known.some((entry) => entry.name === record.name && entry.value === record.value));
    if (unnoted.length > 0) marker = await noteMarkerRecords(connection, zoneId, marker, hostname, [...known, ...unnoted.map(({ name, value }) => ({ name, value }))], run);
    const active = custom.status === 'active' && custom.sslStatus === 'active';
    if (!active) {
      if (dns?.upsertTxt) {
        for (const record of txt) {
          const written = await dns.upsertTxt(record.name, record.value, { ...run, comment: `sslclick: ${record.purpose ?? 'validation'}` });
          if (written.changed) progress(run, 'validation-record-written', `${record.name} TXT is published through ${dns.name}.`, hostname);
        }
      } else if (!(await txtRecordsVisible(txt, verification))) {
        return status$({
          hostname,
          origin,
          provider: state,
          custom,
          marker,
          owned: true,
          validationVisible: false,
          pointsToCdn: view.pointsToTarget,
          observedDns: view.observed,
          edgeProven: false,
          nextSteps: [
            `Publish the TXT records listed in dns.required at the DNS host of ${hostname} (${txt.map((record) => record.name).join(' and ')}), then run apply again: Cloudflare validates the hostname and issues its certificate before any traffic moves.`,
            `Leave ${hostname} pointing at ${origin} until apply says the certificate is proven through Cloudflare.`,
          ],
        });
      }
    }

    // 3. Hostname and certificate active at Cloudflare.
    custom = await waitForActive(custom, run);
    if (isFailedCustomHostname(custom)) {
      return status$({ hostname, origin, provider: state, custom, marker, owned: true, pointsToCdn: view.pointsToTarget, observedDns: view.observed, edgeProven: false, nextSteps: [`The custom hostname ${hostname} failed at Cloudflare (hostname "${custom.status}", certificate "${custom.sslStatus}"): check the TXT records, run destroy, then apply again.`] });
    }
    throwIfAborted(run.signal, 'apply');

    // 4. Proof through the edge before DNS moves: dial the CNAME target with SNI and Host = the host.
    const currentView = await publicViewOf(hostname, target, origin, verification);
    if (!currentView.pointsToTarget) {
      try {
        await checkBeforeCutover({ hostname, edgeTarget: target, provider, verification, maxWaitTime: cutoverCheckTimeoutMs, ...runWait(run) });
      } catch (error) {
        if (!SslClickError.isInstance(error) || error.code === 'ABORTED') throw error;
        const last = await verifyOnce(hostname, verification, run.signal, target);
        return status$({ hostname, origin, provider: state, custom, marker, owned: true, pointsToCdn: false, observedDns: currentView.observed, edgeProven: false, edgeCheckFailed: true, verifierChecks: last.checks, nextSteps: [`${error.message}`, `Leave ${hostname} at ${origin}; fix what the checks name, then run apply again.`] });
      }
      // 5. The cutover.
      if (!dns) {
        return status$({
          hostname,
          origin,
          provider: state,
          custom,
          marker,
          owned: true,
          pointsToCdn: false,
          observedDns: currentView.observed,
          edgeProven: true,
          nextSteps: [
            `Cloudflare serves ${hostname} with a valid certificate and reaches SendGrid (checked through ${target}). Now change ${hostname} from CNAME ${origin} to CNAME ${target} at its DNS host, then run apply again (or wait with setup) to finish.`,
            `If the link branding of ${hostname} is not validated in SendGrid yet, validate it before that change: once ${hostname} points at Cloudflare, SendGrid's validation can never pass again.`,
          ],
        });
      }
      const written = await dns.upsertCname(hostname, target, { ...run, replaceable: [origin], adopt: request.adopt, comment: `sslclick: ${hostname} through Cloudflare for SaaS` });
      if (written.changed) {
        progress(run, 'dns-cutover', `${hostname} is now a CNAME to ${target} in ${dns.name}.`, hostname);
        await confirmAfterCutover({ hostname, edgeTarget: target, provider, dns, restoreTo: origin, verification, maxWaitTime: cutoverCheckTimeoutMs, ...runWait(run) });
      }
    }

    // 6. The host as the world sees it.
    const finalView = await publicViewOf(hostname, target, origin, verification);
    const live = finalView.pointsToTarget ? await verifyOnce(hostname, verification, run.signal) : undefined;
    return status$({
      hostname,
      origin,
      provider: state,
      custom,
      marker,
      owned: true,
      pointsToCdn: finalView.pointsToTarget,
      observedDns: finalView.observed,
      edgeProven: true,
      ...(live ? { verifierChecks: live.checks } : {}),
      ...(finalView.pointsToTarget ? {} : { nextSteps: [`Public DNS does not show ${hostname} as a CNAME to ${target} yet; wait for it (setup waits), then check with status.`] }),
    });
  }

  async function status(input: ProxyRequest, run: RunOptions = {}): Promise<ProxyStatus> {
    const request = normalizeRequest(input);
    const { hostname, origin } = request;
    throwIfAborted(run.signal, 'status');
    const state = await providerState(run);
    const { custom, marker } = await readHost(hostname, state, run);
    const view = await publicViewOf(hostname, state.targetName, origin, verification);
    const owned = Boolean(custom && (marker || request.adopt));
    const txt = custom && owned ? validationRecords(custom) : [];
    const validationVisible = custom && owned && custom.status !== 'active' && txt.length > 0 ? await txtRecordsVisible(txt, verification) : undefined;
    // Once DNS points at Cloudflare, clicks go through it whatever the API says: check as a click would.
    const live = view.pointsToTarget ? await verifyOnce(hostname, verification, run.signal) : undefined;
    return status$({
      hostname,
      origin,
      provider: state,
      custom,
      marker,
      owned,
      validationVisible,
      pointsToCdn: view.pointsToTarget,
      observedDns: view.observed,
      edgeProven: Boolean(custom && custom.status === 'active' && custom.sslStatus === 'active'),
      ...(live ? { verifierChecks: live.checks } : {}),
    });
  }

  async function plan(input: ProxyRequest, run: RunOptions = {}): Promise<Plan> {
    const request = normalizeRequest(input);
    checkOrigin(request);
    throwIfAborted(run.signal, 'plan');
    const state = await providerState(run);
    const { custom, marker } = await readHost(request.hostname, state, run);
    const changes: PlannedChange[] = [];
    const warnings: string[] = [];
    const shared = (kind: string, name: string, inPlace: boolean, description: string): void => {
      changes.push({ resource: { kind, name }, action: inPlace ? 'none' : 'create', description });
    };
    shared('dns-record', state.fallbackName, Boolean(state.fallbackRecord?.proxied && state.fallbackRecord.content === state.origin), `The fallback origin record: a proxied CNAME to ${state.origin}.`);
    shared('dns-record', state.targetName, Boolean(state.targetRecord?.proxied && state.targetRecord.content === state.fallbackName), `The CNAME target: a proxied CNAME to ${state.fallbackName}.`);
    changes.push({ resource: { kind: 'zone-setting', name: 'ssl' }, action: state.sslMode === 'full' ? 'none' : 'update', description: `SSL mode Full on ${state.zone.name} (now "${state.sslMode}").` });
    shared('fallback-origin', state.fallbackName, state.fallbackOrigin?.origin === state.fallbackName, `The fallback origin of ${state.zone.name}.`);
    if (custom && !marker && !request.adopt) warnings.push(`${request.hostname} is a custom hostname sslclick did not create: apply will stop with CONFLICT unless adopt: true.`);
    changes.push({ resource: { kind: 'custom-hostname', name: request.hostname, ...(custom ? { id: custom.id } : {}) }, action: custom ? 'none' : 'create', description: `The custom hostname ${request.hostname} with TXT validation.` });
    changes.push({ resource: { kind: 'dns-record', name: `${request.hostname} (TXT ×2)` }, action: custom?.status === 'active' ? 'none' : 'create', description: dns?.upsertTxt ? `The TXT pre-validation records, through ${dns.name}.` : 'The TXT pre-validation records, for you to publish.' });
    changes.push({ resource: { kind: 'dns-record', name: request.hostname }, action: 'update', description: `${request.hostname} CNAME ${state.targetName}, once the certificate is proven through the edge${dns ? ` (through ${dns.name})` : ' (for you to publish)'}.` });
    return { provider, hostname: request.hostname, changes, warnings };
  }

  async function destroy(input: ProxyRequest, run: RunOptions = {}): Promise<ProxyStatus> {
    const request = normalizeRequest(input);
    const { hostname, origin } = request;
    throwIfAborted(run.signal, 'destroy');
    const state = await providerState(run);
    const target = state.targetName;
    const { custom, marker } = await readHost(hostname, state, run);
    const owned = Boolean(marker || (custom && request.adopt));
    if (custom && !owned) {
      return status$({ hostname, origin, provider: state, custom, owned: false, pointsToCdn: false, edgeProven: false });
    }

    // 1. DNS back at SendGrid first, and seen there by the public, before Cloudflare lets go.
    if (dns) {
      const cname = (await dns.getRecords(hostname, 'CNAME', run)).find((record) => record.value.toLowerCase().replace(/\.$/, '') === target);
      if (cname) {
        await dns.upsertCname(hostname, origin, { ...run, replaceable: [target], comment: `sslclick: ${hostname} back to SendGrid` });
        progress(run, 'dns-restored', `${hostname} is a CNAME to ${origin} again in ${dns.name}.`, hostname);
      }
    }
    let view = await publicViewOf(hostname, target, origin, verification);
    if (view.pointsToTarget && dns) {
      // The write is made; give the public DNS the cutover check's time to show it.
      await waitUntil(
        async () => {
          view = await publicViewOf(hostname, target, origin, verification);
          return { done: !view.pointsToTarget, state: view.observed.join(' → ') || 'no answer' };
        },
        { description: `the public DNS to show ${hostname} at ${origin} again`, subject: 'dns', provider, hostname, minDelay: 200, maxDelay: 2_000, maxWaitTime: cutoverCheckTimeoutMs, ...runWait(run) },
      ).catch((error: unknown) => {
        if (SslClickError.isInstance(error) && error.code === 'ABORTED') throw error;
      });
    }
    if (view.pointsToTarget) {
      throw new SslClickError({
        code: 'UNSAFE',
        provider,
        operation: 'destroy',
        message: `${hostname} is still a CNAME to ${target} in the public DNS: removing its custom hostname now would break every link. Nothing was removed. Point ${hostname} back at CNAME ${origin} at its DNS host, wait for it to show, then run destroy again.`,
      });
    }
    throwIfAborted(run.signal, 'destroy');

    // 2. The TXT records sslclick published (noted in the marker), then the custom hostname, then the marker.
    const noted: DnsRecord[] = (marker?.noted ?? []).map(({ name, value }) => ({ name, type: 'TXT', value }));
    if (dns?.deleteTxt) {
      for (const record of noted) await dns.deleteTxt(record.name, record.value, run);
    }
    if (custom) {
      await deleteCustomHostname(connection, zoneId, custom.id, run);
      progress(run, 'custom-hostname-deleted', `Deleted the custom hostname ${hostname} (${custom.id}) from ${state.zone.name}.`, hostname);
    }
    if (marker) await deleteMarker(connection, zoneId, marker, run);
    const leftTxt = dns?.deleteTxt ? [] : noted;
    return status$({
      hostname,
      origin,
      provider: state,
      owned: false,
      pointsToCdn: false,
      observedDns: view.observed,
      edgeProven: false,
      ...(leftTxt.length > 0 ? { nextSteps: [`Remove the TXT records sslclick asked you to publish for ${hostname} (${leftTxt.map((record) => record.name).join(' and ')}) at its DNS host: Cloudflare no longer needs them.`] } : {}),
    });
  }

  return withRedactedErrors({
    specificationVersion: 'v1',
    provider,
    capabilities: { managesDns: dns !== undefined, managedCertificate: true },
    plan,
    apply,
    status,
    destroy,
  } satisfies ProxyAdapter);
}
