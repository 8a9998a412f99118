import type { Edge, EdgeRoute } from '../edge.js';
import { effectiveCache, effectiveSslMode, rulesetEdgeKey } from './cloudflare-data-plane.js';
import type { CustomHostnameState, FakeCustomHostname } from './custom-hostnames.js';
import { createSyncQueue } from './sync-queue.js';

/**
 * Mirrors the custom hostnames onto the sandbox edge: a hostname whose status and certificate
 * are both `active` is served with a certificate for itself, whatever its public DNS says (that
 * is what pre-validation is for), and forwarded to its custom origin server or else the zone's
 * fallback origin, the record's target as the origin, with the viewer's Host and the viewer's
 * host as SNI (Cloudflare: "When Cloudflare establishes a connection to your default origin
 * server, the Host header and SNI will both be the value of the original custom hostname").
 * SSL mode and caching are the provider zone's, as for its own hosts.
 *
 * A sync runs after every request, so it looks only at the hostnames changed since the last one
 * (created, deleted, read or edited), and at every hostname only when something they share
 * changed: a zone's settings, rulesets or fallback origin, or an origin's record. Re-deriving
 * every hostname after each request made a fleet's syncs grow with its square.
 */
export class CustomHostnameDataPlane {
  /** What the edge serves now, by hostname: the custom hostname's id and its route as JSON. */
  readonly #published = new Map<string, { id: string; routeKey: string }>();
  /** Custom hostnames (by id) changed since the last sync began. */
  readonly #changed = new Set<string>();
  /** The hostname of each custom hostname as last synced, so a deleted one can be taken off. */
  readonly #hostnameOf = new Map<string, string>();
  /** How many custom hostnames each zone holds, for the zones {@link #sharedKey} reads. */
  readonly #perZone = new Map<string, number>();
  /** Names of records used as a custom origin server, whose change re-derives every hostname. */
  readonly #customOrigins = new Set<string>();
  #everything = true;
  #lastSharedKey: string | undefined;
  readonly #queuedSync = createSyncQueue(() => this.#sync());

  constructor(
    private readonly saas: CustomHostnameState,
    private readonly edge: Edge,
  ) {
    saas.hostnames.onChange((id, before, after) => {
      this.#changed.add(id);
      if (before?.zoneId !== after?.zoneId) {
        if (before) this.#count(before.zoneId, -1);
        if (after) this.#count(after.zoneId, 1);
      }
    });
    saas.account.records.onChange((_id, before, after) => {
      if ((before && this.#customOrigins.has(before.name)) || (after && this.#customOrigins.has(after.name))) this.#everything = true;
    });
  }

  #count(zoneId: string, by: number): void {
    const count = (this.#perZone.get(zoneId) ?? 0) + by;
    if (count > 0) this.#perZone.set(zoneId, count);
    else this.#perZone.delete(zoneId);
  }

  /** The first proxied A or CNAME record named `name` in the zone, the origin the edge goes to. */
  #originRecord(zoneId: string, name: string): { content: string } | undefined {
    return this.saas.account.zoneRecordsNamed(zoneId, name).find((entry) => entry.proxied && (entry.type === 'A' || entry.type === 'CNAME'));
  }

  /** What every hostname of a zone depends on: the zone's settings and rulesets, its fallback origin and that origin's record. */
  #sharedKey(): string {
    const account = this.saas.account;
    const parts: string[] = [];
    for (const zoneId of this.#perZone.keys()) {
      const zone = account.zones.get(zoneId);
      const fallback = this.saas.fallbackOrigins.get(zoneId)?.origin;
      const origin = fallback ? this.#originRecord(zoneId, fallback)?.content : undefined;
      parts.push(`z ${zoneId} ${zone?.status} ${zone?.ssl} ${zone?.cacheEverything} ${fallback} ${origin}`);
    }
    if (this.#perZone.size > 0) {
      for (const ruleset of account.rulesets.values()) {
        if (this.#perZone.has(ruleset.zoneId)) parts.push(`r ${rulesetEdgeKey(ruleset)}`);
      }
    }
    return parts.join('\n');
  }

  /** The route a serving hostname gets, or undefined when it has no origin to go to. */
  #routeFor(record: FakeCustomHostname): EdgeRoute | undefined {
    const zoneId = record.zoneId;
    const originName = record.customOriginServer ?? this.saas.fallbackOrigins.get(zoneId)?.origin;
    if (!originName) return undefined;
    const originRecord = this.#originRecord(zoneId, originName);
    if (!originRecord) return undefined;
    const mode = effectiveSslMode(this.saas.account, zoneId, record.hostname);
    const sni = record.customOriginSni === ':request_host_header:' ? 'viewer' : record.customOriginSni;
    return {
      hostname: record.hostname,
      provider: 'cloudflare',
      originHost: originRecord.content,
      originProtocol: mode === 'flexible' || mode === 'off' ? 'http' : 'https',
      hostHeader: 'viewer',
      // The default (fallback) origin gets the custom hostname as SNI; a custom origin its own name.
      originServername: record.customOriginServer ? (sni ?? originRecord.content) : 'viewer',
      verifyOriginCertificate: mode === 'strict' || mode === 'origin_pull',
      cache: effectiveCache(this.saas.account, zoneId, record.hostname),
    };
  }

