import { SslClickError, type RunOptions } from '@sslclick/core';
import { cachedLookup, invalidInput, isWithinDomain, parentDomains } from '@sslclick/core/adapter';
import type { LookupCache } from '@sslclick/core';
import { listAll, type CloudflareConnection } from './cloudflare-client.js';

/** The zone a hostname lives in, as the adapter uses it. */
export interface CloudflareZoneReference {
  id: string;
  name: string;
  /** `active`, `pending`, `initializing` or `moved`. */
  status: string;
  /** The zone's Cloudflare nameservers (for asking the authoritative server directly). */
  nameServers: string[];
  /**
   * `full` (Cloudflare's nameservers are authoritative) or `partial` (a CNAME setup: the
   * customer's own DNS stays authoritative, and a proxied host must be a CNAME to
   * `<host>.cdn.cloudflare.net` there); `secondary` and `internal` are treated like `full`.
   */
  type: string;
}

interface ZoneShape {
  id: string;
  name: string;
  status?: string;
  type?: string;
  name_servers?: string[];
}

function reference(zone: ZoneShape): CloudflareZoneReference {
  return { id: zone.id, name: zone.name.toLowerCase(), status: zone.status ?? 'active', nameServers: zone.name_servers ?? [], type: zone.type ?? 'full' };
}

/** Whether the zone is a partial (CNAME) setup, where Cloudflare does not answer the public's DNS queries. */
export function isPartialZone(zone: CloudflareZoneReference): boolean {
  return zone.type === 'partial';
}

/**
 * The name the public CNAME of `hostname` must point at in a partial zone (Cloudflare's
 * partial-setup docs: https://developers.cloudflare.com/dns/zone-setups/partial-setup/setup/).
 */
export function partialZoneTarget(hostname: string): string {
  return `${hostname}.cdn.cloudflare.net`;
}

/** Where zone lookups are remembered: the run's or adapter's cache, under the adapter's own scope. */
export interface ZoneLookupCache {
  cache: LookupCache | undefined;
  /** Keeps apart the entries of adapters with other tokens or endpoints that share one cache. */
  scope: string;
}

/** How many zones one page of the list asks for: Cloudflare's most for `GET /zones`. */
const zonePageSize = 50;

/**
 * Every zone whose name ends with `suffix` (`null` when more than one page of them exists), in one
 * request. Cloudflare's list-zones `name` filter takes an operator before the value,
 * `name=ends_with:example.com` (the API reference for `GET /zones` lists `ends_with` among the
 * operators of `name`; cloudflare/cloudflare-typescript `src/resources/zones/zones.ts`,
 * `ZoneListParams.name`), and matches without regard to case.
 */
async function zonesEndingWith(connection: CloudflareConnection, suffix: string, run: RunOptions | undefined): Promise<CloudflareZoneReference[] | null> {
  const answer = await connection.call(
    'zones.list',
    'Zone > Zone > Read',
    (options) => connection.client.zones.list({ name: `ends_with:${suffix}`, per_page: zonePageSize }, options),
    run,
  );
  const totalPages = (answer.result_info as { total_pages?: unknown } | null | undefined)?.total_pages;
  if (answer.result.length >= zonePageSize && !(typeof totalPages === 'number' && totalPages <= 1)) return null;
  return answer.result.map(reference);
}

/** Asks for one zone by its exact name; `null` (remembered) when there is none. */
async function zoneNamed(connection: CloudflareConnection, candidate: string, run: RunOptions | undefined): Promise<CloudflareZoneReference | null> {
  const zones = await listAll(
    connection,
    'zones.list',
    'Zone > Zone > Read',
    (page, options) => connection.client.zones.list({ name: candidate, page, per_page: zonePageSize }, options),
    run,
    zonePageSize,
  );
  const named = zones.find((zone) => zone.name.toLowerCase() === candidate);
  return named ? reference(named) : null;
}

