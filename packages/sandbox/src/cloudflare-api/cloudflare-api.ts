import { randomBytes } from 'node:crypto';
import type { Sandbox } from '../sandbox.js';
import { startVendorApiServer, type VendorApiServer } from '../vendor-api-server.js';
import { CloudflareDataPlane } from './cloudflare-data-plane.js';
import { cloudflareErrorFormat } from './cloudflare-envelope.js';
import { cloudflareApiPrefix, registerCloudflareRoutes } from './cloudflare-routes.js';
import { CustomHostnameDataPlane } from './custom-hostname-data-plane.js';
import { registerCustomHostnameRoutes } from './custom-hostname-routes.js';
import { CustomHostnameState, type CustomHostnameVariants } from './custom-hostnames.js';
import {
  allCloudflarePermissions,
  cloudflareId,
  CloudflareState,
  defaultCloudflareApiVariants,
  readCloudflarePermissions,
  type CloudflareApiVariants,
  type CloudflareCertificatePack,
  type CloudflareDnsRecord,
  type CloudflarePermission,
  type CloudflareRule,
  type CloudflareRuleset,
  type CloudflareSslMode,
  type CloudflareZone,
  type CloudflareZoneStatus,
  type CloudflareZoneType,
} from './cloudflare-state.js';

/** Options for {@link startCloudflareApi}. */
export interface CloudflareApiOptions {
  /**
   * How long an ordered advanced certificate pack stays pending before it is active, in
   * sandbox-clock milliseconds (`sandbox.clock.advance` skips ahead).
   * @default 1500
   */
  certificateIssueDelayMs?: number;
  /**
   * Where the evidence about Cloudflare is unsure, which plausible answer the fake gives (see
   * `CloudflareApiVariants`); changeable later through `api.variants`.
   * @default defaultCloudflareApiVariants
   */
  variants?: Partial<CloudflareApiVariants>;
  /**
   * The Cloudflare for SaaS answers where the evidence is unsure (see `CustomHostnameVariants`);
   * changeable later through `api.saas.variants`.
   * @default defaultCustomHostnameVariants
   */
  saasVariants?: Partial<CustomHostnameVariants>;
}

/** What {@link CloudflareApi.addZone} takes. */
export interface AddCloudflareZoneInput {
  name: string;
  /** @default 'active' */
  status?: CloudflareZoneStatus;
  /**
   * `partial` for a CNAME setup: the public DNS (the sandbox DNS server) is the customer's own
   * and is not written from the zone's records; a proxied host answers publicly only as
   * `<host>.cdn.cloudflare.net`, and the customer's records are set on `sandbox.dns.zone` directly.
   * @default 'full'
   */
  type?: CloudflareZoneType;
  /** The zone-wide SSL mode. @default 'flexible' (Cloudflare's historical default) */
  ssl?: CloudflareSslMode;
  /** The zone caches everything (as a zone-wide Cache Rule or Page Rule would). @default false */
  cacheEverything?: boolean;
  /** Universal SSL enabled (a pack for the apex and first-level names). @default true */
  universalSsl?: boolean;
}

/** What {@link CloudflareApi.addDnsRecord} takes. */
export interface AddCloudflareDnsRecordInput {
  /** The full name, or a name relative to the zone. */
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'TXT' | (string & {});
  content: string;
  /** @default false */
  proxied?: boolean;
  /** @default 1 (automatic) */
  ttl?: number;
  comment?: string | null;
}

/** What {@link CloudflareApi.addRuleset} takes: a phase entrypoint with the customer's own rules. */
export interface AddCloudflareRulesetInput {
  phase: string;
  /** The rules, stored exactly as given plus `id`, `version`, `ref`, `last_updated`. */
  rules: Record<string, unknown>[];
  /** @default 'zone' (a phase entrypoint) */
  kind?: string;
  /** @default 'default' */
  name?: string;
  description?: string;
}

