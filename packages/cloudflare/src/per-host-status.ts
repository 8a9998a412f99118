import type { ProxyRequest, ProxyStatus, RunOptions } from '@sslclick/core';
import { throwIfAborted } from '@sslclick/core/adapter';
import { observedAddresses, publicView, verificationForZone, verifyOnce } from './edge-verification.js';
import { absentStatus, type PerHostContext } from './per-host-context.js';
import { autoSslNote, normalizeRequest } from './planned-changes.js';
import { buildCloudflareStatus } from './status-mapping.js';
import { findZone, isPartialZone, partialZoneTarget } from './zone-lookup.js';

/**
 * Builds the per-host mode's `status`: the zone, then the host's records, packs and rules once
 * each, and, once the record is proxied, the host checked as a click reaches it.
 */
export function createPerHostStatus(context: PerHostContext): (input: ProxyRequest, run?: RunOptions) => Promise<ProxyStatus> {
  const { connection, settings, bypassCache, zoneLookups, observeRequest } = context;

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

  return status;
}
