import { randomUUID } from 'node:crypto';
import { SslClickError, type DnsProvider, type LookupCache, type DnsProviderRecord, type RunOptions, type UpsertCnameOptions } from '@sslclick/core';
import { invalidInput, withRedactedErrors } from '@sslclick/core/adapter';
import { createCloudflareConnection, listAll, type CloudflareConnectionSettings } from './cloudflare-client.js';
import { isPartialZone, requireActiveZone, type CloudflareZoneReference } from './zone-lookup.js';

/** Settings of `createCloudflareDns`: the connection settings (`apiToken`, `zoneId`, `baseURL`, `retry`, `fetch`) and a lookup cache. */
export interface CloudflareDnsSettings extends CloudflareConnectionSettings {
  /**
   * Shares zone lookups (each parent name asked once) across the names of one run
   * (`createLookupCache()`; a run's own `RunOptions.lookupCache` comes first). Without it each
   * new name walks its parent names afresh; a zone once found for a name is remembered anyway.
   */
  lookupCache?: LookupCache | undefined;
}

/** The comment written on records sslclick creates, unless the caller gives one (a record that is there already keeps its own). */
export const defaultCloudflareDnsComment = 'Managed by sslclick (SendGrid click tracking)';

interface RawRecord {
  id: string;
  name: string;
  type: string;
  content?: string;
  proxied?: boolean;
  ttl: number;
}

