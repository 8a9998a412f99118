import { createHash } from 'node:crypto';
import { SslClickError, type DnsRecord, type RunOptions } from '@sslclick/core';
import { listAll, type CloudflareConnection } from './cloudflare-client.js';

/** A custom hostname as the adapter reads it (the fields of cloudflare-typescript's `CustomHostname` it uses). */
export interface CustomHostnameSummary {
  id: string;
  hostname: string;
  status: string;
  sslStatus: string;
  sslMethod: string;
  /** The DCV TXT record (`ssl.validation_records[].txt_name/txt_value`), once Cloudflare gives it. */
  dcv?: { name: string; value: string } | undefined;
  /** The ownership TXT record (`ownership_verification`), once Cloudflare gives it. */
  ownership?: { name: string; value: string } | undefined;
  verificationErrors: string[];
  expiresOn?: string | undefined;
  /** Cloudflare's own answer, for `raw`. */
  raw: unknown;
}

/** The sslclick marker: a TXT record in the provider zone naming a custom hostname sslclick created. */
export interface OwnershipMarker {
  id: string;
  name: string;
  /**
   * The TXT records sslclick published for the host (noted in the marker once known): Cloudflare
   * stops showing the DCV value once the certificate is issued, and destroy removes only these.
   */
  noted: Array<{ name: string; value: string }>;
}

interface RawCustomHostname {
  id: string;
  hostname: string;
  status?: string;
  ssl?: { status?: string; method?: string; expires_on?: string; validation_records?: Array<{ txt_name?: string; txt_value?: string }> };
  ownership_verification?: { name?: string; type?: string; value?: string };
  verification_errors?: string[];
}