  /** Brings the edge in line with the custom hostnames now; concurrent callers share the sync not started yet. */
  sync(): Promise<void> {
    return this.#queuedSync();
  }

  async #sync(): Promise<void> {
    const sharedKey = this.#sharedKey();
    const everything = this.#everything || sharedKey !== this.#lastSharedKey;
    const ids = new Set(everything ? [...this.saas.hostnames.keys(), ...this.#hostnameOf.keys()] : this.#changed);
    this.#changed.clear();
    this.#everything = false;
    this.#lastSharedKey = undefined;
    try {
      // Hostnames taken off first, so one deleted and made again under a new id ends served.
      const serving: Array<{ id: string; route: EdgeRoute }> = [];
      for (const id of ids) {
        const route = this.#settle(id);
        if (route) serving.push({ id, route });
      }
      for (const { id, route } of serving) await this.#publish(id, route);
    } catch (error) {
      this.#everything = true;
      throw error;
    }
    this.#lastSharedKey = sharedKey;
  }

  /** Takes a custom hostname off the edge unless it is to be served; returns its route when it is. */
  #settle(id: string): EdgeRoute | undefined {
    const record = this.saas.hostnames.get(id);
    const previous = this.#hostnameOf.get(id);
    if (previous !== undefined && previous !== record?.hostname) this.#unpublish(previous, id);
    if (!record) {
      this.#hostnameOf.delete(id);
      return undefined;
    }
    this.#hostnameOf.set(id, record.hostname);
    if (record.customOriginServer) this.#customOrigins.add(record.customOriginServer);
    const zone = this.saas.account.zones.get(record.zoneId);
    const route = zone && zone.status === 'active' && this.saas.serving(record) ? this.#routeFor(record) : undefined;
    if (!route) this.#unpublish(record.hostname, id);
    return route;
  }

  #unpublish(hostname: string, id: string): void {
    if (this.#published.get(hostname)?.id !== id) return;
    this.edge.removeRoute(hostname);
    this.edge.removeCertificate(hostname);
    this.#published.delete(hostname);
  }

  async #publish(id: string, route: EdgeRoute): Promise<void> {
    const hostname = route.hostname;
    const routeKey = JSON.stringify(route);
    const published = this.#published.get(hostname);
    if (published?.id === id && published.routeKey === routeKey) return;
    this.edge.setRoute(route);
    if (!published || !this.edge.getCertificate(hostname)) await this.edge.setCertificate(hostname, { names: [hostname] });
    this.#published.set(hostname, { id, routeKey });
  }
}
