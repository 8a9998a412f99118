import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DnsRecordStore } from './dns-record-store.js';

/** The per-zone SSL/TLS encryption modes of Cloudflare (the `ssl` zone setting and `set_config`). */
export type CloudflareSslMode = 'off' | 'flexible' | 'full' | 'strict' | 'origin_pull';

/** A zone's lifecycle status as the v4 API reports it. */
export type CloudflareZoneStatus = 'initializing' | 'pending' | 'active' | 'moved';

/**
 * How a zone's DNS is set up: `full` when Cloudflare's nameservers are authoritative (the public
 * sees the zone's records as Cloudflare answers them), `partial` for a CNAME setup, where the
 * customer's own DNS stays authoritative and points each proxied host at `<host>.cdn.cloudflare.net`.
 */
export type CloudflareZoneType = 'full' | 'partial';

/** The public name Cloudflare answers for a proxied host of a partial (CNAME-setup) zone. */
export function partialZoneTarget(hostname: string): string {
  return `${hostname}.cdn.cloudflare.net`;
}

/** A zone in the fake account. */
export interface CloudflareZone {
  id: string;
  name: string;
  status: CloudflareZoneStatus;
  /** `partial`: the sandbox DNS (the public view) does not serve the zone's records; see `CloudflareZoneType`. */
  type: CloudflareZoneType;
  /** The zone-wide `ssl` setting; Configuration Rules override it per host. */
  ssl: CloudflareSslMode;
  /** A zone-wide "cache everything" setup: the edge caches GET answers unless a rule bypasses. */
  cacheEverything: boolean;
  /** Universal SSL on: a pack for `zone` and `*.zone`, always active. */
  universalSsl: boolean;
  name_servers: string[];
  created_on: string;
  modified_on: string;
}

/** A DNS record, in the v4 wire shape. */
export interface CloudflareDnsRecord {
  id: string;
  zone_id: string;
  zone_name: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  proxiable: boolean;
  ttl: number;
  comment: string | null;
  tags: string[];
  settings: Record<string, unknown>;
  meta: Record<string, unknown>;
  created_on: string;
  modified_on: string;
}

/** A ruleset rule: kept exactly as the client sent it, plus the fields Cloudflare adds. */
export type CloudflareRule = Record<string, unknown> & { id: string };

/** A ruleset (phase entrypoints are those of kind `zone`). */
export interface CloudflareRuleset {
  id: string;
  zoneId: string;
  name: string;
  description: string;
  kind: string;
  phase: string;
  version: string;
  last_updated: string;
  rules: CloudflareRule[];
}

/** A certificate pack; `universal` packs are synthesised from the zone. */
export interface CloudflareCertificatePack {
  id: string;
  zoneId: string;
  type: 'advanced' | 'universal';
  hosts: string[];
  certificate_authority: string;
  validation_method: string;
  validity_days: number;
  cloudflare_branding: boolean;
  /** Sandbox clock time the order was placed. */
  orderedAt: number;
  /** Sandbox clock time from which the pack is active. */
  activeAt: number;
  /** Set when deleted (the pack is gone from lists). */
  deleted?: boolean;
  /** A status the pack is stuck in instead of becoming active (e.g. `validation_timed_out`). */
  stuckStatus?: string;
}

/** The token permissions the fake checks (named like the dashboard's permission groups). */
export type CloudflarePermission =
  | 'Zone Read'
  | 'DNS Read'
  | 'DNS Edit'
  | 'Config Rules Read'
  | 'Config Rules Edit'
  | 'Cache Rules Read'
  | 'Cache Rules Edit'
  | 'SSL and Certificates Read'
  | 'SSL and Certificates Edit'
  | 'Account Rulesets Edit'
  | 'Account Filter Lists Edit'
  | 'Zone Settings Edit';

/**
 * The answers the fake can give where the evidence about Cloudflare is unsure: each field picks
 * one plausible behaviour, so the adapter can be tested under every one. Change them at any time
 * (`api.variants.malformedToken = 'invalid-token-401'`); the next request follows.
 */
