import type { WriteBudget } from './account/write-budget.js';
import type { LookupCache } from './lookup-cache.js';
/** The version of the adapter contract that this package defines. */
export type SpecificationVersion = 'v1';

/** The CDN behind an adapter. The three built-in ones are named; others may add their own. */
export type ProviderName = 'cloudflare' | 'fastly' | 'cloudfront' | (string & {});

/** What one proxy is for: the branded link host and the SendGrid origin it forwards to. */
export interface ProxyRequest {
  /** The branded link host, e.g. `url1234.example.com`. Normalised with `normalizeHostname`. */
  hostname: string;
  /**
   * The SendGrid origin the CDN forwards to; `eu.sendgrid.net` for EU regional links.
   * @default 'sendgrid.net'
   */
  origin?: string;
  /**
   * Take over an existing resource or DNS record that sslclick did not create (a CNAME pointing
   * elsewhere, a CDN resource already holding the hostname). Without it those are `CONFLICT`s.
   * @default false
   */
  adopt?: boolean;
}

/** Options for a run of `apply`, `status` or `destroy`. */
export interface RunOptions {
  /** Stops the run between steps, and any wait or retry at once, with an `ABORTED` error. */
  signal?: AbortSignal;
  /** Called for every step, retry and wait, as it happens. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * The vendor account's write budget, shared by every host of an account run (`setupAccount`).
   * An adapter that honours it calls `budget.take(1)` before each vendor write, so no host gets a
   * 429 that the budget could have prevented. Adapters that do not call it are still held to it
   * per host: `setupAccount` takes the host's planned writes before its `apply`, and this view
   * hands those out first, so nothing is counted twice.
   */
  budget?: WriteBudget;
  /**
   * Lookups (zone, service, hosted zone) to share with the other hosts of the same run: pass one
   * `createLookupCache()` to every call of a run over many hosts. Without it the adapter's
   * `lookupCache` setting is used, else each call looks everything up afresh.
   */
  lookupCache?: LookupCache | undefined;
}

/** One thing that happened during a run, for a progress display or a log. */
export interface ProgressEvent {
  /** A noun-verb name such as `certificate-pending`, `edge-deployed`, `request-retrying`. */
  type: string;
  /** A sentence for a person. */
  message: string;
  /** The CDN (or `core`) the event is about. */
  provider?: string;
  /** The hostname the event is about. */
  hostname?: string;
  /** For waits: how long it has waited so far, in milliseconds. */
  elapsedMs?: number;
  /** For retries and waits: the attempt or poll number, from 1. */
  attempt?: number;
  /** For retries and waits: the delay before the next attempt, in milliseconds. */
  delayMs?: number;
  /** Anything else worth showing: the vendor state last seen, the record written. */
  detail?: Record<string, unknown>;
}

/** A DNS record, as sslclick reads, writes or asks the user to publish it. */
export interface DnsRecord {
  /** The full record name, lower-case, without a trailing dot. */
  name: string;
  /** The record type. */
  type: 'CNAME' | 'A' | 'AAAA' | 'TXT';
  /** The record data: a host name for a CNAME, an address, or text. */
  value: string;
  /** What the record is for, in a few words (`cutover`, `certificate validation`). */
  purpose?: string;
}

/** The checks SendGrid support makes, and the ones the adapters add before and after cutover. */
export type CheckId =
  | 'dns-points-to-cdn'
  | 'dns-not-sendgrid'
  | 'tls-valid'
  | 'reaches-sendgrid'
  | 'http-still-served'
  | 'branding-assigned'
  | 'branding-valid'
  | (string & {});

/** The result of one check. `ok: null` means it was not run or could not be decided. */
export interface CheckResult {
  /** Which check this is. */
  id: CheckId;
  /** `true` passed, `false` failed, `null` not run or undecided. */
  ok: boolean | null;
  /** A sentence a person can act on. */
  detail: string;
}

/** The normalised state of the whole proxy. */
export type ProxyState = 'absent' | 'provisioning' | 'ready' | 'degraded' | 'failed';

/** One resource at the CDN that the proxy is made of. */
export interface ResourceReference {
  /** The vendor's kind of resource: `dns-record`, `ruleset-rule`, `distribution`, `service`. */
  kind: string;
  /** The vendor's id for it. */
  id: string;
  /** Whether sslclick created it (and so may change or remove it). */
  owned: boolean;
}