/**
 * Finds the zone of `hostname`: with a configured zone id, that zone (the hostname must be inside
 * it); otherwise the zone whose name is the longest suffix of the hostname. Every zone that can
 * hold the host ends with its shortest parent name (`brand.com` for `url1.links.brand.com`), so
 * one request for the zones ending with it answers for every parent name at once; only when that
 * answer runs past one page (an account with more than 50 zones under, say, `co.uk`) is each
 * parent name asked by exact match instead, longest first. Returns undefined when no zone
 * matches; status is returned as is, callers decide what an inactive zone means.
 * With a lookup cache, each request is made once per cache: the hosts of one run under the same
 * parent names share it. The adapter never writes zones, so nothing it does makes an entry stale.
 */
export async function findZone(connection: CloudflareConnection, hostname: string, run?: RunOptions, lookups?: ZoneLookupCache): Promise<CloudflareZoneReference | undefined> {
  const cache = lookups?.cache;
  const scope = lookups?.scope ?? 'cloudflare';
  if (connection.zoneId) {
    const zoneId = connection.zoneId;
    const found = await cachedLookup(cache, `${scope}:zone-id:${zoneId}`, async () =>
      reference(await connection.call('zones.get', 'Zone > Zone > Read', (options) => connection.client.zones.get({ zone_id: zoneId }, options), run)),
    );
    if (!isWithinDomain(hostname, found.name)) {
      throw invalidInput(`${hostname} is not in the zone ${found.name} (zoneId ${found.id}); pass the zone that holds it, or leave zoneId out.`, {
        provider: 'cloudflare',
        operation: 'zone-lookup',
      });
    }
    return found;
  }
  const candidates = parentDomains(hostname);
  const shortest = candidates[candidates.length - 1];
  if (shortest === undefined) return undefined;
  // null: more than a page of zones end with it. The array is remembered, even when empty.
  const endingWith = await cachedLookup(cache, `${scope}:zones-ending-with:${shortest}`, () => zonesEndingWith(connection, shortest, run));
  // Longest first: `links.brand.com` holds the host rather than `brand.com` when both are zones.
  for (const candidate of candidates) {
    const match = endingWith?.find((zone) => zone.name === candidate);
    if (match) return match;
  }
  // No zone among them (or too many to list): each parent name is asked by exact match. That also
  // keeps the adapter right should the API ever take `ends_with:` as a plain name (it would list
  // nothing), at the cost of the requests this lookup saves; a host in no zone pays them.
  for (const candidate of candidates) {
    // null, not undefined: "no zone of this name" is remembered too, for the next host under it.
    const match = await cachedLookup(cache, `${scope}:zone-name:${candidate}`, () => zoneNamed(connection, candidate, run));
    if (match) return match;
  }
  return undefined;
}

/** Like `findZone`, but a missing or inactive zone is an error that says what to do. */
export async function requireActiveZone(connection: CloudflareConnection, hostname: string, run?: RunOptions, lookups?: ZoneLookupCache): Promise<CloudflareZoneReference> {
  const zone = await findZone(connection, hostname, run, lookups);
  if (!zone) {
    throw new SslClickError({
      code: 'NOT_FOUND',
      message: `No Cloudflare zone this token can see holds ${hostname} (tried ${parentDomains(hostname).join(', ')}): add the domain to Cloudflare, or give the token access to its zone.`,
      provider: 'cloudflare',
      operation: 'zone-lookup',
    });
  }
  if (zone.status !== 'active') {
    throw new SslClickError({
      code: 'CONFLICT',
      message: isPartialZone(zone)
        ? `The Cloudflare zone ${zone.name} (a partial, CNAME setup) is "${zone.status}", not active: Cloudflare proxies nothing for it until the verification TXT record from its DNS Settings page is published at your DNS. Publish it, then run again.`
        : `The Cloudflare zone ${zone.name} is "${zone.status}", not active: Cloudflare proxies nothing for it until its nameservers point at Cloudflare (${zone.nameServers.join(', ') || 'see the zone Overview'}). Finish activating the zone, then run again.`,
      provider: 'cloudflare',
      operation: 'zone-lookup',
      retryable: false,
    });
  }
  return zone;
}
