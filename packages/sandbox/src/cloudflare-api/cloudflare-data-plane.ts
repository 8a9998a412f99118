import { EDGE_ADDRESS } from '../addresses.js';
import type { Sandbox } from '../sandbox.js';
import type { EdgeRoute } from '../edge.js';
import { createSyncQueue } from './sync-queue.js';
import {
  certificateHostCovers,
  partialZoneTarget,
  type CloudflareCertificatePack,
  type CloudflareRule,
  type CloudflareRuleset,
  type CloudflareSslMode,
  type CloudflareState,
} from './cloudflare-state.js';

/**
 * Whether a ruleset expression matches requests for `hostname`. Only the shapes rules for one
 * host use are understood (`true`, `http.host eq "…"`, `http.host in {"…" "…"}`, joined by `or`,
 * in parentheses); anything else matches nothing, so an unknown customer rule never changes the
 * sandbox's behaviour for our host.
 */
export function expressionMatchesHost(expression: string, hostname: string): boolean {
  let text = expression.trim();
  while (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
  if (text === 'true') return true;
  if (/\s(?:or|\|\|)\s/.test(text)) return text.split(/\s(?:or|\|\|)\s/).some((part) => expressionMatchesHost(part, hostname));
  const equal = /^http\.host\s+(?:eq|==)\s+"([^"]*)"$/.exec(text);
  if (equal) return equal[1]?.toLowerCase() === hostname;
  const member = /^http\.host\s+in\s+\{([^}]*)\}$/.exec(text);
  if (member) return [...(member[1] ?? '').matchAll(/"([^"]*)"/g)].some((match) => match[1]?.toLowerCase() === hostname);
  return false;
}

/**
 * The hostnames an expression matches, parsed the way {@link expressionMatchesHost} reads it:
 * `'all'` for `true` (in any `or` branch), else the set of names it names (lower-cased).
 */
function expressionHosts(expression: string): 'all' | Set<string> {
  let text = expression.trim();
  while (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
  if (text === 'true') return 'all';
  if (/\s(?:or|\|\|)\s/.test(text)) {
    const hosts = new Set<string>();
    for (const part of text.split(/\s(?:or|\|\|)\s/)) {
      const partHosts = expressionHosts(part);
      if (partHosts === 'all') return 'all';
      for (const host of partHosts) hosts.add(host);
    }
    return hosts;
  }
  const equal = /^http\.host\s+(?:eq|==)\s+"([^"]*)"$/.exec(text);
  if (equal) return new Set([(equal[1] ?? '').toLowerCase()]);
  const member = /^http\.host\s+in\s+\{([^}]*)\}$/.exec(text);
  if (member) return new Set([...(member[1] ?? '').matchAll(/"([^"]*)"/g)].map((match) => (match[1] ?? '').toLowerCase()));
  return new Set();
}

/**
 * The enabled rules of one action in one zone phase, indexed by the host they match, in ruleset
 * order. Built once per sync, so finding a host's rules does not scan every host's rules: a
 * fleet of hosts of one zone would otherwise make each sync cost the square of the hosts.
 */
/** Parsed expressions, by their text: every sync indexes the same rules again. Never changed once made. */
const parsedExpressions = new Map<string, 'all' | ReadonlySet<string>>();

function parsedExpression(expression: string): 'all' | ReadonlySet<string> {
  let hosts = parsedExpressions.get(expression);
  if (!hosts) {
    // Bounded, for a long-lived sandbox: past the bound it starts over.
    if (parsedExpressions.size >= 100_000) parsedExpressions.clear();
    hosts = expressionHosts(expression);
    parsedExpressions.set(expression, hosts);
  }
  return hosts;
}

class RuleIndex {
  /** Position in the ruleset of each rule that matches every host. */
  readonly #all: number[] = [];
  /** Positions of the rules naming a host, per host. */
  readonly #byHost = new Map<string, number[]>();

  constructor(private readonly rules: readonly CloudflareRule[]) {
    rules.forEach((rule, position) => {
      const hosts = parsedExpression(rule.expression as string);
      if (hosts === 'all') this.#all.push(position);
      else for (const host of hosts) this.#byHost.set(host, [...(this.#byHost.get(host) ?? []), position]);
    });
  }

