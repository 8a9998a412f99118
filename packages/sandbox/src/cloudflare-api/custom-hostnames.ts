import { randomUUID } from 'node:crypto';
import type { DnsZone } from '../dns-zone.js';
import type { CloudflareState } from './cloudflare-state.js';
import { ObservedMap } from './observed-map.js';

/**
 * The answers the Cloudflare for SaaS fake can give where the evidence is unsure (see
 * saas-fidelity.test.ts); each is switchable at any time through `api.saas.variants`.
 */
export interface CustomHostnameVariants {
  /**
   * What activates the hostname (its `status`) before its traffic reaches Cloudflare:
   * `'ownership-txt'` only the `_cf-custom-hostname` TXT record (pre-validation as Cloudflare's
   * docs describe it); `'ownership-or-dcv-txt'` also the certificate's DCV TXT record alone (a
   * reading of the docs where a validated certificate proves ownership too).
   * @default 'ownership-txt'
   */
  ownershipVerification: 'ownership-txt' | 'ownership-or-dcv-txt';
  /**
   * Whether the create answer carries `ssl.validation_records` and `ownership_verification`:
   * Cloudflare's docs say the POST answer "may not return" the validation records and advise a
   * later GET. `'on-create'` returns them at once; `'after-create'` only from the first GET.
   * @default 'after-create'
   */
  validationRecords: 'on-create' | 'after-create';
  /**
   * The certificate's `ssl.status` steps once its DCV TXT record is visible: `'full'` goes
   * `pending_issuance` → `pending_deployment` → `active` (one step per read), `'direct'` straight
   * to `active`. Before that it is `initializing` (until the first GET) then `pending_validation`.
   * @default 'full'
   */
  sslStatusSequence: 'full' | 'direct';
}

/** The variants the fake starts with. */
export const defaultCustomHostnameVariants: Readonly<CustomHostnameVariants> = {
  ownershipVerification: 'ownership-txt',
  validationRecords: 'after-create',
  sslStatusSequence: 'full',
};

/** A custom hostname as the fake keeps it. */
export interface FakeCustomHostname {
  /** A UUID, as Cloudflare's pre-validation docs show (`3537a672-e4d8-4d89-aab9-26cb622918a1`). */
  id: string;
  zoneId: string;
  hostname: string;
  sslMethod: string;
  sslType: string;
  /** Another status the hostname is held in (e.g. `blocked`), set by a test. */
  stuckStatus?: string;
  /** Another `ssl.status` the certificate is held in (e.g. `validation_timed_out`), set by a test. */
  stuckSslStatus?: string;
  /** The `_cf-custom-hostname` TXT value (a UUID in Cloudflare's docs). */
  ownershipValue: string;
  /** The `_acme-challenge` TXT value the CA expects. */
  dcvValue: string;
  customOriginServer?: string;
  customOriginSni?: string;
  customMetadata?: Record<string, string>;
  createdAt: string;
  /** Whether the hostname has been read since its creation (`after-create` validation records). */
  read: boolean;
  /** Ownership proven: stays so once seen, as Cloudflare keeps an active hostname active. */
  ownershipVerified: boolean;
  /** The index in the `ssl.status` sequence once the DCV record was seen. */
  sslStep: number;
}

/** A zone's fallback origin for custom hostnames. */
export interface FakeFallbackOrigin {
  origin: string;
  createdAt: string;
  updatedAt: string;
}

const fullSequence = ['pending_validation', 'pending_issuance', 'pending_deployment', 'active'] as const;

/** The Cloudflare for SaaS part of a fake account: custom hostnames and fallback origins. */
export class CustomHostnameState {
  /** The custom hostnames by id (a `Map` that tells the data plane what changed). */
  readonly hostnames = new ObservedMap<string, FakeCustomHostname>();
  /** The custom hostnames by hostname (Cloudflare refuses a second one of a hostname). */
  readonly #byHostname = new Map<string, FakeCustomHostname>();
  readonly fallbackOrigins = new Map<string, FakeFallbackOrigin>();
  readonly variants: CustomHostnameVariants;

  constructor(
    readonly account: CloudflareState,
    /** The public DNS (the sandbox's), where the TXT validation records must be visible. */
    readonly publicDns: DnsZone,
    variants: Partial<CustomHostnameVariants> = {},
  ) {
    this.variants = { ...defaultCustomHostnameVariants, ...variants };
    this.hostnames.onChange((_id, before, after) => {
      if (before && this.#byHostname.get(before.hostname) === before) this.#byHostname.delete(before.hostname);
      if (after) this.#byHostname.set(after.hostname, after);
    });
  }

  /** The custom hostname of `hostname` (normalised), in any zone, without scanning them all. */
  withHostname(hostname: string): FakeCustomHostname | undefined {
    return this.#byHostname.get(hostname);
  }

  /** Tells the data plane that a hostname changed in place (a read moved its validation on, an edit). */
  touch(record: FakeCustomHostname): void {
    if (this.hostnames.get(record.id) === record) this.hostnames.set(record.id, record);
  }

  create(zoneId: string, hostname: string, fields: { sslMethod: string; sslType: string; customOriginServer?: string; customOriginSni?: string; customMetadata?: Record<string, string> }): FakeCustomHostname {
    const record: FakeCustomHostname = {
      id: randomUUID(),
      zoneId,
      hostname,
      ...fields,
      ownershipValue: randomUUID(),
      dcvValue: randomUUID().replaceAll('-', '').slice(0, 22),
      createdAt: this.account.timestamp(),
      read: this.variants.validationRecords === 'on-create',
      ownershipVerified: false,
      sslStep: -1,
    };
    this.hostnames.set(record.id, record);
    return record;
  }

  zoneHostnames(zoneId: string): FakeCustomHostname[] {
    return [...this.hostnames.values()].filter((record) => record.zoneId === zoneId);
  }

  ownershipName(record: FakeCustomHostname): string {
    return `_cf-custom-hostname.${record.hostname}`;
  }

  dcvName(record: FakeCustomHostname): string {
    return `_acme-challenge.${record.hostname}`;
  }

  #txtVisible(name: string, value: string): boolean {
    return this.publicDns.getRecords(name).some((entry) => entry.type === 'TXT' && entry.value === value);
  }

