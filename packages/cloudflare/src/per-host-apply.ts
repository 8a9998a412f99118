import { SslClickError, type ProxyRequest, type ProxyStatus, type RunOptions } from '@sslclick/core';
import { restoreFailingCutover, throwIfAborted, waitUntil } from '@sslclick/core/adapter';
import { commentWithPack, readRecordsAt, type BrandingRecord } from './branding-record.js';
import { coveringPacks, isActivePack, isFailedPack, listCertificatePacks, orderedPackFor, type CertificatePackSummary } from './certificate-coverage.js';
import { packOrderStep } from './pack-order-marker.js';
import { targetRecord, type CloudflareObservation, type ObservationPart } from './cloudflare-observation.js';
import { checkThroughEdge, publicView, verificationForZone, verifyOnce } from './edge-verification.js';
import { applyRuleDecision, deleteOurRule } from './host-rules.js';
import { provider, type PerHostContext } from './per-host-context.js';
import { autoSslNote, normalizeRequest, plannedChanges, type NormalizedRequest } from './planned-changes.js';
import { buildCloudflareStatus, dnsOnlyRecord } from './status-mapping.js';
import { isPartialZone, partialZoneTarget, requireActiveZone, type CloudflareZoneReference } from './zone-lookup.js';

const sslClickRecordComment = 'SendGrid link branding (created by sslclick)';

/**
 * Builds the per-host mode's `apply`: the branding CNAME, an advanced pack when one is needed and
 * allowed, the host's rules, the wait for the certificate, then the cutover checked through the
 * edge and rolled back when the check fails.
 */
export function createPerHostApply(context: PerHostContext): (input: ProxyRequest, run?: RunOptions) => Promise<ProxyStatus> {
  const { connection, settings, bypassCache, certificateAuthority, cutoverCheckTimeoutMs, changeSettings, progress, zoneLookups, observeRequest, editRecord, deletePack } = context;

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
    // `record` is the record as this run wants it; `original` as the zone holds it. The record is
    // PATCHed once: the PATCH that proxies it also notes the pack sslclick ordered in its comment.
    // Until then the order marker on the Configuration Rule, written before any order, proves the
    // pack is ours (pack-order-marker.ts).
    let record = targetRecord(observation) as BrandingRecord;
    const original = { ...record };
    throwIfAborted(run.signal, 'apply');

    // A previous run that stopped between ordering and noting the pack's id left the marker: the
    // pack it ordered is ours, so its id is noted (with the cutover) instead of ordering another.
    if (observation.pendingOrder && observation.ownedPack && (!observation.pendingOrderRecord || observation.pendingOrderRecord.id === record.id)) {
      const claimed = observation.ownedPack;
      record = { ...record, comment: commentWithPack(record.comment, claimed.id) };
      progress(run, 'certificate-resumed', `Found the advanced certificate pack ${claimed.id} that an earlier run ordered for ${hostname}; using it.`, hostname, { packId: claimed.id });
    }

    // 1. The certificate needs an order when nothing covers the host (allowed: checked above).
    const order = packOrderStep(observation);
    if (order?.failedOwn) {
      // A pack sslclick ordered earlier that failed (validation timed out, expired) is ours and
      // will never serve: deleted before the marker for its replacement lists it.
      const failedOwn = order.failedOwn;
      changed.add('packs');
      await deletePack(failedOwn.id, zone.id, run);
      progress(run, 'certificate-deleted', `Deleted the certificate pack ${failedOwn.id} that sslclick ordered earlier: it is "${failedOwn.status}" and will not serve; ordering a new one.`, hostname, { packId: failedOwn.id });
    }

    // 2. The rules, one by one, never replacing a phase; before any order, since the Configuration
    // Rule carries the order marker (created with it, or edited to carry it).
    const configuration = order?.configuration ?? observation.configuration;
    for (const decision of [configuration, ...(bypassCache ? [observation.cache] : [])]) {
      if (decision.action === 'none') continue;
      throwIfAborted(run.signal, 'apply');
      changed.add(decision === configuration ? 'configuration' : 'cache');
      const id = await applyRuleDecision(connection, zone.id, decision, run);
      if (decision.reason === 'note') {
        progress(run, 'rule-marked', `Noted on "${decision.desired.description}" that sslclick orders the certificate pack for ${hostname}.`, hostname, { rule: id });
      } else {
        progress(run, decision.action === 'update' ? 'rule-repaired' : 'rule-created', `${decision.action === 'update' ? 'Repaired' : 'Added'} "${decision.desired.description}".`, hostname, { rule: id });
      }
    }
    if (!bypassCache && observation.cache.existing && observation.cache.entrypoint) {
      changed.add('cache');
      await deleteOurRule(connection, zone.id, observation.cache.desired, observation.cache.entrypoint.id, observation.cache.existing.id, run);
      progress(run, 'rule-deleted', `Removed sslclick's Cache Rule for ${hostname} (bypassCache is false).`, hostname);
    }

    // 3. The order, after its marker.
    const best = observation.covering[0];
    if (order) {
      throwIfAborted(run.signal, 'apply');
      // An order whose answer was lost (a time-out) may have been carried out: before a retry the
      // packs are read again, and a pack for exactly these hosts that was not there before is
      // the one just ordered (as the marker says across runs), so no second one is ordered.
      const knownPacks = new Set(observation.packs.map((pack) => pack.id));
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
      // destroy knows the pack is ours. A run stopped before then leaves the marker, and the next
      // run finds the pack by it (above), as do status and destroy.
      record = { ...record, comment: commentWithPack(record.comment, pack.id) };
    }

    // 4. Wait for the certificate.
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
        // noted now (this run's one PATCH, the cutover's never comes), so the record's comment
        // names the pack rather than relying on the order marker's search.
        if (record.comment !== original.comment && !(SslClickError.isInstance(error) && error.code === 'ABORTED')) {
          await editRecord(record, zone.id, { type: original.type, content: original.content, proxied: original.proxied, ttl: original.ttl, comment: record.comment }, run).catch(() => undefined);
        }
        throw error;
      }
    }
    throwIfAborted(run.signal, 'apply');

    // 5. The cutover, checked through the edge, rolled back if the check fails.
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

  return apply;
}
