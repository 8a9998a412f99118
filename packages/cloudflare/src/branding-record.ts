import type { RunOptions } from '@sslclick/core';
import { listAll, type CloudflareConnection } from './cloudflare-client.js';

/** A DNS record at the branded host, in the fields the adapter reads and restores. */
export interface BrandingRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  ttl: number;
  comment: string | null;
}

/** What the records at the branded host mean for `apply`. */
export type BrandingRecordState =
  /** No record: the link branding was never set up here (or never validated). */
  | { kind: 'missing' }
  /** The branding CNAME to the SendGrid origin, DNS-only or already proxied. */
  | { kind: 'branding'; record: BrandingRecord }
  /** A CNAME to click.sendgrid.net: SendGrid Auto SSL, no CDN needed. */
  | { kind: 'auto-ssl'; record: BrandingRecord }
  /** Something else: another CNAME target, A or AAAA records. */
  | { kind: 'foreign'; records: BrandingRecord[] };

/**
 * The marker in a record's comment naming the certificate pack sslclick ordered for it, written
 * by the PATCH that proxies the record. Earlier versions also wrote `pending` there before an
 * order (a PATCH of its own); that is still read, while the proof written before an order is now
 * the marker on sslclick's Configuration Rule (pack-order-marker.ts).
 *
 * Cloudflare's pack ids are UUIDs with hyphens (`3822ff90-ea29-44df-9e55-21300bb9419b` in its
 * docs and in cloudflare/cloudflare-go's certificate_packs_test.go); plain hex ids (the SDK's
 * placeholder examples, markers written by earlier versions) are read too, so no marker is ever
 * missed: a missed marker means a billed pack never deleted and markers stacking up.
 */
const packMarkerPattern = /\s*\[sslclick pack ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{8,64}|pending)\]/i;
/** Every marker in a comment (a comment written by an older version may hold more than one). */
const everyPackMarkerPattern = new RegExp(packMarkerPattern.source, 'gi');

/** The word earlier versions wrote in the marker while an order was under way (the pack's id not known yet). */
export const pendingPackMarker = 'pending';

/** The id of the certificate pack sslclick ordered for this record, from its comment. */
export function orderedPackId(record: Pick<BrandingRecord, 'comment'>): string | undefined {
  const marked = record.comment ? packMarkerPattern.exec(record.comment)?.[1]?.toLowerCase() : undefined;
  return marked === pendingPackMarker ? undefined : marked;
}

/** Whether sslclick started ordering a pack for this record and never noted its id (a run stopped in between). */
export function hasPendingPackOrder(record: Pick<BrandingRecord, 'comment'>): boolean {
  return record.comment ? packMarkerPattern.exec(record.comment)?.[1]?.toLowerCase() === pendingPackMarker : false;
}

/** The record's comment with sslclick's pack marker added (the customer's own text is kept). */
export function commentWithPack(comment: string | null, packId: string): string {
  const base = commentWithoutPack(comment) ?? '';
  return `${base}${base === '' ? '' : ' '}[sslclick pack ${packId}]`;
}

/** The record's comment with sslclick's pack marker removed; null when nothing else was there. */
export function commentWithoutPack(comment: string | null): string | null {
  if (comment === null) return null;
  const stripped = comment.replace(everyPackMarkerPattern, '').trim();
  return stripped === '' ? null : stripped;
}

function toBrandingRecord(record: { id: string; name: string; type: string; content?: string; proxied?: boolean; ttl: number; comment?: string | null }): BrandingRecord {
  return {
    id: record.id,
    name: record.name.toLowerCase(),
    type: record.type,
    content: (record.content ?? '').toLowerCase().replace(/\.$/, ''),
    proxied: record.proxied === true,
    ttl: record.ttl,
    comment: record.comment ?? null,
  };
}

/** Reads the A, AAAA and CNAME records at `hostname` (other types, e.g. TXT, do not clash with a CNAME target here). */
export async function readRecordsAt(connection: CloudflareConnection, zoneId: string, hostname: string, run?: RunOptions): Promise<BrandingRecord[]> {
  const records = await listAll(
    connection,
    'dns.records.list',
    'Zone > DNS > Read',
    (page, options) => connection.client.dns.records.list({ zone_id: zoneId, name: { exact: hostname }, page, per_page: 100 }, options),
    run,
  );
  return records
    .filter((record) => record.type === 'A' || record.type === 'AAAA' || record.type === 'CNAME')
    .map((record) => toBrandingRecord(record as Parameters<typeof toBrandingRecord>[0]));
}

/** Decides what the records at the branded host are, for a proxy to `origin`. */
export function classifyRecords(records: BrandingRecord[], origin: string): BrandingRecordState {
  if (records.length === 0) return { kind: 'missing' };
  const [only] = records;
  if (records.length === 1 && only && only.type === 'CNAME') {
    if (only.content === 'click.sendgrid.net') return { kind: 'auto-ssl', record: only };
    if (only.content === origin) return { kind: 'branding', record: only };
  }
  return { kind: 'foreign', records };
}

/** A few words describing records, for messages: `CNAME → example.net (DNS-only)`. */
export function describeRecords(records: BrandingRecord[]): string {
  return records.map((record) => `${record.type} → ${record.content} (${record.proxied ? 'proxied' : 'DNS-only'})`).join(', ');
}
