import {
  SslClickError,
  type Plan,
  type ProxyAdapter,
  type ProxyRequest,
  type ProxyStatus,
  type RunOptions,
} from '@sslclick/core';
import {
  requireVerificationForLocalEndpoints,
  DEFAULT_CUTOVER_CHECK_TIMEOUT_MS,
  buildStatus,
  invalidInput,
  readCutoverCheckTimeoutMs,
  restoreFailingCutover,
  throwIfAborted,
  waitUntil,
  withRedactedErrors,
  type CommonProxySettings,
} from '@sslclick/core/adapter';
import { randomUUID } from 'node:crypto';
import { commentWithPack, commentWithoutPack, orderedPackId, pendingPackMarker, readRecordsAt, type BrandingRecord } from './branding-record.js';
import { coveringPacks, isActivePack, isFailedPack, listCertificatePacks, orderedPackFor, type CertificatePackSummary } from './certificate-coverage.js';
import { createCloudflareConnection, type CloudflareConnectionSettings } from './cloudflare-client.js';
import { observe, targetRecord, type CloudflareObservation, type ObservationPart } from './cloudflare-observation.js';
import { checkThroughEdge, observedAddresses, publicView, verificationForZone, verifyOnce } from './edge-verification.js';
import { applyRuleDecision, deleteOurEmptyEntrypoint, deleteOurRule, type RuleDecision } from './host-rules.js';
import { autoSslNote, normalizeRequest, plannedChanges, type NormalizedRequest } from './planned-changes.js';
import { buildCloudflareStatus, dnsOnlyRecord } from './status-mapping.js';
import { createCloudflareSaasProxy } from './saas-proxy.js';
import type { CloudflareSaasProxySettings, CloudflareZoneMode } from './saas-settings.js';
import { findZone, isPartialZone, partialZoneTarget, requireActiveZone, type CloudflareZoneReference, type ZoneLookupCache } from './zone-lookup.js';

/** Settings of `createCloudflareProxy` in its per-host mode (the branded host's own zone on Cloudflare). */
export interface CloudflareProxySettings extends CloudflareConnectionSettings, CommonProxySettings {
  /**
   * `'zone'`: the branded host's own Cloudflare zone proxies it (these settings). For Cloudflare
   * for SaaS pass `mode: 'saas'` with `CloudflareSaasProxySettings`.
   * @default 'zone'
   */
  mode?: CloudflareZoneMode | undefined;
  /**
   * Order an advanced certificate pack (Advanced Certificate Manager) when no edge certificate
   * covers the hostname, e.g. `url1234.mail.example.com`, which Universal SSL does not cover;
   * without it `apply` stops before any change and says so.
   * @default false
   */
  orderCertificate?: boolean;
  /**
   * The certificate authority of an ordered pack.
   * @default 'google'
   */
  certificateAuthority?: 'google' | 'lets_encrypt' | 'ssl_com';
  /**
   * Add a Cache Rule that bypasses the cache for the host, so a zone-wide "cache everything" does
   * not hide repeat clicks and opens from SendGrid. `false` leaves the cache as the zone has it.
   * @default true
   */
  bypassCache?: boolean;
}

const provider = 'cloudflare';
const sslClickRecordComment = 'SendGrid link branding (created by sslclick)';

function validateSettings(settings: CloudflareProxySettings): void {
  const booleanSetting = (name: 'orderCertificate' | 'bypassCache'): void => {
    if (settings[name] !== undefined && typeof settings[name] !== 'boolean') throw invalidInput(`${name} must be true or false.`, { provider, operation: 'create' });
  };
  booleanSetting('orderCertificate');
  booleanSetting('bypassCache');
  if (settings.certificateAuthority !== undefined && !['google', 'lets_encrypt', 'ssl_com'].includes(settings.certificateAuthority)) {
    throw invalidInput(`certificateAuthority must be "google", "lets_encrypt" or "ssl_com", not "${String(settings.certificateAuthority)}".`, { provider, operation: 'create' });
  }
}

function absentStatus(request: NormalizedRequest, warnings: string[] = []): ProxyStatus {
  return buildStatus({
    provider,
    hostname: request.hostname,
    origin: request.origin,
    edge: { state: 'absent' },
    certificate: { state: 'absent' },
    dns: { managed: true, required: [{ name: request.hostname, type: 'CNAME', value: request.origin, purpose: 'SendGrid link branding, proxied through Cloudflare' }] },
    resources: [],
    warnings,
  });
}