function clean(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Record names are host names, but may have underscore labels (`_acme-challenge.url1234.example.com`,
 * which certificate validation at other CDNs needs), so core's stricter hostname rules do not apply.
 */
function normalizeRecordName(input: string): string {
  if (typeof input !== 'string') throw invalidInput('A DNS record name must be a string.', { provider: 'cloudflare', operation: 'dns' });
  const name = clean(input);
  if (!/^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$/.test(name) || name.length > 253) {
    throw invalidInput(`"${input}" is not a DNS record name such as "url1234.example.com".`, { provider: 'cloudflare', operation: 'dns' });
  }
  return name;
}

/** TXT content without the surrounding quotes Cloudflare may store it with. */
function unquote(content: string): string {
  return content.replace(/^"(.*)"$/, '$1');
}

function toProviderRecord(record: RawRecord): DnsProviderRecord {
  return { id: record.id, name: clean(record.name), type: record.type, value: record.type === 'CNAME' ? clean(record.content ?? '') : (record.content ?? '') };
}

/**
 * A `DnsProvider` on Cloudflare DNS, for adapters whose CDN does not host DNS (Fastly,
 * CloudFront): finds each name's zone by the longest matching zone name (or uses `zoneId`), and
 * writes CNAMEs DNS-only ("grey cloud", so Cloudflare does not proxy in front of the other CDN).
 * Records it creates carry a comment marking them as sslclick's; a record that was there already
 * (the branding CNAME) keeps its own comment and TTL, so destroy leaves it as it was. A partial
 * (CNAME setup) zone is refused with `CONFLICT`: the public does not see its records. Needs a
 * token with Zone > Zone > Read and Zone > DNS > Edit. Settings are validated here; no request is
 * made until a method runs.
 */
export function createCloudflareDns(settings: CloudflareDnsSettings = {}): DnsProvider {
  const connection = createCloudflareConnection(settings, 'createCloudflareDns');
  const zones = new Map<string, CloudflareZoneReference>();
  const lookupScope = `cloudflare-dns:${randomUUID()}`;

  async function zoneFor(name: string, run?: RunOptions): Promise<CloudflareZoneReference> {
    const known = zones.get(name);
    if (known) return known;
    // A run's (or this provider's) lookup cache shares the walk over parent names across hosts.
    const zone = await requireActiveZone(connection, name, run, { cache: run?.lookupCache ?? settings.lookupCache, scope: lookupScope });
    if (isPartialZone(zone)) {
      // The public asks the customer's own DNS host for a partial (CNAME setup) zone: a record
      // written in Cloudflare would never be seen, and a wait for it would only time out.
      throw new SslClickError({
        code: 'CONFLICT',
        message: `${zone.name} is a partial (CNAME setup) Cloudflare zone: its public DNS is at your own DNS host, so a record written in Cloudflare would not be seen. Nothing was changed; leave out the dns setting and publish the records the status lists at your DNS host.`,
        provider: 'cloudflare',
        operation: 'dns.zone-lookup',
      });
    }
    zones.set(name, zone);
    return zone;
  }

  async function readRaw(zoneId: string, name: string, run?: RunOptions): Promise<RawRecord[]> {
    return (await listAll(
      connection,
      'dns.records.list',
      'Zone > DNS > Read',
      (page, options) => connection.client.dns.records.list({ zone_id: zoneId, name: { exact: name }, page, per_page: 100 }, options),
      run,
    )) as unknown as RawRecord[];
  }

  return withRedactedErrors({
    name: 'cloudflare',

    async getRecords(nameInput, type, run) {
      const name = normalizeRecordName(nameInput);
      const zone = await zoneFor(name, run);
      const records = await readRaw(zone.id, name, run);
      return records.filter((record) => type === undefined || record.type === type).map(toProviderRecord);
    },

    async upsertCname(nameInput, valueInput, options: UpsertCnameOptions = {}) {
      const name = normalizeRecordName(nameInput);
      const value = clean(valueInput);
      const zone = await zoneFor(name, options);
      const records = (await readRaw(zone.id, name, options)).filter((record) => ['A', 'AAAA', 'CNAME'].includes(record.type));
      const comment = options.comment ?? defaultCloudflareDnsComment;
      const replaceable = new Set((options.replaceable ?? []).map(clean));
      const cname = records.find((record) => record.type === 'CNAME');

      if (cname && clean(cname.content ?? '') === value && !cname.proxied && records.length === 1) {
        return { changed: false, record: toProviderRecord(cname) };
      }
      const others = records.filter((record) => record !== cname);
      const cnameAllowed = !cname || clean(cname.content ?? '') === value || replaceable.has(clean(cname.content ?? ''));
      if (!options.adopt && (others.length > 0 || !cnameAllowed)) {
        const what = records.map((record) => `${record.type} ${record.content ?? ''}${record.proxied ? ' (proxied)' : ''}`).join(', ');
        throw new SslClickError({
          code: 'CONFLICT',
          message: `${name} already holds ${what} in the Cloudflare zone ${zone.name}; sslclick will not overwrite it with CNAME ${value}. Change it yourself, or pass adopt: true.`,
          provider: 'cloudflare',
          operation: 'dns.upsertCname',
        });
      }
      // A record that is there already is edited in place (PATCH, its TTL sent back unchanged,
      // its comment left out so it stays): it is the customer's (the branding CNAME), and
      // destroy must leave it as found. Only a record sslclick creates gets sslclick's comment.
      const edited = { zone_id: zone.id, type: 'CNAME' as const, name, content: value, proxied: false, ttl: cname?.ttl ?? 1 };
      const fields = { ...edited, ttl: 1, comment };
      // The batch and the create are not idempotent (a second create duplicates or clashes, a
      // second batch finds its deletes gone): an attempt whose answer was lost (a time-out) may
      // have been carried out, so before a retry the name is read again, and if our CNAME is there
      // (and, for the batch, the records it deletes are gone) the write is taken as done.
      const landed = async (): Promise<RawRecord | undefined> => {
        const now = await readRaw(zone.id, name, options);
        if (others.some((other) => now.some((record) => record.id === other.id))) return undefined;
        return now.find((record) => record.type === 'CNAME' && clean(record.content ?? '') === value && (!cname || record.id === cname.id));
      };
      let written: RawRecord | undefined;
      if (others.length > 0) {
        // With adopt, the address records go (a CNAME cannot share its name with them) in the same
        // batch that writes the CNAME: Cloudflare applies a batch whole or not at all, so a failure
        // never leaves the name without any record.
        const { zone_id: _zone, ...record } = fields;
        const { zone_id: _editedZone, ...patch } = edited;
        written = await connection.call(
          'dns.records.batch',
          'Zone > DNS > Edit',
          (call) =>
            connection.client.dns.records
              .batch(
                {
                  zone_id: zone.id,
                  deletes: others.map((other) => ({ id: other.id })),
                  ...(cname ? { patches: [{ id: cname.id, ...patch }] } : { posts: [record] }),
                },
                call,
              )
              .then((answer) => (cname ? answer.patches : answer.posts)?.[0] as RawRecord | undefined),
          options,
          { recover: landed },
        );
      } else if (cname) {
        written = (await connection.call('dns.records.edit', 'Zone > DNS > Edit', (call) => connection.client.dns.records.edit(cname.id, edited, call), options)) as RawRecord;
      } else {
        written = await connection.call(
          'dns.records.create',
          'Zone > DNS > Edit',
          (call) => connection.client.dns.records.create(fields, call).then((created) => created as RawRecord),
          options,
          { recover: landed },
        );
      }
      options.onProgress?.({
        type: 'dns-record-written',
        message: `${name} is now a DNS-only CNAME to ${value} in the Cloudflare zone ${zone.name}.`,
        provider: 'cloudflare',
        hostname: name,
      });
      return { changed: true, record: toProviderRecord(written as RawRecord) };
    },

    async upsertTxt(nameInput, value, options = {}) {
      const name = normalizeRecordName(nameInput);
      const zone = await zoneFor(name, options);
      // Cloudflare stores TXT content as given (quoted or not); compare without the quotes.
      const present = (records: RawRecord[]): RawRecord | undefined => records.find((record) => record.type === 'TXT' && unquote(record.content ?? '') === value);
      if (present(await readRaw(zone.id, name, options))) return { changed: false };
      await connection.call(
        'dns.records.create',
        'Zone > DNS > Edit',
        (call) => connection.client.dns.records.create({ zone_id: zone.id, type: 'TXT', name, content: value, ttl: 1, comment: (options.comment ?? defaultCloudflareDnsComment).slice(0, 100) }, call),
        options,
        // A create whose answer was lost may have landed: read the name before sending it again.
        { recover: async () => present(await readRaw(zone.id, name, options)) },
      );
      options.onProgress?.({ type: 'dns-record-written', message: `${name} now holds the TXT value sslclick needs in the Cloudflare zone ${zone.name}.`, provider: 'cloudflare', hostname: name });
      return { changed: true };
    },

    async deleteTxt(nameInput, value, run) {
      const name = normalizeRecordName(nameInput);
      const zone = await zoneFor(name, run);
      const ours = (await readRaw(zone.id, name, run)).find((record) => record.type === 'TXT' && unquote(record.content ?? '') === value);
      if (!ours) return { changed: false };
      try {
        await connection.call('dns.records.delete', 'Zone > DNS > Edit', (call) => connection.client.dns.records.delete(ours.id, { zone_id: zone.id }, call), run);
      } catch (error) {
        if (SslClickError.isInstance(error) && error.code === 'NOT_FOUND') return { changed: false };
        throw error;
      }
      return { changed: true };
    },

    async deleteCname(nameInput, valueInput, run) {
      const name = normalizeRecordName(nameInput);
      const value = clean(valueInput);
      const zone = await zoneFor(name, run);
      const records = await readRaw(zone.id, name, run);
      const ours = records.find((record) => record.type === 'CNAME' && clean(record.content ?? '') === value);
      if (!ours) return { changed: false };
      try {
        await connection.call('dns.records.delete', 'Zone > DNS > Edit', (call) => connection.client.dns.records.delete(ours.id, { zone_id: zone.id }, call), run);
      } catch (error) {
        if (SslClickError.isInstance(error) && error.code === 'NOT_FOUND') return { changed: false };
        throw error;
      }
      return { changed: true };
    },
  });
}
