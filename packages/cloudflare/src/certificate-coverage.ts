import type { RunOptions } from '@sslclick/core';
import { listAll, type CloudflareConnection } from './cloudflare-client.js';

/** A certificate pack, in the fields the adapter reads. */
export interface CertificatePackSummary {
  id: string;
  type: string;
  hosts: string[];
  status: string;
  /** The earliest expiry of its certificates, when known. */
  expiresOn?: string;
}

/** Pack states after which a pack will not become active by itself. */
const failedPackStatuses = new Set([
  'initializing_timed_out',
  'validation_timed_out',
  'issuance_timed_out',
  'deployment_timed_out',
  'deletion_timed_out',
  'expired',
  'deleted',
  'pending_deletion',
  'deactivating',
  'inactive',
]);

/** Whether a pack status means the pack is serving. */
export function isActivePack(pack: CertificatePackSummary): boolean {
  return pack.status === 'active';
}

/** Whether a pack status means it failed or is going away. */
export function isFailedPack(pack: CertificatePackSummary): boolean {
  return failedPackStatuses.has(pack.status);
}

/**
 * Whether a certificate host entry covers `hostname`. A wildcard covers exactly one label:
 * `*.example.com` covers `url1234.example.com` but not `url1234.mail.example.com`, which is why
 * Universal SSL (apex and `*.apex`) does not cover two-level branded hosts.
 */
export function hostEntryCovers(entry: string, hostname: string): boolean {
  const pattern = entry.toLowerCase();
  if (!pattern.startsWith('*.')) return pattern === hostname;
  const suffix = pattern.slice(1);
  if (!hostname.endsWith(suffix)) return false;
  const label = hostname.slice(0, -suffix.length);
  return label.length > 0 && !label.includes('.');
}

/** Reads every certificate pack of the zone, pending ones included. */
export async function listCertificatePacks(connection: CloudflareConnection, zoneId: string, run?: RunOptions): Promise<CertificatePackSummary[]> {
  const packs = await listAll(
    connection,
    'ssl.certificatePacks.list',
    'Zone > SSL and Certificates > Read',
    (page, options) => connection.client.ssl.certificatePacks.list({ zone_id: zoneId, status: 'all', page, per_page: 50 }, options),
    run,
    50,
  );
  return packs.map((pack) => {
    const expiries = (pack.certificates ?? []).map((certificate) => certificate.expires_on).filter((value): value is string => typeof value === 'string').sort();
    return { id: pack.id, type: pack.type, hosts: pack.hosts.map((host) => host.toLowerCase()), status: pack.status, ...(expiries[0] ? { expiresOn: expiries[0] } : {}) };
  });
}

/** The packs that cover `hostname`, best first: active before pending, advanced before universal. */
export function coveringPacks(packs: CertificatePackSummary[], hostname: string): CertificatePackSummary[] {
  const rank = (pack: CertificatePackSummary): number => (isActivePack(pack) ? 0 : isFailedPack(pack) ? 2 : 1) * 2 + (pack.type === 'universal' ? 1 : 0);
  return packs.filter((pack) => pack.hosts.some((entry) => hostEntryCovers(entry, hostname))).sort((left, right) => rank(left) - rank(right));
}

/**
 * The packs that look like what sslclick orders for `hostname`: type advanced, hosts exactly the
 * zone apex and the host (what `apply` orders), not going away. A customer's own pack for the host
 * may look the same, which is why ownership needs a marker written before the order.
 */
export function packsLikeOrdered(packs: CertificatePackSummary[], zoneName: string, hostname: string): CertificatePackSummary[] {
  const orderedHosts = JSON.stringify([zoneName.toLowerCase(), hostname.toLowerCase()].sort());
  return packs.filter((pack) => pack.type === 'advanced' && JSON.stringify([...pack.hosts].sort()) === orderedHosts && !['deleted', 'pending_deletion'].includes(pack.status));
}

/**
 * The pack sslclick ordered for `hostname`, among `packs`: the first that looks like its order.
 * Used to find a pack whose order's answer was lost, within a run (before retrying the order,
 * among the packs that were not there before) or across runs (among the packs the order marker
 * does not list).
 */
export function orderedPackFor(packs: CertificatePackSummary[], zoneName: string, hostname: string): CertificatePackSummary | undefined {
  return packsLikeOrdered(packs, zoneName, hostname)[0];
}