  /**
   * Advances a hostname by what the public DNS shows now: the ownership TXT (or, in the
   * `ownership-or-dcv-txt` variant, the DCV TXT) activates it; the DCV TXT moves the certificate
   * one step along its sequence per evaluation, as Cloudflare's periodic re-checks would.
   */
  evaluate(record: FakeCustomHostname): void {
    if (!record.read) return;
    const dcvVisible = record.sslMethod === 'txt' && this.#txtVisible(this.dcvName(record), record.dcvValue);
    if (!record.ownershipVerified) {
      const ownership = this.#txtVisible(this.ownershipName(record), record.ownershipValue);
      record.ownershipVerified = ownership || (this.variants.ownershipVerification === 'ownership-or-dcv-txt' && dcvVisible);
    }
    const last = fullSequence.length - 1;
    if (record.sslStep < 0) record.sslStep = 0;
    else if (record.sslStep < last && dcvVisible) record.sslStep = this.variants.sslStatusSequence === 'direct' ? last : record.sslStep + 1;
  }

  hostnameStatus(record: FakeCustomHostname): string {
    if (record.stuckStatus) return record.stuckStatus;
    return record.ownershipVerified ? 'active' : 'pending';
  }

  sslStatus(record: FakeCustomHostname): string {
    if (record.stuckSslStatus) return record.stuckSslStatus;
    if (!record.read || record.sslStep < 0) return 'initializing';
    return fullSequence[record.sslStep] ?? 'pending_validation';
  }

  /** Whether the edge serves the hostname: hostname and certificate active. */
  serving(record: FakeCustomHostname): boolean {
    return this.hostnameStatus(record) === 'active' && this.sslStatus(record) === 'active';
  }

  /** The wire shape of a custom hostname (the fields of `CustomHostname` in cloudflare-typescript). */
  view(record: FakeCustomHostname): Record<string, unknown> {
    const status = this.hostnameStatus(record);
    const sslStatus = this.sslStatus(record);
    const showRecords = record.read;
    const sslActive = sslStatus === 'active';
    return {
      id: record.id,
      hostname: record.hostname,
      ssl: {
        id: record.id,
        type: record.sslType,
        method: record.sslMethod,
        status: sslStatus,
        settings: {},
        bundle_method: 'ubiquitous',
        wildcard: false,
        certificate_authority: 'google',
        ...(showRecords && !sslActive && record.sslMethod === 'txt' ? { validation_records: [{ status: 'pending', txt_name: this.dcvName(record), txt_value: record.dcvValue }] } : {}),
        ...(sslActive ? { expires_on: new Date(this.account.now() + 90 * 86_400_000).toISOString(), issuer: 'GoogleTrustServices', hosts: [record.hostname] } : {}),
      },
      status,
      ...(status === 'active' ? {} : { verification_errors: ['custom hostname does not CNAME to this zone.'] }),
      ...(showRecords ? { ownership_verification: { type: 'txt', name: this.ownershipName(record), value: record.ownershipValue } } : {}),
      ...(showRecords ? { ownership_verification_http: { http_url: `http://${record.hostname}/.well-known/cf-custom-hostname-challenge/${record.id}`, http_body: record.ownershipValue } } : {}),
      ...(record.customOriginServer ? { custom_origin_server: record.customOriginServer } : {}),
      ...(record.customOriginSni ? { custom_origin_sni: record.customOriginSni } : {}),
      ...(record.customMetadata ? { custom_metadata: record.customMetadata } : {}),
      created_at: record.createdAt,
    };
  }

  /**
   * The fallback origin's status: `active` once its name is a proxied record of the zone,
   * `pending_deployment` before (an assumption: the docs say only that it "must be proxied").
   */
  fallbackStatus(zoneId: string, fallback: FakeFallbackOrigin): { status: string; errors: string[] } {
    const proxied = this.account.zoneRecordsNamed(zoneId, fallback.origin).some((record) => record.proxied);
    return proxied ? { status: 'active', errors: [] } : { status: 'pending_deployment', errors: [`${fallback.origin} is not a proxied DNS record of this zone.`] };
  }

  fallbackView(zoneId: string, fallback: FakeFallbackOrigin): Record<string, unknown> {
    const { status, errors } = this.fallbackStatus(zoneId, fallback);
    return { origin: fallback.origin, status, errors, created_at: fallback.createdAt, updated_at: fallback.updatedAt };
  }
}
