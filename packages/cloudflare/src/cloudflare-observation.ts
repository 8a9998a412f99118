import type { RunOptions } from '@sslclick/core';
import { classifyRecords, hasPendingPackOrder, orderedPackId, readRecordsAt, type BrandingRecord, type BrandingRecordState } from './branding-record.js';
import { coveringPacks, listCertificatePacks, packsLikeOrdered, type CertificatePackSummary } from './certificate-coverage.js';
import type { CloudflareConnection } from './cloudflare-client.js';
import { cacheBypassRule, configurationRule, decideRule, readEntrypoint, type RuleDecision } from './host-rules.js';
import { markerOf, orderPendingByMarker, type PackOrderMarker } from './pack-order-marker.js';
import type { CloudflareZoneReference } from './zone-lookup.js';

/** Everything the adapter reads about one branded host, in one place (read-only). */
export interface CloudflareObservation {
  hostname: string;
  origin: string;
  zone: CloudflareZoneReference;
  records: BrandingRecord[];
  /** Every certificate pack of the zone, as read. */
  packs: CertificatePackSummary[];
  recordState: BrandingRecordState;
  /** Every pack covering the host, best first. */
  covering: CertificatePackSummary[];
  /**
   * The pack sslclick ordered for this host, if it still exists: the one the record's comment
   * names or, while an order is pending (`pendingOrder`), the one that order made.
   */
  ownedPack: CertificatePackSummary | undefined;
  /** The pack id the record's comment names, even if the pack is gone. */
  ownedPackId: string | undefined;
  /**
   * An order sslclick started whose pack's id is not noted in the record's comment (a run stopped
   * between the order and the cutover): the order marker on the Configuration Rule is newer than
   * the record's note (pack-order-marker.ts), or, from an earlier version, the record's comment
   * says `[sslclick pack pending]`. Then `ownedPack` is the advanced pack for exactly the zone apex
   * and this host that the marker does not list, if the order went through.
   */
  pendingOrder: boolean;
  /**
   * While an order is pending: the packs that could each be the one it made, when there is more
   * than one (someone ordered the same hosts meanwhile). None of them is claimed; empty otherwise.
   */
  unclaimedOrders: CertificatePackSummary[];
  /** The order marker on sslclick's Configuration Rule, as read. */
  orderMarker: PackOrderMarker | undefined;
  /** The record whose comment holds an earlier version's pending marker (`[sslclick pack pending]`). */
  pendingOrderRecord: BrandingRecord | undefined;
  configuration: RuleDecision;
  cache: RuleDecision;
}

/** The record sslclick works on: the branding CNAME, or with `adopt` the first foreign record. */
export function targetRecord(observation: CloudflareObservation): BrandingRecord | undefined {
  const state = observation.recordState;
  if (state.kind === 'branding' || state.kind === 'auto-ssl') return state.record;
  if (state.kind === 'foreign') return state.records[0];
  return undefined;
}

/** The four things an observation reads, each with one API call. */
export type ObservationPart = 'records' | 'packs' | 'configuration' | 'cache';

/** An earlier observation of the same host in the same run, and the parts written since, which alone are read again. */
export interface ObservationReuse {
  previous: CloudflareObservation;
  changed: ReadonlySet<ObservationPart>;
}

/**
 * Reads the zone's records at the host, its certificate packs and both phase entrypoints. With
 * `reuse`, only the parts this run wrote since `reuse.previous` are read again: what it did not
 * touch is what that observation saw moments ago in the same run.
 */
export async function observe(
  connection: CloudflareConnection,
  zone: CloudflareZoneReference,
  hostname: string,
  origin: string,
  run?: RunOptions,
  reuse?: ObservationReuse,
): Promise<CloudflareObservation> {
  const fresh = (part: ObservationPart): boolean => !reuse || reuse.changed.has(part);
  const previous = reuse?.previous;
  const [records, packs, configurationEntrypoint, cacheEntrypoint] = await Promise.all([
    fresh('records') || !previous ? readRecordsAt(connection, zone.id, hostname, run) : previous.records,
    fresh('packs') || !previous ? listCertificatePacks(connection, zone.id, run) : previous.packs,
    fresh('configuration') || !previous ? readEntrypoint(connection, zone.id, 'configuration', 'http_config_settings', run) : previous.configuration.entrypoint,
    fresh('cache') || !previous ? readEntrypoint(connection, zone.id, 'cache', 'http_request_cache_settings', run) : previous.cache.entrypoint,
  ]);
  const recordState = classifyRecords(records, origin);
  const configuration = decideRule(configurationEntrypoint, configurationRule(hostname));
  const marked = records.map(orderedPackId).find((id) => id !== undefined);
  const pendingOrderRecord = marked === undefined ? records.find(hasPendingPackOrder) : undefined;
  const orderMarker = markerOf(configuration);
  const pendingOrder = pendingOrderRecord !== undefined || orderPendingByMarker(orderMarker, marked);
  // Only what sslclick orders (type advanced, hosts exactly the apex and this host, not going
  // away), and none the marker lists: those were there before the order, or are what it replaces.
  const notOrdered = new Set(orderMarker?.notOrdered ?? []);
  const candidates = pendingOrder ? packsLikeOrdered(packs.filter((pack) => !notOrdered.has(pack.id.toLowerCase())), zone.name, hostname) : [];
  // sslclick's order made one pack; two or more mean someone else ordered the same meanwhile, and
  // taking the wrong one would delete theirs on destroy: none is claimed, and status says so.
  const pendingOrderPack = candidates.length === 1 ? candidates[0] : undefined;
  return {
    hostname,
    origin,
    zone,
    records,
    packs,
    recordState,
    covering: coveringPacks(packs, hostname),
    ownedPack: pendingOrder ? pendingOrderPack : marked ? packs.find((pack) => pack.id === marked) : undefined,
    ownedPackId: marked,
    pendingOrder,
    unclaimedOrders: candidates.length > 1 ? candidates : [],
    orderMarker,
    pendingOrderRecord,
    configuration,
    cache: decideRule(cacheEntrypoint, cacheBypassRule(hostname)),
  };
}