/**
 * Creates the Cloudflare adapter: the branded link host becomes a proxied ("orange cloud") CNAME
 * to SendGrid's origin, with a Configuration Rule setting SSL mode Full for that host only and a
 * Cache Rule bypassing the cache for it, on an edge certificate that covers it (Universal SSL, or
 * an advanced pack ordered with `orderCertificate: true`). Right after the record is proxied the
 * host is checked through the edge, and the record is put back as it was if the check fails.
 * Settings are validated here; no request is made until a method runs.
 */
export function createCloudflareProxy(settings?: CloudflareProxySettings): ProxyAdapter;
/**
 * Creates the Cloudflare adapter in Cloudflare for SaaS mode (`mode: 'saas'`): each branded host,
 * whatever DNS it lives in, becomes a custom hostname of the provider zone `zoneId`, validated by
 * TXT records before its CNAME moves to the zone's CNAME target (see `CloudflareSaasProxySettings`).
 */
export function createCloudflareProxy(settings: CloudflareSaasProxySettings): ProxyAdapter;
export function createCloudflareProxy(input: CloudflareProxySettings | CloudflareSaasProxySettings = {}): ProxyAdapter {
  const mode: unknown = input !== null && typeof input === 'object' ? input.mode : undefined;
  if (mode === 'saas') return createCloudflareSaasProxy(input as CloudflareSaasProxySettings);
  if (mode !== undefined && mode !== 'zone') throw invalidInput(`mode must be "zone" (the host's own Cloudflare zone, the default) or "saas" (Cloudflare for SaaS), not ${JSON.stringify(mode)}.`, { provider, operation: 'create' });
  const settings = input as CloudflareProxySettings;
  const connection = createCloudflareConnection(settings, 'createCloudflareProxy');
  validateSettings(settings);
  requireVerificationForLocalEndpoints({ provider, endpoints: [settings.baseURL], verification: settings.verification });
  const orderCertificate = settings.orderCertificate ?? false;
  const bypassCache = settings.bypassCache ?? true;
  const certificateAuthority = settings.certificateAuthority ?? 'google';
  // Cloudflare checks right after the record is proxied, and puts it back when the check fails.
  const cutoverCheckTimeoutMs = readCutoverCheckTimeoutMs(settings, provider) ?? DEFAULT_CUTOVER_CHECK_TIMEOUT_MS;
  const changeSettings = { orderCertificate, certificateAuthority, bypassCache };

  const progress = (run: RunOptions, type: string, message: string, hostname: string, detail?: Record<string, unknown>): void => {
    run.onProgress?.({ type, message, provider, hostname, ...(detail ? { detail } : {}) });
  };

  // Entries this adapter puts in a shared lookup cache are its own: another adapter (another
  // token or endpoint) using the same cache never gets a zone this one found.
  const lookupScope = `cloudflare:${randomUUID()}`;
  const zoneLookups = (run: RunOptions): ZoneLookupCache => ({ cache: run.lookupCache ?? settings.lookupCache, scope: lookupScope });

  /**
   * Reads the host's records, packs and rules. Given the run's earlier observation and the parts
   * written since, reads only those again (and empties `changed`): a run reads each resource once,
   * and afterwards only what it wrote.
   */
  async function observeRequest(request: NormalizedRequest, zone: CloudflareZoneReference, run: RunOptions, previous?: CloudflareObservation, changed?: Set<ObservationPart>): Promise<CloudflareObservation> {
    const observation = await observe(connection, zone, request.hostname, request.origin, run, previous && changed ? { previous, changed: new Set(changed) } : undefined);
    changed?.clear();
    return observation;
  }

  async function editRecord(record: BrandingRecord, zoneId: string, fields: { type: string; content: string; proxied: boolean; ttl: number; comment: string | null }, run: RunOptions): Promise<void> {
    await connection.call(
      'dns.records.edit',
      'Zone > DNS > Edit',
      (options) =>
        connection.client.dns.records.edit(
          record.id,
          { zone_id: zoneId, name: record.name, type: fields.type as 'CNAME', content: fields.content, proxied: fields.proxied, ttl: fields.ttl, comment: fields.comment ?? '' } as never,
          options,
        ),
      run,
    );
  }

  /** Deletes a certificate pack sslclick ordered; one already gone is fine. */
  async function deletePack(packId: string, zoneId: string, run: RunOptions): Promise<void> {
    try {
      await connection.call('ssl.certificatePacks.delete', 'Zone > SSL and Certificates > Edit', (options) => connection.client.ssl.certificatePacks.delete(packId, { zone_id: zoneId }, options), run);
    } catch (error) {
      if (!(SslClickError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
    }
  }

  /** Waits until a pack covering the host is active; returns the zone's packs as the last poll read them. */
  async function waitForCertificate(request: NormalizedRequest, zone: CloudflareZoneReference, run: RunOptions): Promise<CertificatePackSummary[] | undefined> {
    const result = await waitUntil(
      async () => {
        const all = await listCertificatePacks(connection, zone.id, run);
        const best = coveringPacks(all, request.hostname)[0];
        if (!best) return { done: false, state: 'no covering pack', failed: true };
        return { done: isActivePack(best), state: best.status, failed: isFailedPack(best), value: all };
      },
      {
        description: `the Cloudflare certificate pack for ${request.hostname} to become active`,
        subject: 'certificate',
        provider,
        hostname: request.hostname,
        minDelay: settings.wait?.minDelay ?? 5_000,
        maxDelay: settings.wait?.maxDelay ?? 30_000,
        maxWaitTime: settings.wait?.maxWaitTime ?? 900_000,
        ...(run.signal ? { signal: run.signal } : {}),
        ...(run.onProgress ? { onProgress: run.onProgress } : {}),
      },
    );
    return result.value;
  }

  /**
   * The last step in a partial (CNAME-setup) zone, where the public asks the customer's own DNS:
   * proxying the record in Cloudflare moves no traffic (the public CNAME still points at SendGrid),
   * so it is done, then checked through `<host>.cdn.cloudflare.net` as the public would reach it
   * (put back if that fails), and the CNAME the customer must publish is returned in
   * `dns.required` until the public DNS, never the zone's own nameserver, shows it.
   */
  async function finishInPartialZone(
    request: NormalizedRequest,
    zone: CloudflareZoneReference,
    record: BrandingRecord,
    original: BrandingRecord,
    run: RunOptions,
    earlier: CloudflareObservation,
    changed: Set<ObservationPart>,
  ): Promise<ProxyStatus> {
    const { hostname, origin } = request;
    const target = partialZoneTarget(hostname);
    const verification = await verificationForZone(settings.verification, zone);
    const wasProxied = record.type === 'CNAME' && record.content === origin && record.proxied;
    if (!wasProxied) {
      if (earlier.recordState.kind === 'foreign') await deleteExtras(earlier.recordState.records.slice(1), zone.id, run);
      await editRecord(record, zone.id, { type: 'CNAME', content: origin, proxied: true, ttl: 1, comment: record.comment }, run);
      changed.add('records');
      progress(run, 'record-proxied', `${hostname} is proxied in the partial zone ${zone.name}; checking it through ${target}.`, hostname);
    } else if (record.comment !== original.comment) {
      // Only the pack's id to note (an order resumed): the record itself stays as it is.
      await editRecord(record, zone.id, { type: record.type, content: record.content, proxied: record.proxied, ttl: record.ttl, comment: record.comment }, run);
      changed.add('records');
    }
    const outcome = await checkThroughEdge({
      hostname,
      edgeTarget: target,
      verification,
      maxWaitTime: cutoverCheckTimeoutMs,
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.onProgress ? { onProgress: run.onProgress } : {}),
    });
    const view = await publicView(hostname, target, verification);
    if (!outcome.ok) {
      // Put back only what this run changed: a record already proxied may be what the public reaches.
      if (!wasProxied) await editRecord(record, zone.id, { type: original.type, content: original.content, proxied: original.proxied, ttl: original.ttl, comment: record.comment }, run);
      const observation = await observeRequest(request, zone, run, earlier, changed);
      return buildCloudflareStatus(observation, {
        bypassCache,
        cutoverFailed: true,
        verifierChecks: outcome.checks,
        observedDns: view.observed,
        publicPointsToCdn: view.pointsToCdn,
        nextSteps: [
          `The check through ${target} failed${wasProxied ? '' : `, so ${hostname} was put back as it was in Cloudflare`}: ${outcome.failure ?? 'see the checks'}`,
          `Do not point ${hostname} at ${target} until apply passes; fix what the checks name, then run apply again.`,
        ],
      });
    }
    const observation = await observeRequest(request, zone, run, earlier, changed);
    if (!view.pointsToCdn) {
      return buildCloudflareStatus(observation, {
        bypassCache,
        verifierChecks: outcome.checks,
        observedDns: view.observed,
        publicPointsToCdn: false,
        nextSteps: [
          `${zone.name} is a partial (CNAME setup) Cloudflare zone, so the public asks your own DNS for ${hostname}: Cloudflare now serves it correctly through ${target} (checked). At the DNS host that is authoritative for ${zone.name}, change ${hostname} from CNAME ${origin} to CNAME ${target}, then run apply again (or wait with setup) to finish.`,
          `If the link branding of ${hostname} is not validated in SendGrid yet, validate it before that change: once ${hostname} points at Cloudflare, SendGrid's validation can never pass again.`,
        ],
      });
    }
    const publicCheck = await verifyOnce(hostname, verification, run.signal);
    return buildCloudflareStatus(observation, { bypassCache, verifierChecks: publicCheck.checks, observedDns: view.observed, publicPointsToCdn: true });
  }

  /** Deletes records sharing the host's name with the record being adopted (a CNAME cannot share it); one already gone is fine. */
  async function deleteExtras(extras: BrandingRecord[], zoneId: string, run: RunOptions): Promise<void> {
    for (const extra of extras) {
      try {
        await connection.call('dns.records.delete', 'Zone > DNS > Edit', (options) => connection.client.dns.records.delete(extra.id, { zone_id: zoneId }, options), run);
      } catch (error) {
        // Already gone: a retry after a lost answer, or removed meanwhile. Either way it is done.
        if (!(SslClickError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
      }
    }
  }

  async function apply(input: ProxyRequest, run: RunOptions = {}): Promise<ProxyStatus> {
    const request = normalizeRequest(input);
    const { hostname, origin } = request;
    throwIfAborted(run.signal, 'apply');
    const zone = await requireActiveZone(connection, hostname, run, zoneLookups(run));
    progress(run, 'zone-found', `${hostname} is in the Cloudflare zone ${zone.name}.`, hostname, { zoneId: zone.id });
    let observation = await observeRequest(request, zone, run);
    // What this run wrote since the last observation: the final status re-reads only that.
    const changed = new Set<ObservationPart>();

    // Before anything else: a proxied record while Cloudflare fails the checks (a run that died
    // before putting the record back) goes back to DNS-only first. The record is not proxied again
    // in this run: on Cloudflare the proxy switch is the only way to test the edge, so doing it
    // again now would break the links a second time.
    // A partial zone's public CNAME is at the customer's DNS, out of reach: status names it instead.
    const live = !isPartialZone(zone) && observation.recordState.kind === 'branding' && observation.recordState.record.proxied ? observation.recordState.record : undefined;
    if (live) {
      const outcome = await restoreFailingCutover({
        hostname,
        provider,
        edgeTarget: hostname,
        restoreRecord: dnsOnlyRecord(hostname, origin),
        restore: async () => {
          changed.add('records');
          await editRecord(live, zone.id, { type: 'CNAME', content: origin, proxied: false, ttl: live.ttl, comment: live.comment }, run);
        },
        dnsName: `the Cloudflare zone ${zone.name}`,
        verification: await verificationForZone(settings.verification, zone),
        ...(run.signal ? { signal: run.signal } : {}),
        ...(run.onProgress ? { onProgress: run.onProgress } : {}),
      });
      if (outcome.restored) {
        observation = await observeRequest(request, zone, run, observation, changed);
        return buildCloudflareStatus(observation, {
          bypassCache,
          cutoverFailed: true,
          verifierChecks: outcome.checks,
          nextSteps: [
            `${hostname} was proxied through Cloudflare, which failed the checks (${outcome.finding}), so it is a DNS-only CNAME to ${origin} again and links work.`,
            `Fix what the checks name (a later Configuration Rule or Page Rule overriding SSL mode Full, a firewall rule blocking the host, the certificate), then run apply again.`,
          ],
        });
      }
    }
    const { blocked } = plannedChanges(request, observation, changeSettings);
    if (blocked) throw blocked;

    const state = observation.recordState;
    if (state.kind === 'auto-ssl') {
      return buildCloudflareStatus(observation, { bypassCache, nextSteps: [autoSslNote(hostname)], warnings: [autoSslNote(hostname)] });
    }
    if (state.kind === 'missing') {
      await connection.call(
        'dns.records.create',
        'Zone > DNS > Edit',
        (options) =>
          connection.client.dns.records
            .create({ zone_id: zone.id, type: 'CNAME', name: hostname, content: origin, proxied: false, ttl: 1, comment: sslClickRecordComment }, options)
            .then((created) => created.id),
        run,
        // A create whose answer was lost may have been carried out: the record is read back before a retry.
        { recover: async () => (await readRecordsAt(connection, zone.id, hostname, run)).find((record) => record.type === 'CNAME' && record.content === origin)?.id },
      );
      changed.add('records');
      progress(run, 'record-created', `Created ${hostname} CNAME ${origin}, DNS-only.`, hostname);
      observation = await observeRequest(request, zone, run, observation, changed);
      // In a partial zone the public never sees this record (SendGrid validates the one at the
      // customer's DNS host), so there is nothing to validate first: carry on in this run.
      const next = isPartialZone(zone) ? plannedChanges(request, observation, changeSettings) : undefined;
      if (next?.blocked) throw next.blocked;
      if (!next) return buildCloudflareStatus(observation, {
        bypassCache,
        nextSteps: [
          `Validate the link branding of ${hostname} in SendGrid now (Settings → Sender Authentication → Verify): ${hostname} is a DNS-only CNAME to ${origin}, the only state in which validation can pass. Once the record is proxied, SendGrid's validation can never pass again.`,
          'Then run apply again to put Cloudflare in front of it.',
        ],
      });
    }

    // From here the target record is the branding CNAME, or (adopt) the first foreign record.
    // `record` is the record as this run wants it; `original` as the zone holds it. The comment
    // naming sslclick's pack is written with the cutover, in the one PATCH that proxies the record
    // (until then the pending marker, written before any order, proves the pack is ours).
    let record = targetRecord(observation) as BrandingRecord;
    const original = { ...record };
    throwIfAborted(run.signal, 'apply');

    // 1. The certificate: order an advanced pack when nothing covers the host (checked above).
    // A previous run that stopped between ordering and noting the pack's id left the pending
    // marker: the pack it ordered is ours, so its id is noted (with the cutover) instead of ordering another.
    if (observation.pendingOrderRecord?.id === record.id && observation.ownedPack) {
      const claimed = observation.ownedPack;
      record = { ...record, comment: commentWithPack(record.comment, claimed.id) };
      progress(run, 'certificate-resumed', `Found the advanced certificate pack ${claimed.id} that an earlier run ordered for ${hostname}; using it.`, hostname, { packId: claimed.id });
    }
    const best = observation.covering[0];
    if (!best || isFailedPack(best)) {
      // A pack sslclick ordered earlier that failed (validation timed out, expired) is ours and
      // will never serve: delete it before ordering its replacement, whose marker replaces its
      // own, or nothing would ever point at it again.
      const failedOwn = observation.ownedPack && isFailedPack(observation.ownedPack) && !['deleted', 'pending_deletion'].includes(observation.ownedPack.status) ? observation.ownedPack : undefined;
      if (failedOwn) {
        changed.add('packs');
        await deletePack(failedOwn.id, zone.id, run);
        progress(run, 'certificate-deleted', `Deleted the certificate pack ${failedOwn.id} that sslclick ordered earlier: it is "${failedOwn.status}" and will not serve; ordering a new one.`, hostname, { packId: failedOwn.id });
      }
      // The intent goes into the record's comment first, so a run stopped right after the order
      // still knows the pack is ours (see above) and neither orders a second one nor orphans it.
      const pendingComment = commentWithPack(record.comment, pendingPackMarker);
      if (pendingComment !== original.comment) {
        changed.add('records');
        await editRecord(record, zone.id, { type: original.type, content: original.content, proxied: original.proxied, ttl: original.ttl, comment: pendingComment }, run);
        original.comment = pendingComment;
      }
      record = { ...record, comment: pendingComment };
      // An order whose answer was lost (a time-out) may have been carried out: before a retry the
      // packs are read again, and a pack for exactly these hosts that was not there before is
      // the one just ordered (as the pending marker says across runs), so no second one is ordered.
      const knownPacks = new Set(observation.covering.map((pack) => pack.id));
      changed.add('packs');
      const pack = await connection.call(
        'ssl.certificatePacks.create',
        'Zone > SSL and Certificates > Edit',
        (options) =>
          connection.client.ssl.certificatePacks
            .create(
              { zone_id: zone.id, type: 'advanced', hosts: [zone.name, hostname], certificate_authority: certificateAuthority, validation_method: 'txt', validity_days: 90 },
              options,
            )
            .then((ordered): { id: string; status: string } => ({ id: ordered.id, status: ordered.status })),
        run,
        {
          recover: async () => {
            const packs = (await listCertificatePacks(connection, zone.id, run)).filter((candidate) => !knownPacks.has(candidate.id) && !isFailedPack(candidate));
            const ordered = orderedPackFor(packs, zone.name, hostname);
            return ordered ? { id: ordered.id, status: ordered.status } : undefined;
          },
        },
      );
      progress(run, 'certificate-ordered', `Ordered the advanced certificate pack ${pack.id} for ${zone.name} and ${hostname}.`, hostname, { packId: pack.id, status: pack.status });
      // The pack's id goes into the record's comment with the cutover (one PATCH): it is how
      // destroy knows the pack is ours. A run stopped before then leaves the pending marker, and
      // the next run finds the pack by it (above), as does destroy.
      record = { ...record, comment: commentWithPack(record.comment, pack.id) };
    }

    // 2. The rules, one by one, never replacing a phase.
    for (const decision of [observation.configuration, ...(bypassCache ? [observation.cache] : [])]) {
      if (decision.action === 'none') continue;
      throwIfAborted(run.signal, 'apply');
      changed.add(decision === observation.configuration ? 'configuration' : 'cache');
      const id = await applyRuleDecision(connection, zone.id, decision, run);
      progress(run, decision.action === 'update' ? 'rule-repaired' : 'rule-created', `${decision.action === 'update' ? 'Repaired' : 'Added'} "${decision.desired.description}".`, hostname, { rule: id });
    }
    if (!bypassCache && observation.cache.existing && observation.cache.entrypoint) {
      changed.add('cache');
      await deleteOurRule(connection, zone.id, observation.cache.desired, observation.cache.entrypoint.id, observation.cache.existing.id, run);
      progress(run, 'rule-deleted', `Removed sslclick's Cache Rule for ${hostname} (bypassCache is false).`, hostname);
    }

    // 3. Wait for the certificate.
    if (!best || !isActivePack(best)) {
      // The pack's state changes while waiting: the final status reads it again.
      try {
        // The last poll read the packs after the wait: the final status uses them, not a new read.
        const packs = await waitForCertificate(request, zone, run);
        if (packs) {
          observation = { ...observation, packs };
          changed.delete('packs');
        } else {
          changed.add('packs');
        }
      } catch (error) {
        // A pack that failed or a wait that ran out ends the run before the cutover: its id is
        // noted now, so the marker names the pack rather than relying on the pending search.
        if (record.comment !== original.comment && !(SslClickError.isInstance(error) && error.code === 'ABORTED')) {
          await editRecord(record, zone.id, { type: original.type, content: original.content, proxied: original.proxied, ttl: original.ttl, comment: record.comment }, run).catch(() => undefined);
        }
        throw error;
      }
    }
    throwIfAborted(run.signal, 'apply');

    // 4. The cutover, checked through the edge, rolled back if the check fails.
    if (isPartialZone(zone)) return finishInPartialZone(request, zone, record, original, run, observation, changed);
    const verification = await verificationForZone(settings.verification, zone);
    const alreadyCutOver = record.type === 'CNAME' && record.content === origin && record.proxied;
    if (alreadyCutOver) {
      if (record.comment !== original.comment) {
        // Only the pack's id to note (an order resumed on a record already proxied).
        changed.add('records');
        await editRecord(record, zone.id, { type: record.type, content: record.content, proxied: record.proxied, ttl: record.ttl, comment: record.comment }, run);
      }
      const outcome = await verifyOnce(hostname, verification, run.signal);
      observation = await observeRequest(request, zone, run, observation, changed);
      return buildCloudflareStatus(observation, { bypassCache, verifierChecks: outcome.checks, observedDns: outcome.observedDns });
    }
    if (observation.recordState.kind === 'foreign') await deleteExtras(observation.recordState.records.slice(1), zone.id, run);
    changed.add('records');
    await editRecord(record, zone.id, { type: 'CNAME', content: origin, proxied: true, ttl: 1, comment: record.comment }, run);
    progress(run, 'record-proxied', `${hostname} is now proxied through Cloudflare to ${origin}; checking it through the edge.`, hostname);
    const outcome = await checkThroughEdge({
      hostname,
      verification,
      maxWaitTime: cutoverCheckTimeoutMs,
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.onProgress ? { onProgress: run.onProgress } : {}),
    });
    if (!outcome.ok) {
      await editRecord(record, zone.id, { type: original.type, content: original.content, proxied: original.proxied, ttl: original.ttl, comment: record.comment }, run);
      progress(run, 'record-rolled-back', `The check through the edge failed, so ${hostname} was put back as it was (${original.type} ${original.content}, ${original.proxied ? 'proxied' : 'DNS-only'}).`, hostname);
      observation = await observeRequest(request, zone, run, observation, changed);
      return buildCloudflareStatus(observation, {
        bypassCache,
        cutoverFailed: true,
        verifierChecks: outcome.checks,
        observedDns: outcome.observedDns,
        nextSteps: [
          `The check through Cloudflare failed, so ${hostname} was put back as it was and live links keep working: ${outcome.failure ?? 'see the checks'}`,
          `Fix what the checks name (a later Configuration Rule or Page Rule overriding SSL mode Full, a firewall rule blocking the host, the origin), then run apply again.`,
        ],
      });
    }
    observation = await observeRequest(request, zone, run, observation, changed);
    return buildCloudflareStatus(observation, { bypassCache, verifierChecks: outcome.checks, observedDns: outcome.observedDns });
  }

  async function status(input: ProxyRequest, run: RunOptions = {}): Promise<ProxyStatus> {
    const request = normalizeRequest(input);
    throwIfAborted(run.signal, 'status');
    const zone = await findZone(connection, request.hostname, run, zoneLookups(run));
    if (!zone) return absentStatus(request, [`No Cloudflare zone this token can see holds ${request.hostname}.`]);
    const observation = await observeRequest(request, zone, run);
    const notes = observation.recordState.kind === 'auto-ssl' ? [autoSslNote(request.hostname)] : [];
    const proxied = observation.recordState.kind === 'branding' && observation.recordState.record.proxied;
    if (isPartialZone(zone)) {
      // What the public sees comes from the customer's DNS, asked through the public resolver.
      const view = await publicView(request.hostname, partialZoneTarget(request.hostname), await verificationForZone(settings.verification, zone));
      return buildCloudflareStatus(observation, { bypassCache, warnings: notes, ...(notes.length > 0 ? { nextSteps: notes } : {}), observedDns: view.observed, publicPointsToCdn: view.pointsToCdn });
    }
    // A proxied record answers with Cloudflare's edge addresses: reading them (DNS, not the API)
    // lets a verification from outside recognise them as the CDN.
    const verification = proxied ? await verificationForZone(settings.verification, zone) : undefined;
    const observedDns = verification ? await observedAddresses(request.hostname, verification) : undefined;
    // Once proxied, clicks go through Cloudflare whatever the API says: check it as a click would.
    const live = verification ? await verifyOnce(request.hostname, verification, run.signal) : undefined;
    return buildCloudflareStatus(observation, {
      bypassCache,
      warnings: notes,
      ...(notes.length > 0 ? { nextSteps: notes } : {}),
      ...(observedDns ? { observedDns } : {}),
      ...(live ? { verifierChecks: live.checks } : {}),
    });
  }

  async function plan(input: ProxyRequest, run: RunOptions = {}): Promise<Plan> {
    const request = normalizeRequest(input);
    throwIfAborted(run.signal, 'plan');
    const zone = await requireActiveZone(connection, request.hostname, run, zoneLookups(run));
    const observation = await observeRequest(request, zone, run);
    const { changes, warnings } = plannedChanges(request, observation, changeSettings);
    return { provider, hostname: request.hostname, changes, warnings };
  }

  async function destroy(input: ProxyRequest, run: RunOptions = {}): Promise<ProxyStatus> {
    const request = normalizeRequest(input);
    const { hostname, origin } = request;
    throwIfAborted(run.signal, 'destroy');
    const zone = await findZone(connection, hostname, run, zoneLookups(run));
    if (!zone) return absentStatus(request, [`No Cloudflare zone this token can see holds ${hostname}; nothing to remove.`]);
    let observation = await observeRequest(request, zone, run);
    const changed = new Set<ObservationPart>();
    const state = observation.recordState;

    // In a partial zone the public CNAME is the customer's: while it points at Cloudflare, taking
    // the proxy away here would break every link, so nothing is changed until it points back.
    if (isPartialZone(zone) && state.kind === 'branding' && state.record.proxied) {
      const target = partialZoneTarget(hostname);
      const view = await publicView(hostname, target, await verificationForZone(settings.verification, zone));
      if (view.pointsToCdn) {
        throw new SslClickError({
          code: 'UNSAFE',
          message: `${hostname} is still a CNAME to ${target} in the public DNS (${zone.name} is a partial, CNAME-setup zone, so that record is at your own DNS host): removing Cloudflare now would break every link. Nothing was changed. Point ${hostname} back at CNAME ${origin} there, wait for it to show, then run destroy again.`,
          provider,
          operation: 'destroy',
        });
      }
    }

    // 1. DNS first: the branding record back to DNS-only at SendGrid (never deleted: SendGrid needs it).
    if (state.kind === 'branding' && state.record.proxied) {
      const record = state.record;
      changed.add('records');
      await editRecord(record, zone.id, { type: 'CNAME', content: origin, proxied: false, ttl: 1, comment: record.comment }, run);
      progress(run, 'record-unproxied', `${hostname} is a DNS-only CNAME to ${origin} again.`, hostname);
    }
    throwIfAborted(run.signal, 'destroy');

    // 2. Our rules, and only ours; then a phase entrypoint sslclick created, once it holds no rule.
    for (const decision of [observation.configuration, observation.cache]) {
      if (!decision.entrypoint) continue;
      changed.add(decision === observation.configuration ? 'configuration' : 'cache');
      if (decision.existing) {
        await deleteOurRule(connection, zone.id, decision.desired, decision.entrypoint.id, decision.existing.id, run);
        progress(run, 'rule-deleted', `Removed "${decision.desired.description}".`, hostname);
      }
      if (await deleteOurEmptyEntrypoint(connection, zone.id, decision.desired, run)) {
        progress(run, 'ruleset-deleted', `Deleted the ${decision.desired.phase} entrypoint that sslclick created, now empty.`, hostname);
      }
    }

    // 3. The pack we ordered, then its note in the record's comment.
    if (observation.ownedPack && !['deleted', 'pending_deletion'].includes(observation.ownedPack.status)) {
      const packId = observation.ownedPack.id;
      changed.add('packs');
      await deletePack(packId, zone.id, run);
      progress(run, 'certificate-deleted', `Deleted the certificate pack ${packId} that sslclick ordered.`, hostname);
    }
    const ownedPackId = observation.ownedPackId;
    const marked = ownedPackId ? observation.records.find((record) => orderedPackId(record) === ownedPackId) : observation.pendingOrderRecord;
    if (marked) {
      changed.add('records');
      const isBranding = state.kind === 'branding' && state.record.id === marked.id;
      await editRecord(
        marked,
        zone.id,
        isBranding
          ? { type: 'CNAME', content: origin, proxied: false, ttl: marked.proxied ? 1 : marked.ttl, comment: commentWithoutPack(marked.comment) }
          : { type: marked.type, content: marked.content, proxied: marked.proxied, ttl: marked.ttl, comment: commentWithoutPack(marked.comment) },
        run,
      );
    }
    observation = await observeRequest(request, zone, run, observation, changed);
    return buildCloudflareStatus(observation, { bypassCache });
  }

  // The one place errors leave the adapter: whatever is thrown, and every progress event, is redacted.
  return withRedactedErrors({
    specificationVersion: 'v1',
    provider,
    capabilities: { managesDns: true, managedCertificate: true },
    plan,
    apply,
    status,
    destroy,
  } satisfies ProxyAdapter);
}