export interface CloudflareApiVariants {
  /**
   * The answer to a token that Cloudflare does not know and that is not shaped like an API token
   * (40 characters of A–Z, a–z, 0–9, `-`, `_`): `'invalid-header-400'` is HTTP 400 with error 6003
   * "Invalid request headers" and the `error_chain` 6111 "Invalid format for Authorization header"
   * (as users of the real API report it); `'invalid-token-401'` treats it like any unknown token
   * (401, 9109). A well-formed unknown token always gets 401, 9109.
   * @default 'invalid-header-400'
   */
  malformedToken: 'invalid-header-400' | 'invalid-token-401';
  /**
   * Whether rules are echoed with fields the client did not send added to `action_parameters`
   * (and ahead of the ones it sent), as an API that fills in defaults would.
   * @default false
   */
  echoDefaultedRuleFields: boolean;
  /**
   * What a write of Cache Rules (`http_request_cache_settings`) needs: `'zone'` only the zone's
   * Cache Rules Edit; `'zone-and-account'` also Account Rulesets Edit and Account Filter Lists
   * Edit, as Cloudflare's Cache Rules API page lists.
   * @default 'zone'
   */
  cacheRulePermissions: 'zone' | 'zone-and-account';
  /**
   * How `GET /zones?name=` reads an `operator:value` filter (`ends_with:example.com`): `'operators'`
   * as the API reference lists the operators of `name`; `'exact-only'` takes the whole text as an
   * exact name (so matches nothing), as an API that never learnt the operator syntax would.
   * @default 'operators'
   */
  zoneNameFilter: 'operators' | 'exact-only';
}

/** The variants the fake starts with. */
export const defaultCloudflareApiVariants: Readonly<CloudflareApiVariants> = {
  malformedToken: 'invalid-header-400',
  echoDefaultedRuleFields: false,
  cacheRulePermissions: 'zone',
  zoneNameFilter: 'operators',
};

/** Every permission: what the full token holds. */
export const allCloudflarePermissions: readonly CloudflarePermission[] = [
  'Zone Read',
  'DNS Read',
  'DNS Edit',
  'Config Rules Read',
  'Config Rules Edit',
  'Cache Rules Read',
  'Cache Rules Edit',
  'SSL and Certificates Read',
  'SSL and Certificates Edit',
  'Account Rulesets Edit',
  'Account Filter Lists Edit',
  'Zone Settings Edit',
];

/** The read permissions only: what the read-only token holds. */
export const readCloudflarePermissions: readonly CloudflarePermission[] = allCloudflarePermissions.filter((permission) =>
  permission.endsWith('Read'),
);

/**
 * A Cloudflare identifier of 32 lower-case hex digits, the format of zone, DNS record, ruleset,
 * rule and certificate ids (`023e105f4ecef8ad9ca31a8372d0c353` in cloudflare/cloudflare-typescript's
 * examples; see fidelity.test.ts).
 */
export function cloudflareId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * A certificate pack id: a UUID with hyphens (`3822ff90-ea29-44df-9e55-21300bb9419b` in
 * Cloudflare's Advanced Certificate Manager docs and cloudflare/cloudflare-go's
 * certificate_packs_test.go), unlike the 32-hex ids of everything else.
 */
export function cloudflarePackId(): string {
  return randomUUID();
}

/** The 32-hex id of a pack's certificate, stable for a pack (Cloudflare's `primary_certificate`). */
function certificateIdOf(packId: string): string {
  return createHash('sha256').update(packId).digest('hex').slice(0, 32);
}