function clean(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Reads a custom hostname answer into the summary the adapter uses. */
export function summarize(raw: RawCustomHostname): CustomHostnameSummary {
  const dcvRecord = raw.ssl?.validation_records?.find((record) => record.txt_name && record.txt_value);
  const ownership = raw.ownership_verification;
  return {
    id: raw.id,
    hostname: clean(raw.hostname),
    status: raw.status ?? 'pending',
    sslStatus: raw.ssl?.status ?? 'initializing',
    sslMethod: raw.ssl?.method ?? '',
    dcv: dcvRecord?.txt_name && dcvRecord.txt_value ? { name: clean(dcvRecord.txt_name), value: dcvRecord.txt_value } : undefined,
    ownership: ownership?.type === 'txt' && ownership.name && ownership.value ? { name: clean(ownership.name), value: ownership.value } : undefined,
    verificationErrors: raw.verification_errors ?? [],
    expiresOn: raw.ssl?.expires_on,
    raw,
  };
}

/** The custom hostname for `hostname` in the provider zone, if any (`hostname.exact`). */
export async function findCustomHostname(connection: CloudflareConnection, zoneId: string, hostname: string, run?: RunOptions): Promise<CustomHostnameSummary | undefined> {
  const found = await listAll(
    connection,
    'customHostnames.list',
    'Zone > SSL and Certificates > Read',
    (page, options) => connection.client.customHostnames.list({ zone_id: zoneId, hostname: { exact: hostname }, page, per_page: 50 }, options),
    run,
    50,
  );
  const raw = (found as unknown as RawCustomHostname[]).find((item) => clean(item.hostname) === hostname);
  return raw ? summarize(raw) : undefined;
}

/** Reads one custom hostname by id; undefined when it is gone. */
export async function getCustomHostname(connection: CloudflareConnection, zoneId: string, id: string, run?: RunOptions): Promise<CustomHostnameSummary | undefined> {
  try {
    const raw = await connection.call('customHostnames.get', 'Zone > SSL and Certificates > Read', (options) => connection.client.customHostnames.get(id, { zone_id: zoneId }, options), run);
    return summarize(raw as unknown as RawCustomHostname);
  } catch (error) {
    if (SslClickError.isInstance(error) && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * Creates the custom hostname with TXT domain control validation (so the certificate can be
 * issued before any traffic moves). The create is not idempotent: a retry after a lost answer
 * first looks the hostname up, and takes it if it is there.
 */
export async function createCustomHostname(connection: CloudflareConnection, zoneId: string, hostname: string, run: RunOptions): Promise<CustomHostnameSummary> {
  await run.budget?.take(1);
  const raw = await connection.call(
    'customHostnames.create',
    'Zone > SSL and Certificates > Edit',
    (options) => connection.client.customHostnames.create({ zone_id: zoneId, hostname, ssl: { method: 'txt', type: 'dv' } }, options).then((created) => created as unknown as RawCustomHostname),
    run,
    {
      recover: async () => {
        const found = await findCustomHostname(connection, zoneId, hostname, run);
        return found ? (found.raw as RawCustomHostname) : undefined;
      },
    },
  );
  return summarize(raw);
}

/** Switches an adopted custom hostname to TXT validation (Cloudflare restarts its validation). */
export async function useTxtValidation(connection: CloudflareConnection, zoneId: string, id: string, run: RunOptions): Promise<CustomHostnameSummary> {
  await run.budget?.take(1);
  const raw = await connection.call('customHostnames.edit', 'Zone > SSL and Certificates > Edit', (options) => connection.client.customHostnames.edit(id, { zone_id: zoneId, ssl: { method: 'txt', type: 'dv' } }, options), run);
  return summarize(raw as unknown as RawCustomHostname);
}

/** Deletes a custom hostname (and Cloudflare revokes its certificate); one already gone is fine. */
export async function deleteCustomHostname(connection: CloudflareConnection, zoneId: string, id: string, run: RunOptions): Promise<void> {
  try {
    await run.budget?.take(1);
    await connection.call('customHostnames.delete', 'Zone > SSL and Certificates > Edit', (options) => connection.client.customHostnames.delete(id, { zone_id: zoneId }, options), run);
  } catch (error) {
    if (!(SslClickError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
  }
}

/** The marker's name for `hostname`: a label from its hash, so any host length fits. */
export function markerName(hostname: string, zoneName: string): string {
  return `_sslclick-${createHash('sha256').update(hostname).digest('hex').slice(0, 24)}.${zoneName}`;
}

/** The marker's TXT content: names the hostname (a hash collision can never claim another host), then the TXT records published as `name=value`. */
export function markerContent(hostname: string, noted: ReadonlyArray<{ name: string; value: string }> = []): string {
  return `sslclick created the custom hostname ${hostname}${noted.length > 0 ? ` txt ${noted.map((record) => `${record.name}=${record.value}`).join(' ')}` : ''}`;
}

function parseMarker(content: string, hostname: string): OwnershipMarker['noted'] | undefined {
  const text = content.replace(/^"(.*)"$/, '$1');
  const base = markerContent(hostname);
  if (text === base) return [];
  if (!text.startsWith(`${base} txt `)) return undefined;
  return text
    .slice(base.length + 5)
    .split(' ')
    .map((entry) => entry.split('='))
    .filter((parts): parts is [string, string] => parts.length === 2 && parts[0] !== '' && parts[1] !== '')
    .map(([name, value]) => ({ name, value }));
}

/** The sslclick marker for `hostname`, if any. */
export async function findMarker(connection: CloudflareConnection, zoneId: string, zoneName: string, hostname: string, run?: RunOptions): Promise<OwnershipMarker | undefined> {
  const name = markerName(hostname, zoneName);
  const records = await listAll(
    connection,
    'dns.records.list',
    'Zone > DNS > Read',
    (page, options) => connection.client.dns.records.list({ zone_id: zoneId, name: { exact: name }, type: 'TXT', page, per_page: 100 }, options),
    run,
  );
  for (const record of records) {
    const noted = record.type === 'TXT' ? parseMarker(record.content ?? '', hostname) : undefined;
    if (noted) return { id: record.id, name, noted };
  }
  return undefined;
}

/** Notes the TXT records to publish in the marker (one PATCH, before they are published), so destroy removes exactly those. */
export async function noteMarkerRecords(connection: CloudflareConnection, zoneId: string, marker: OwnershipMarker, hostname: string, noted: OwnershipMarker['noted'], run: RunOptions): Promise<OwnershipMarker> {
  await run.budget?.take(1);
  await connection.call('dns.records.edit', 'Zone > DNS > Edit', (options) => connection.client.dns.records.edit(marker.id, { zone_id: zoneId, type: 'TXT', name: marker.name, content: markerContent(hostname, noted), ttl: 1 } as never, options), run);
  return { ...marker, noted };
}

/** Writes the marker (before the custom hostname is created, so a run stopped in between still knows it is ours). */
export async function writeMarker(connection: CloudflareConnection, zoneId: string, zoneName: string, hostname: string, run: RunOptions): Promise<OwnershipMarker> {
  const name = markerName(hostname, zoneName);
  await run.budget?.take(1);
  const written = await connection.call(
    'dns.records.create',
    'Zone > DNS > Edit',
    (options) => connection.client.dns.records.create({ zone_id: zoneId, type: 'TXT', name, content: markerContent(hostname), ttl: 1, comment: 'sslclick: marks a custom hostname it created' }, options).then((record) => ({ id: record.id })),
    run,
    { recover: async () => findMarker(connection, zoneId, zoneName, hostname, run) },
  );
  return { id: written.id, name, noted: [] };
}

/** Deletes the marker; one already gone is fine. */
export async function deleteMarker(connection: CloudflareConnection, zoneId: string, marker: OwnershipMarker, run: RunOptions): Promise<void> {
  try {
    await run.budget?.take(1);
    await connection.call('dns.records.delete', 'Zone > DNS > Edit', (options) => connection.client.dns.records.delete(marker.id, { zone_id: zoneId }, options), run);
  } catch (error) {
    if (!(SslClickError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
  }
}

/** The two TXT records that pre-validate a custom hostname, as `DnsRecord`s (ownership first). */
export function validationRecords(custom: CustomHostnameSummary): DnsRecord[] {
  const records: DnsRecord[] = [];
  if (custom.ownership) records.push({ name: custom.ownership.name, type: 'TXT', value: custom.ownership.value, purpose: 'Cloudflare for SaaS hostname pre-validation (ownership)' });
  if (custom.dcv) records.push({ name: custom.dcv.name, type: 'TXT', value: custom.dcv.value, purpose: 'Cloudflare for SaaS certificate validation (DCV)' });
  return records;
}
