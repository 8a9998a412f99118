import type { Edge, EdgeRoute } from '../edge.js';
import { effectiveCache, effectiveSslMode } from './cloudflare-data-plane.js';
import type { CloudflareDnsRecord } from './cloudflare-state.js';
import type { CustomHostnameState, FakeCustomHostname } from './custom-hostnames.js';

/**
 * Mirrors the custom hostnames onto the sandbox edge: a hostname whose status and certificate
 * are both `active` is served with a certificate for itself, whatever its public DNS says (that
 * is what pre-validation is for), and forwarded to its custom origin server or else the zone's
 * fallback origin, the record's target as the origin, with the viewer's Host and the viewer's
 * host as SNI (Cloudflare: "When Cloudflare establishes a connection to your default origin
 * server, the Host header and SNI will both be the value of the original custom hostname").
 * SSL mode and caching are the provider zone's, as for its own hosts.
 */
export class CustomHostnameDataPlane {
  readonly #published = new Map<string, string>();

  constructor(
    private readonly saas: CustomHostnameState,
    private readonly edge: Edge,
  ) {}

  /**
   * The zone's proxied A and CNAME records by name, read once per sync: a provider zone holds a
   * marker record per custom hostname, so scanning it for every hostname grew with the square
   * of the fleet.
   */
  #proxiedRecordsOf(zoneId: string, perSync: Map<string, Map<string, CloudflareDnsRecord>>): Map<string, CloudflareDnsRecord> {
    let byName = perSync.get(zoneId);
    if (!byName) {
      byName = new Map();
      for (const entry of this.saas.account.zoneRecords(zoneId)) {
        if (entry.proxied && ['A', 'CNAME'].includes(entry.type) && !byName.has(entry.name)) byName.set(entry.name, entry);
      }
      perSync.set(zoneId, byName);
    }
    return byName;
  }

  /** The route a serving hostname gets, or undefined when it has no origin to go to. */
  #routeFor(record: FakeCustomHostname, perSync: Map<string, Map<string, CloudflareDnsRecord>>): EdgeRoute | undefined {
    const zoneId = record.zoneId;
    const originName = record.customOriginServer ?? this.saas.fallbackOrigins.get(zoneId)?.origin;
    if (!originName) return undefined;
    const originRecord = this.#proxiedRecordsOf(zoneId, perSync).get(originName);
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

  /** Brings the edge in line with the custom hostnames now. */
  async sync(): Promise<void> {
    const wanted = new Map<string, { record: FakeCustomHostname; route: EdgeRoute }>();
    const perSync = new Map<string, Map<string, CloudflareDnsRecord>>();
    for (const record of this.saas.hostnames.values()) {
      const zone = this.saas.account.zones.get(record.zoneId);
      if (!zone || zone.status !== 'active' || !this.saas.serving(record)) continue;
      const route = this.#routeFor(record, perSync);
      if (route) wanted.set(record.hostname, { record, route });
    }
    for (const hostname of this.#published.keys()) {
      if (wanted.has(hostname)) continue;
      this.edge.removeRoute(hostname);
      this.edge.removeCertificate(hostname);
      this.#published.delete(hostname);
    }
    for (const [hostname, { record, route }] of wanted) {
      const key = `${record.id} ${JSON.stringify(route)}`;
      if (this.#published.get(hostname) === key) continue;
      this.edge.setRoute(route);
      if (!this.#published.has(hostname) || !this.edge.getCertificate(hostname)) await this.edge.setCertificate(hostname, { names: [hostname] });
      this.#published.set(hostname, key);
    }
  }
}