/** The Universal SSL pack's id for a zone: a UUID, the same on every read. */
function universalPackId(zoneId: string): string {
  const hex = createHash('sha256').update(`universal ${zoneId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Whether a certificate host entry (`example.com`, `*.example.com`) covers `hostname`. */
export function certificateHostCovers(entry: string, hostname: string): boolean {
  const pattern = entry.toLowerCase();
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return hostname.endsWith(suffix) && !hostname.slice(0, -suffix.length).includes('.') && hostname.length > suffix.length;
  }
  return pattern === hostname;
}

/** The state of the fake Cloudflare account, evaluated lazily against the sandbox clock. */
export class CloudflareState {
  readonly zones = new Map<string, CloudflareZone>();
  /** The DNS records by id, indexed by zone and name (a `Map` that tells the data planes what changed). */
  readonly records = new DnsRecordStore();
  readonly rulesets = new Map<string, CloudflareRuleset>();
  readonly packs = new Map<string, CloudflareCertificatePack>();
  readonly tokens = new Map<string, ReadonlySet<CloudflarePermission>>();

  constructor(
    readonly now: () => number,
    /** How long an ordered advanced pack stays pending, in sandbox-clock ms. */
    public certificateIssueDelayMs: number,
    /** Which plausible answer the fake gives where the evidence is unsure (mutable). */
    readonly variants: CloudflareApiVariants = { ...defaultCloudflareApiVariants },
  ) {}

  timestamp(): string {
    return new Date(this.now()).toISOString();
  }

  zoneRecords(zoneId: string): CloudflareDnsRecord[] {
    return this.records.inZone(zoneId);
  }

  /** The zone's records named `name` (already normalised), without scanning the zone. */
  zoneRecordsNamed(zoneId: string, name: string): CloudflareDnsRecord[] {
    return this.records.named(name).filter((record) => record.zone_id === zoneId);
  }

  entrypoint(zoneId: string, phase: string): CloudflareRuleset | undefined {
    return [...this.rulesets.values()].find((ruleset) => ruleset.zoneId === zoneId && ruleset.kind === 'zone' && ruleset.phase === phase);
  }

  /** The zone's packs, the universal one first, without deleted ones. */
  zonePacks(zoneId: string): CloudflareCertificatePack[] {
    const zone = this.zones.get(zoneId);
    const packs: CloudflareCertificatePack[] = [];
    if (zone?.universalSsl) {
      packs.push({
        id: universalPackId(zoneId),
        zoneId,
        type: 'universal',
        hosts: [zone.name, `*.${zone.name}`],
        certificate_authority: 'google',
        validation_method: 'txt',
        validity_days: 90,
        cloudflare_branding: false,
        // Universal SSL was issued when the zone was created, and renews every 90 days from then.
        orderedAt: Date.parse(zone.created_on),
        activeAt: Date.parse(zone.created_on),
      });
    }
    packs.push(...[...this.packs.values()].filter((pack) => pack.zoneId === zoneId && !pack.deleted));
    return packs;
  }

  packStatus(pack: CloudflareCertificatePack): string {
    if (pack.deleted) return 'deleted';
    if (pack.stuckStatus !== undefined) return pack.stuckStatus;
    const now = this.now();
    if (now >= pack.activeAt) return 'active';
    return now >= pack.orderedAt + (pack.activeAt - pack.orderedAt) / 2 ? 'pending_issuance' : 'pending_validation';
  }

  /** The packs' wire shape. */
  packView(pack: CloudflareCertificatePack): Record<string, unknown> {
    const status = this.packStatus(pack);
    const expiresOn = new Date(pack.activeAt + pack.validity_days * 86_400_000).toISOString();
    return {
      id: pack.id,
      type: pack.type,
      hosts: pack.hosts,
      status,
      certificate_authority: pack.certificate_authority,
      validation_method: pack.validation_method,
      validity_days: pack.validity_days,
      cloudflare_branding: pack.cloudflare_branding,
      primary_certificate: status === 'active' ? certificateIdOf(pack.id) : undefined,
      certificates:
        status === 'active'
          ? [{ id: certificateIdOf(pack.id), hosts: pack.hosts, status: 'active', issuer: pack.certificate_authority, expires_on: expiresOn }]
          : [],
      validation_records: status === 'active' ? [] : pack.hosts.map((host) => ({ txt_name: `_acme-challenge.${host.replace(/^\*\./, '')}`, txt_value: cloudflareId(), status: 'pending' })),
    };
  }

  /** The active pack serving `hostname`, the most specific (advanced) first. */
  activeCoveringPack(zoneId: string, hostname: string): CloudflareCertificatePack | undefined {
    const covering = this.zonePacks(zoneId).filter(
      (pack) => this.packStatus(pack) === 'active' && pack.hosts.some((entry) => certificateHostCovers(entry, hostname)),
    );
    return covering.find((pack) => pack.type === 'advanced') ?? covering[0];
  }
}
