import { SslClickError, type ProxyStatus, type RunOptions } from '@sslclick/core';
import { DEFAULT_CUTOVER_CHECK_TIMEOUT_MS, buildStatus, readCutoverCheckTimeoutMs } from '@sslclick/core/adapter';
import { randomUUID } from 'node:crypto';
import type { BrandingRecord } from './branding-record.js';
import type { CloudflareConnection } from './cloudflare-client.js';
import { observe, type CloudflareObservation, type ObservationPart } from './cloudflare-observation.js';
import type { CloudflareProxySettings } from './cloudflare-proxy.js';
import type { NormalizedRequest } from './planned-changes.js';
import type { CloudflareZoneReference, ZoneLookupCache } from './zone-lookup.js';

/** The provider name on every status, error and progress event of the Cloudflare adapter. */
export const provider = 'cloudflare';

/** The fields of a DNS record that one PATCH sets. */
export interface RecordFields {
  type: string;
  content: string;
  proxied: boolean;
  ttl: number;
  comment: string | null;
}

/**
 * What the per-host mode's steps (plan and status, apply, destroy) share: the connection, the
 * settings with their defaults resolved, and the reads and writes more than one step makes.
 */
export interface PerHostContext {
  readonly connection: CloudflareConnection;
  readonly settings: CloudflareProxySettings;
  readonly orderCertificate: boolean;
  readonly bypassCache: boolean;
  readonly certificateAuthority: 'google' | 'lets_encrypt' | 'ssl_com';
  readonly cutoverCheckTimeoutMs: number;
  readonly changeSettings: { orderCertificate: boolean; certificateAuthority: 'google' | 'lets_encrypt' | 'ssl_com'; bypassCache: boolean };
  progress(run: RunOptions, type: string, message: string, hostname: string, detail?: Record<string, unknown>): void;
  zoneLookups(run: RunOptions): ZoneLookupCache;
  /**
   * Reads the host's records, packs and rules. Given the run's earlier observation and the parts
   * written since, reads only those again (and empties `changed`): a run reads each resource once,
   * and afterwards only what it wrote.
   */
  observeRequest(request: NormalizedRequest, zone: CloudflareZoneReference, run: RunOptions, previous?: CloudflareObservation, changed?: Set<ObservationPart>): Promise<CloudflareObservation>;
  editRecord(record: BrandingRecord, zoneId: string, fields: RecordFields, run: RunOptions): Promise<void>;
  /** Deletes a certificate pack sslclick ordered; one already gone is fine. */
  deletePack(packId: string, zoneId: string, run: RunOptions): Promise<void>;
}

/** Resolves the settings' defaults and builds the reads and writes the per-host steps share. */
export function createPerHostContext(connection: CloudflareConnection, settings: CloudflareProxySettings): PerHostContext {
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

  async function observeRequest(request: NormalizedRequest, zone: CloudflareZoneReference, run: RunOptions, previous?: CloudflareObservation, changed?: Set<ObservationPart>): Promise<CloudflareObservation> {
    const observation = await observe(connection, zone, request.hostname, request.origin, run, previous && changed ? { previous, changed: new Set(changed) } : undefined);
    changed?.clear();
    return observation;
  }

  async function editRecord(record: BrandingRecord, zoneId: string, fields: RecordFields, run: RunOptions): Promise<void> {
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

  async function deletePack(packId: string, zoneId: string, run: RunOptions): Promise<void> {
    try {
      await connection.call('ssl.certificatePacks.delete', 'Zone > SSL and Certificates > Edit', (options) => connection.client.ssl.certificatePacks.delete(packId, { zone_id: zoneId }, options), run);
    } catch (error) {
      if (!(SslClickError.isInstance(error) && error.code === 'NOT_FOUND')) throw error;
    }
  }

  return { connection, settings, orderCertificate, bypassCache, certificateAuthority, cutoverCheckTimeoutMs, changeSettings, progress, zoneLookups, observeRequest, editRecord, deletePack };
}

/** The status of a host with nothing of sslclick's: no zone holds it. */
export function absentStatus(request: NormalizedRequest, warnings: string[] = []): ProxyStatus {
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