/** A running fake of the Cloudflare v4 API, driving the sandbox data plane. */
export interface CloudflareApi {
  /** The base URL for the SDK, including `/client/v4`. */
  readonly url: string;
  /** The underlying server: request log (`requests`, `writes()`), fault injection, close. */
  readonly server: VendorApiServer;
  /** The account state, for assertions. */
  readonly state: CloudflareState;
  /** The answers chosen where the evidence is unsure; assign to switch (the next request follows). */
  readonly variants: CloudflareApiVariants;
  /** Ready-made tokens: every permission, and only the read permissions. */
  readonly tokens: { readonly full: string; readonly readOnly: string };
  /** Registers a token with the given permissions (others get 403); returns the token. */
  registerToken(permissions: readonly CloudflarePermission[], token?: string): string;
  /** Adds a zone (active by default, Universal SSL on). */
  addZone(input: AddCloudflareZoneInput): CloudflareZone;
  /** Adds a DNS record to a zone, as the customer (or SendGrid's instructions) made it. */
  addDnsRecord(zoneId: string, input: AddCloudflareDnsRecordInput): Promise<CloudflareDnsRecord>;
  /** Adds a ruleset (by default the zone entrypoint of `phase`) holding the customer's rules. */
  addRuleset(zoneId: string, input: AddCloudflareRulesetInput): Promise<CloudflareRuleset>;
  /** The zone's entrypoint ruleset of `phase`, if any. */
  entrypoint(zoneId: string, phase: string): CloudflareRuleset | undefined;
  /** The zone's records at `name` (all types). */
  recordsAt(zoneId: string, name: string): CloudflareDnsRecord[];
  /** The zone's certificate packs (Universal first), with their status now. */
  certificatePacks(zoneId: string): Array<CloudflareCertificatePack & { status: string }>;
  /**
   * Makes an ordered pack stop in `status` (e.g. `validation_timed_out`, which Cloudflare reports
   * when domain control validation never succeeded) instead of becoming active.
   */
  failCertificatePack(packId: string, status?: string): void;
  /** The Cloudflare for SaaS part of the account: custom hostnames, fallback origins, their variants. */
  readonly saas: CustomHostnameState;
  /** Brings the sandbox DNS and edge in line with the account now. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a stateful fake of the Cloudflare v4 API on 127.0.0.1 (zones, DNS records, rulesets,
 * certificate packs), in Cloudflare's wire format so the official `cloudflare` SDK works against
 * it through `baseURL: api.url`. It drives `sandbox`: DNS-only records are served as they are;
 * proxied records resolve to the edge, which serves the covering active pack's certificate and
 * forwards to the record's target as the host's SSL mode and Cache Rules say.
 */
export async function startCloudflareApi(sandbox: Pick<Sandbox, 'clock' | 'dns' | 'edge'>, options: CloudflareApiOptions = {}): Promise<CloudflareApi> {
  const state = new CloudflareState(() => sandbox.clock.now(), options.certificateIssueDelayMs ?? 1_500, { ...defaultCloudflareApiVariants, ...options.variants });
  const cloudflareDataPlane = new CloudflareDataPlane(state, sandbox);
  const saas = new CustomHostnameState(state, sandbox.dns.zone, options.saasVariants);
  const saasDataPlane = new CustomHostnameDataPlane(saas, sandbox.edge);
  // The zones' records first (the fallback origin's record), then the custom hostnames on top.
  const dataPlane = { sync: async (): Promise<void> => { await cloudflareDataPlane.sync(); await saasDataPlane.sync(); } };
  const timers = new Set<NodeJS.Timeout>();
  const scheduledPacks = new Set<string>();

  // A pending pack turns active on the sandbox clock: re-sync then (and on every clock jump).
  const scheduleActivation = (): void => {
    for (const pack of state.packs.values()) {
      const delay = pack.activeAt - state.now();
      if (pack.deleted || delay < 0 || scheduledPacks.has(pack.id)) continue;
      scheduledPacks.add(pack.id);
      const timer = setTimeout(() => {
        timers.delete(timer);
        void dataPlane.sync().catch(() => undefined);
      }, delay + 5);
      timer.unref();
      timers.add(timer);
    }
  };
  const afterChange = async (): Promise<void> => {
    await dataPlane.sync();
  };
  const onAdvance = (): void => {
    void dataPlane.sync().catch(() => undefined);
  };
  sandbox.clock.on('advance', onAdvance);

  const server = await startVendorApiServer({
    format: cloudflareErrorFormat,
    routes: (router) =>
      registerCloudflareRoutes(
        router,
        state,
        async () => {
          await afterChange();
          scheduleActivation();
        },
        (kit) => registerCustomHostnameRoutes(kit, saas, saasDataPlane),
      ),
  });

  const registerToken = (permissions: readonly CloudflarePermission[], token = randomBytes(30).toString('base64url').slice(0, 40)): string => {
    state.tokens.set(token, new Set(permissions));
    return token;
  };
  const tokens = { full: registerToken(allCloudflarePermissions), readOnly: registerToken(readCloudflarePermissions) };

  const normalize = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '');