/** The uniform status every adapter reports, whatever the CDN. */
export interface ProxyStatus {
  /** The version of this status shape. */
  specificationVersion: SpecificationVersion;
  /** The CDN that reported it. */
  provider: ProviderName;
  /** The branded link host, normalised. */
  hostname: string;
  /** Where the CDN forwards requests (`sendgrid.net` or `eu.sendgrid.net`). */
  origin: string;
  /** The normalised state, derived the same way for every CDN. */
  state: ProxyState;
  /** True only when every required check passed. */
  ready: boolean;
  /** The CDN configuration that serves the host (rules, service, distribution). */
  edge: {
    /** Whether the edge configuration is absent, being deployed, live, or failed. */
    state: 'absent' | 'pending' | 'deployed' | 'failed';
    /** Where the hostname's CNAME should point (the CDN's edge name), when there is one. */
    target?: string;
    /** The vendor's own values, unchanged. */
    raw?: unknown;
  };
  /** The certificate the CDN serves for the host. */
  certificate: {
    /** Whether the certificate is absent, being issued, issued, or failed. */
    state: 'absent' | 'pending' | 'issued' | 'failed';
    /** ISO 8601 expiry, when known. */
    notAfter?: string;
    /** The vendor's own values, unchanged. */
    raw?: unknown;
  };
  /** The host's DNS: who manages it, what must exist, what public DNS shows. */
  dns: {
    /** Whether sslclick writes the records itself (else the user publishes `required`). */
    managed: boolean;
    /** Records that must exist for the proxy to work; those not yet seen are still to publish. */
    required: DnsRecord[];
    /** What public DNS answered for the hostname (CNAME chain or addresses). */
    observed?: string[];
    /** Whether the hostname resolves to the CDN. */
    pointsToCdn?: boolean;
    /**
     * Set only when the hostname points at the CDN but the CDN fails the checks (TLS or the
     * request to SendGrid), e.g. after a run died between the cutover and putting DNS back: the
     * record that makes the links work again. Restore it by hand at once, or run apply, which puts
     * it back before anything else where sslclick manages DNS.
     */
    restore?: DnsRecord;
  };
  /** The CDN resources the proxy is made of, each marked owned or not. */
  resources: ResourceReference[];
  /** Every check made, passed or not. */
  checks: CheckResult[];
  /** What the user should do next, in order. */
  nextSteps: string[];
  /** Things worth knowing that do not stop the proxy from working. */
  warnings: string[];
  /** ISO 8601 time the status was read. */
  observedAt: string;
}

/** One change that `apply` would make. */
export interface PlannedChange {
  /** The resource, as `kind` plus a readable name or id. */
  resource: {
    /** The vendor's kind of resource, as in `ResourceReference.kind`. */
    kind: string;
    /** A readable name for it. */
    name: string;
    /** The vendor's id, when it exists already. */
    id?: string;
  };
  /** What `apply` would do to the resource (`none`: it is already as wanted). */
  action: 'create' | 'update' | 'delete' | 'none';
  /** A sentence saying what and why. */
  description: string;
  /**
   * The requests this change costs against the CDN account's write budget, when the adapter
   * knows (0 for a record written through another vendor's DNS provider or left to the user;
   * may be a fraction: a host's share of a write several hosts' changes make together). Absent:
   * the budget's `writesPerChange`, an average. `setupAccount` reserves the sum per host before
   * its `apply`, rounded up.
   */
  writes?: number;
}

/** The changes `apply` would make, without making them. */
export interface Plan {
  /** The CDN the plan is for. */
  provider: ProviderName;
  /** The branded link host, normalised. */
  hostname: string;
  /** Every change, in the order `apply` would make it. */
  changes: PlannedChange[];
  /** Things worth knowing before applying. */
  warnings: string[];
}

/** What an adapter can do, declared rather than guessed. */
export interface ProxyCapabilities {
  /** The adapter writes the hostname's DNS records itself. */
  managesDns: boolean;
  /** The CDN issues and renews the certificate for the hostname. */
  managedCertificate: boolean;
  /** Changes take minutes to reach the edge (CloudFront), so `apply` waits. */
  slowDeploy?: boolean;
}

/** The contract every CDN adapter implements. */
export interface ProxyAdapter {
  /** The version of this contract the adapter implements. */
  readonly specificationVersion: SpecificationVersion;
  /** The CDN, as a literal (`cloudflare`, `fastly`, `cloudfront`). */
  readonly provider: ProviderName;
  /** What the adapter can do, declared. */
  readonly capabilities: ProxyCapabilities;
  /** Read-only: the changes `apply` would make. */
  plan(request: ProxyRequest, options?: RunOptions): Promise<Plan>;
  /** Idempotent ensure: creates or repairs the proxy, waits for it, cuts DNS over safely. */
  apply(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus>;
  /** Read-only: the proxy as it is now. */
  status(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus>;
  /** Idempotent: points DNS back at SendGrid where managed, then removes what sslclick owns. */
  destroy(request: ProxyRequest, options?: RunOptions): Promise<ProxyStatus>;
}

/** The shape of every adapter factory: settings in, a plain adapter object out. */
export type ProxyAdapterFactory<Settings> = (settings: Settings) => ProxyAdapter;
