/**
 * The proof that an advanced certificate pack is sslclick's, written before it is ordered.
 *
 * A pack order carries no field that could say whose it is (`type`, `hosts`, `validation_method`,
 * `validity_days`, `certificate_authority`, `cloudflare_branding`: cloudflare-typescript
 * `CertificatePackCreateParams`), and its hosts (the zone apex and the branded host) are what a
 * customer's own pack for the host would have. So before the order sslclick writes a marker that
 * survives a crash between the order and the cutover, when the pack's id is noted in the branding
 * record's comment (in the one PATCH that proxies the record). The marker rides on a write the
 * apply makes anyway before the order: sslclick's Configuration Rule for the host, created with it
 * (no extra write); only a rule that exists without the right marker (made by an earlier version,
 * or when a customer's pack covered the host) is edited first, one rule write and no extra PATCH.
 *
 * The marker lists the packs that are NOT the one being ordered: every pack of the zone that
 * already looks like sslclick's order (advanced, hosts exactly the apex and the host), and the pack
 * the record's comment names, which the order replaces. So a pack is claimed after a crash only
 * when it appeared after the marker was written, and a record's comment written after the marker
 * (it names a pack the marker does not list) wins over it:
 * - the record names no pack, or one the marker lists: an order is pending, and the pack sslclick
 *   ordered is the look-alike pack the marker does not list (if the order went through);
 * - the record names a pack the marker does not list: that pack is sslclick's, the marker is spent.
 */
import { isFailedPack, packsLikeOrdered, type CertificatePackSummary } from './certificate-coverage.js';
import type { CloudflareObservation } from './cloudflare-observation.js';
import { decideRule, type RuleDecision } from './host-rules.js';

/** What a marker says: the ids of packs that are not the one sslclick orders. */
export interface PackOrderMarker {
  notOrdered: string[];
}

const markerPattern = /^\[sslclick pack ordered(?:, not ([0-9a-z, -]*))?\]$/i;

/** The note sslclick keeps after the Configuration Rule's description while an order may be pending. */
export function packOrderMarker(notOrdered: readonly string[]): string {
  const ids = [...new Set(notOrdered.map((id) => id.toLowerCase()))].sort();
  return ids.length === 0 ? '[sslclick pack ordered]' : `[sslclick pack ordered, not ${ids.join(', ')}]`;
}

/** Reads a marker from a rule's note (the text after its description); undefined when there is none. */
export function readPackOrderMarker(note: string | undefined): PackOrderMarker | undefined {
  const match = note === undefined ? null : markerPattern.exec(note.trim());
  if (!match) return undefined;
  const ids = (match[1] ?? '')
    .split(',')
    .map((id) => id.trim().toLowerCase())
    .filter((id) => id !== '');
  return { notOrdered: ids };
}

/** The marker on sslclick's Configuration Rule, as read. */
export function markerOf(configuration: RuleDecision): PackOrderMarker | undefined {
  return readPackOrderMarker(configuration.existingNote);
}

/**
 * Whether an order is pending by the marker: the record's comment names no pack, or names one the
 * marker says is not the order (the pack it replaces).
 */
export function orderPendingByMarker(marker: PackOrderMarker | undefined, notedPackId: string | undefined): boolean {
  if (!marker) return false;
  return notedPackId === undefined || marker.notOrdered.includes(notedPackId.toLowerCase());
}

/** What `apply` does before it orders a pack (shared with `plan`). */
export interface PackOrderStep {
  /** A pack sslclick ordered that failed: deleted before its replacement is ordered, or nothing would ever point at it again. */
  failedOwn: CertificatePackSummary | undefined;
  /** The Configuration Rule as the order needs it: created, repaired or edited with the marker for this order. */
  configuration: RuleDecision;
}

/**
 * The steps before an order, when the host needs one (nothing covers it, or the best covering
 * pack failed); undefined when it does not. The marker lists every pack that already looks like
 * sslclick's order and the pack the record's comment names (both are not the order).
 */
export function packOrderStep(observation: CloudflareObservation): PackOrderStep | undefined {
  const best = observation.covering[0];
  if (best && !isFailedPack(best)) return undefined;
  const owned = observation.ownedPack;
  const failedOwn = owned && isFailedPack(owned) && !['deleted', 'pending_deletion'].includes(owned.status) ? owned : undefined;
  const notOrdered = [
    ...packsLikeOrdered(observation.packs, observation.zone.name, observation.hostname).map((pack) => pack.id),
    ...(observation.ownedPackId ? [observation.ownedPackId] : []),
    ...(owned ? [owned.id] : []),
  ];
  const { configuration } = observation;
  return { failedOwn, configuration: decideRule(configuration.entrypoint, { ...configuration.desired, note: packOrderMarker(notOrdered) }) };
}
