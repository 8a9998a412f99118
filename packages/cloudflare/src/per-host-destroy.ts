import { SslClickError, type ProxyRequest, type ProxyStatus, type RunOptions } from '@sslclick/core';
import { throwIfAborted } from '@sslclick/core/adapter';
import { commentWithoutPack, orderedPackId } from './branding-record.js';
import type { ObservationPart } from './cloudflare-observation.js';
import { publicView, verificationForZone } from './edge-verification.js';
import { deleteOurEmptyEntrypoint, deleteOurRule } from './host-rules.js';
import { absentStatus, provider, type PerHostContext } from './per-host-context.js';
import { normalizeRequest } from './planned-changes.js';
import { buildCloudflareStatus } from './status-mapping.js';
import { findZone, isPartialZone, partialZoneTarget } from './zone-lookup.js';

/**
 * Builds the per-host mode's `destroy`: DNS back to SendGrid first, then the pack sslclick ordered,
 * its rules and the pack's note in the record's comment; nothing sslclick did not create.
 */
export function createPerHostDestroy(context: PerHostContext): (input: ProxyRequest, run?: RunOptions) => Promise<ProxyStatus> {
  const { connection, settings, bypassCache, progress, zoneLookups, observeRequest, editRecord, deletePack } = context;

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

    // 2. The pack we ordered, before the rules: while its id is not noted in the record's comment
    // (an apply stopped before its cutover), the order marker on our Configuration Rule is the
    // only proof that it is ours, so a destroy stopped after deleting the rules would orphan it.
    if (observation.ownedPack && !['deleted', 'pending_deletion'].includes(observation.ownedPack.status)) {
      const packId = observation.ownedPack.id;
      changed.add('packs');
      await deletePack(packId, zone.id, run);
      progress(run, 'certificate-deleted', `Deleted the certificate pack ${packId} that sslclick ordered.`, hostname);
    }
    // 3. Our rules, and only ours; then a phase entrypoint sslclick created, once it holds no rule.
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

    // 4. The pack's note in the record's comment.
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

  return destroy;
}