  return {
    url: `${server.url}${cloudflareApiPrefix}`,
    server,
    state,
    variants: state.variants,
    tokens,
    registerToken,
    addZone(input) {
      const now = state.timestamp();
      const zone: CloudflareZone = {
        id: cloudflareId(),
        name: normalize(input.name),
        status: input.status ?? 'active',
        type: input.type ?? 'full',
        ssl: input.ssl ?? 'flexible',
        cacheEverything: input.cacheEverything ?? false,
        universalSsl: input.universalSsl ?? true,
        name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
        created_on: now,
        modified_on: now,
      };
      state.zones.set(zone.id, zone);
      return zone;
    },
    async addDnsRecord(zoneId, input) {
      const zone = state.zones.get(zoneId);
      if (!zone) throw new TypeError(`No zone ${zoneId} in the fake Cloudflare account.`);
      let name = normalize(input.name);
      if (name !== zone.name && !name.endsWith(`.${zone.name}`)) name = `${name}.${zone.name}`;
      const now = state.timestamp();
      const record: CloudflareDnsRecord = {
        id: cloudflareId(),
        zone_id: zone.id,
        zone_name: zone.name,
        name,
        type: input.type,
        content: input.type === 'CNAME' ? normalize(input.content) : input.content,
        proxied: input.proxied ?? false,
        proxiable: ['A', 'AAAA', 'CNAME'].includes(input.type),
        ttl: input.proxied ? 1 : (input.ttl ?? 1),
        comment: input.comment ?? null,
        tags: [],
        settings: {},
        meta: {},
        created_on: now,
        modified_on: now,
      };
      state.records.set(record.id, record);
      await dataPlane.sync();
      return record;
    },
    async addRuleset(zoneId, input) {
      const kind = input.kind ?? 'zone';
      if (kind === 'zone' && state.entrypoint(zoneId, input.phase)) throw new TypeError(`The zone already has an entrypoint for ${input.phase}.`);
      const now = state.timestamp();
      const ruleset: CloudflareRuleset = {
        id: cloudflareId(),
        zoneId,
        name: input.name ?? 'default',
        description: input.description ?? '',
        kind,
        phase: input.phase,
        version: '1',
        last_updated: now,
        rules: input.rules.map((rule): CloudflareRule => {
          const id = typeof rule.id === 'string' ? rule.id : cloudflareId();
          return { ...rule, id, version: '1', ref: typeof rule.ref === 'string' ? rule.ref : id, enabled: rule.enabled ?? true, last_updated: now };
        }),
      };
      state.rulesets.set(ruleset.id, ruleset);
      await dataPlane.sync();
      return ruleset;
    },
    entrypoint: (zoneId, phase) => state.entrypoint(zoneId, phase),
    recordsAt: (zoneId, name) => state.zoneRecordsNamed(zoneId, normalize(name)),
    certificatePacks: (zoneId) => state.zonePacks(zoneId).map((pack) => ({ ...pack, status: state.packStatus(pack) })),
    failCertificatePack(packId, status = 'validation_timed_out') {
      const pack = state.packs.get(packId);
      if (!pack) throw new TypeError(`No certificate pack ${packId} in the fake Cloudflare account.`);
      pack.stuckStatus = status;
      void dataPlane.sync().catch(() => undefined);
    },
    saas,
    sync: () => dataPlane.sync(),
    async close() {
      sandbox.clock.off('advance', onAdvance);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await server.close();
    },
  };
}