  /** The rules matching `hostname`, in ruleset order (so the last one wins). */
  matching(hostname: string): CloudflareRule[] {
    const named = this.#byHost.get(hostname) ?? [];
    if (this.#all.length === 0) return named.map((position) => this.rules[position] as CloudflareRule);
    return [...new Set([...this.#all, ...named])].sort((left, right) => left - right).map((position) => this.rules[position] as CloudflareRule);
  }
}

/**
 * What the edge reads of a ruleset, as text: per rule, in order, the fields {@link SyncView}
 * matches and applies. Read afresh on every sync (not from its version), so a rule changed in
 * place, as a test changes it to stand for an edit made elsewhere, is seen too.
 */
export function rulesetEdgeKey(ruleset: CloudflareRuleset): string {
  const parts = [`${ruleset.id} ${ruleset.kind} ${ruleset.phase}`];
  for (const rule of ruleset.rules) {
    const parameters = rule.action_parameters as { ssl?: unknown; cache?: unknown } | undefined;
    parts.push(`${String(rule.action)} ${String(rule.enabled)} ${String(parameters?.ssl)} ${String(parameters?.cache)} ${String(rule.expression)}`);
  }
  return parts.join('\n');
}

/** What one sync reads from the account, looked up once: entrypoints, their rules by host, active packs. */
class SyncView {
  readonly #entrypoints = new Map<string, CloudflareRuleset | undefined>();
  readonly #rules = new Map<string, RuleIndex>();
  readonly #activePacks = new Map<string, CloudflareCertificatePack[]>();

  constructor(readonly state: CloudflareState) {
    for (const ruleset of state.rulesets.values()) {
      const key = `${ruleset.zoneId} ${ruleset.phase}`;
      // The first one, as `state.entrypoint` finds it.
      if (ruleset.kind === 'zone' && !this.#entrypoints.has(key)) this.#entrypoints.set(key, ruleset);
    }
  }

  matchingRules(zoneId: string, phase: string, action: string, hostname: string): CloudflareRule[] {
    const key = `${zoneId} ${phase} ${action}`;
    let index = this.#rules.get(key);
    if (!index) {
      const ruleset = this.#entrypoints.get(`${zoneId} ${phase}`);
      index = new RuleIndex((ruleset?.rules ?? []).filter((rule) => rule.action === action && rule.enabled !== false && typeof rule.expression === 'string'));
      this.#rules.set(key, index);
    }
    return index.matching(hostname);
  }

  /** As {@link CloudflareState.activeCoveringPack}, with the zone's active packs listed once per sync. */
  activeCoveringPack(zoneId: string, hostname: string): CloudflareCertificatePack | undefined {
    let active = this.#activePacks.get(zoneId);
    if (!active) {
      active = this.state.zonePacks(zoneId).filter((pack) => this.state.packStatus(pack) === 'active');
      this.#activePacks.set(zoneId, active);
    }
    const covering = active.filter((pack) => pack.hosts.some((entry) => certificateHostCovers(entry, hostname)));
    return covering.find((pack) => pack.type === 'advanced') ?? covering[0];
  }
}

/** The SSL mode the edge uses for `hostname`: the zone setting, overridden by matching Configuration Rules (last wins). */
export function effectiveSslMode(state: CloudflareState, zoneId: string, hostname: string): CloudflareSslMode {
  return sslModeIn(new SyncView(state), zoneId, hostname);
}

function sslModeIn(view: SyncView, zoneId: string, hostname: string): CloudflareSslMode {
  const state = view.state;
  let mode = state.zones.get(zoneId)?.ssl ?? 'flexible';
  for (const rule of view.matchingRules(zoneId, 'http_config_settings', 'set_config', hostname)) {
    const ssl = (rule.action_parameters as { ssl?: unknown } | undefined)?.ssl;
    if (typeof ssl === 'string') mode = ssl as CloudflareSslMode;
  }
  return mode;
}

/** Whether the edge caches `hostname`: the zone's "cache everything", overridden by matching Cache Rules (last wins). */
export function effectiveCache(state: CloudflareState, zoneId: string, hostname: string): boolean {
  return cacheIn(new SyncView(state), zoneId, hostname);
}

function cacheIn(view: SyncView, zoneId: string, hostname: string): boolean {
  const state = view.state;
  let cache = state.zones.get(zoneId)?.cacheEverything ?? false;
  for (const rule of view.matchingRules(zoneId, 'http_request_cache_settings', 'set_cache_settings', hostname)) {
    const value = (rule.action_parameters as { cache?: unknown } | undefined)?.cache;
    if (typeof value === 'boolean') cache = value;
  }
  return cache;
}

/** A record of an active zone as a name's public answer needs it. */
interface WantedRecord {
  type: string;
  content: string;
  proxied: boolean;
  zoneId: string;
  partial: boolean;
}

interface Published {
  /** The name this host's records were published under in the public DNS, when they were. */
  dnsName?: string;
  /** The certificate installed on the edge for the host, as `packId hosts…`, when one is. */
  certificateKey?: string;
  /** The route installed on the edge, as JSON, when one is. */
  routeKey?: string;
}

/**
 * Mirrors the fake account into the sandbox data plane: a DNS-only record is answered as it is;
 * a proxied one is answered with the edge address, and the edge terminates TLS for it (only with
 * an active covering certificate pack) and forwards to the record's content the way the host's
 * SSL mode says. Runs after every API request and on clock changes; serialised, idempotent.
 *
 * The sandbox DNS server is the public view. For a full zone Cloudflare is authoritative, so the
 * public sees the zone's records as above. For a partial (CNAME-setup) zone the customer's own
 * DNS is authoritative: the host's public records are never written from the zone (tests set them
 * on `sandbox.dns.zone`, as the customer would at their DNS host), and a proxied host is published
 * only as `<host>.cdn.cloudflare.net`, which is what the customer's CNAME must point at.
 */
export class CloudflareDataPlane {
  readonly #published = new Map<string, Published>();
  readonly #queuedSync = createSyncQueue(() => this.#sync());
  /** Names whose records were set or deleted since the last sync began. */
  readonly #changedNames = new Set<string>();
  /** {@link #zoneKeys} as of the last sync that finished (undefined: the next sync does every name). */
  #lastZoneKeys: Map<string, string> | undefined;

  constructor(
    private readonly state: CloudflareState,
    private readonly sandbox: Pick<Sandbox, 'dns' | 'edge'>,
  ) {
    state.records.onChange((_id, before, after) => {
      if (before) this.#changedNames.add(before.name);
      if (after) this.#changedNames.add(after.name);
    });
  }

  /** Brings the sandbox in line with the account; resolves once done. */
  sync(): Promise<void> {
    return this.#queuedSync();
  }

  /**
   * What every host's edge answer depends on besides its own records, per zone: the zone, its
   * rulesets and its certificate packs with their status now (which the clock moves). While a
   * zone's stays the same, a sync looks only at the names whose records changed; when it changes,
   * at every name of that zone.
   */
  #zoneKeys(): Map<string, string> {
    const parts = new Map<string, string[]>();
    const add = (zoneId: string, part: string): void => {
      const list = parts.get(zoneId);
      if (list) list.push(part);
      else parts.set(zoneId, [part]);
    };
    for (const zone of this.state.zones.values()) add(zone.id, `z ${zone.name} ${zone.status} ${zone.type} ${zone.ssl} ${zone.cacheEverything} ${zone.universalSsl} ${zone.created_on}`);
    for (const ruleset of this.state.rulesets.values()) add(ruleset.zoneId, `r ${rulesetEdgeKey(ruleset)}`);
    for (const pack of this.state.packs.values()) add(pack.zoneId, `p ${pack.id} ${this.state.packStatus(pack)} ${pack.hosts.join(',')}`);
    return new Map([...parts].map(([zoneId, list]) => [zoneId, list.join('\n')]));
  }

  /** The records that make up each name's public answer (only those of active zones). */
  #wantedAt(names: Iterable<string>): Map<string, WantedRecord[]> {
    const wanted = new Map<string, WantedRecord[]>();
    for (const name of names) {
      const list: WantedRecord[] = [];
      for (const record of this.state.records.named(name)) {
        const owner = this.state.zones.get(record.zone_id);
        if (!owner || owner.status !== 'active') continue;
        list.push({ type: record.type, content: record.content, proxied: record.proxied, zoneId: record.zone_id, partial: owner.type === 'partial' });
      }
      if (list.length > 0) wanted.set(name, list);
    }
    return wanted;
  }

  async #sync(): Promise<void> {
    // Every name after a failed sync (and the first), else the names whose records changed and
    // those of the zones whose settings, rules or packs changed: a fleet's requests each touch a
    // host or two, and re-deriving every host after each of them grew with the fleet's square.
    const zoneKeys = this.#zoneKeys();
    const last = this.#lastZoneKeys;
    const names: string[] = [...this.#changedNames];
    if (!last) names.push(...this.state.records.names(), ...this.#published.keys());
    else {
      for (const zoneId of new Set([...zoneKeys.keys(), ...last.keys()])) {
        if (zoneKeys.get(zoneId) !== last.get(zoneId)) names.push(...this.state.records.inZone(zoneId).map((record) => record.name));
      }
    }
    this.#changedNames.clear();
    this.#lastZoneKeys = undefined;
    const unique = new Set(names);
    const wanted = this.#wantedAt(unique);
    const view = new SyncView(this.state);
    // Names gone first, as a name that moves frees what it held before another takes it.
    for (const hostname of unique) if (!wanted.has(hostname)) this.#unpublish(hostname);
    for (const [hostname, records] of wanted) await this.#syncHost(hostname, records, view);
    this.#lastZoneKeys = zoneKeys;
  }

  #unpublish(hostname: string): void {
    const published = this.#published.get(hostname);
    if (!published) return;
    if (published.dnsName) this.sandbox.dns.zone.deleteRecord(published.dnsName);
    if (published.routeKey) this.sandbox.edge.removeRoute(hostname);
    if (published.certificateKey) this.sandbox.edge.removeCertificate(hostname);
    this.#published.delete(hostname);
  }

  async #syncHost(hostname: string, records: WantedRecord[], view: SyncView): Promise<void> {
    const zone = this.sandbox.dns.zone;
    const edge = this.sandbox.edge;
    const published = this.#published.get(hostname) ?? {};
    this.#published.set(hostname, published);
    const partial = records.some((record) => record.partial);
    const proxied = records.find((record) => record.proxied && (record.type === 'CNAME' || record.type === 'A'));
    const dnsName = partial ? (proxied ? partialZoneTarget(hostname) : undefined) : hostname;
    if (published.dnsName && published.dnsName !== dnsName) zone.deleteRecord(published.dnsName);
    if (dnsName) published.dnsName = dnsName;
    else delete published.dnsName;
    if (proxied) {
      this.#replaceRecords(dnsName ?? hostname, [{ type: 'A', values: [EDGE_ADDRESS] }]);
      const mode = sslModeIn(view, proxied.zoneId, hostname);
      const route: EdgeRoute = {
        hostname,
        provider: 'cloudflare',
        originHost: proxied.content,
        originProtocol: mode === 'flexible' || mode === 'off' ? 'http' : 'https',
        hostHeader: 'viewer',
        verifyOriginCertificate: mode === 'strict' || mode === 'origin_pull',
        cache: cacheIn(view, proxied.zoneId, hostname),
      };
      const routeKey = JSON.stringify(route);
      if (published.routeKey !== routeKey) {
        edge.setRoute(route);
        published.routeKey = routeKey;
      }
      const pack = view.activeCoveringPack(proxied.zoneId, hostname);
      const certificateKey = pack ? `${pack.id} ${pack.hosts.join(' ')}` : undefined;
      if (certificateKey !== published.certificateKey) {
        if (pack) await edge.setCertificate(hostname, { names: pack.hosts });
        else edge.removeCertificate(hostname);
        published.certificateKey = certificateKey;
      }
      return;
    }
    if (published.routeKey) edge.removeRoute(hostname);
    if (published.certificateKey) edge.removeCertificate(hostname);
    delete published.routeKey;
    delete published.certificateKey;
    // A DNS-only host of a partial zone is the customer's DNS's business alone.
    if (!dnsName) return;
    const byType = new Map<string, string[]>();
    for (const record of records) {
      if (record.type !== 'A' && record.type !== 'CNAME' && record.type !== 'TXT') continue;
      byType.set(record.type, [...(byType.get(record.type) ?? []), record.content]);
    }
    this.#replaceRecords(
      hostname,
      [...byType].map(([type, values]) => ({ type, values })),
    );
  }

  #replaceRecords(hostname: string, sets: { type: string; values: string[] }[]): void {
    const zone = this.sandbox.dns.zone;
    const current = JSON.stringify(zone.getRecords(hostname).map((record) => [record.type, record.value]).sort());
    const next = JSON.stringify(sets.flatMap((set) => set.values.map((value) => [set.type, value])).sort());
    if (current === next) return;
    zone.deleteRecord(hostname);
    // A CNAME excludes other types: write it alone (Cloudflare refuses such mixes anyway).
    const cname = sets.find((set) => set.type === 'CNAME');
    for (const set of cname ? [cname] : sets) {
      const values = set.type === 'CNAME' ? set.values.slice(0, 1) : set.values;
      zone.setRecord({ name: hostname, type: set.type as 'A' | 'CNAME' | 'TXT', value: values, ttl: 60 });
    }
  }
}
