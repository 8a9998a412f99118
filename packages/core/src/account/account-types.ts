import type { VerificationSettings } from '../cutover.js';
import type { LinkBranding } from '../link-branding.js';
import type { SetupStatus } from '../setup.js';
import type { CheckResult, ProviderName, ProxyAdapter, RunOptions } from '../types.js';
import type { WriteBudget } from './write-budget.js';

/** Who a branded host belongs to, as `setupAccount` hands it to an adapter chooser. */
export interface AccountHost {
  /** The branded link host, normalised. */
  hostname: string;
  /** The sub-user whose brandings list it, or undefined for the parent account. */
  subuser: string | undefined;
  /** Its link branding, as SendGrid reports it. */
  branding: LinkBranding;
}

/**
 * The CDN for each host: one adapter for all, or a function choosing per host or sub-user
 * (undefined leaves the host out, reported as not ready: no CDN was chosen for it).
 */
export type AdapterChoice = ProxyAdapter | ((host: AccountHost) => ProxyAdapter | undefined);

/** A limit on how many of a kind of resource a vendor account may hold. */
export interface ResourceQuota {
  /** The CDN whose account holds the resources. */
  provider: ProviderName;
  /** The `PlannedChange.resource.kind` that counts against it (`cloudfront-distribution`). */
  resourceKind: string;
  /** How many the account may hold. */
  limit: number;
  /**
   * How many the account holds already, outside this run.
   * @default 0
   */
  inUse?: number;
  /** The quota's name as the vendor documents it, for messages. */
  name: string;
}

/** Options for `setupAccount`. */
export interface SetupAccountOptions extends Pick<RunOptions, 'signal' | 'onProgress' | 'lookupCache'> {
  /**
   * Also every sub-user of the account (each asked with `on-behalf-of`), disabled ones skipped.
   * The source must offer `listSubusers` and `forSubuser` (`createSendGridLinks` does).
   * @default false
   */
  subusers?: boolean;
  /**
   * Plan only: read everything, write nothing, and return the plan with every host's decision.
   * @default false
   */
  dryRun?: boolean;
  /**
   * How many hosts are inspected or set up at once.
   * @default 8
   */
  concurrency?: number;
  /**
   * The write budget of the vendor account behind an adapter. Adapters returning the same budget
   * share it (two adapters on one account). Undefined runs that adapter's hosts without a budget.
   * @default one `knownWriteBudget(adapter.provider)` per adapter
   */
  budgetFor?: (adapter: ProxyAdapter) => WriteBudget | undefined;
  /**
   * Resource quotas the plan must fit in, per adapter (one vendor account each).
   * @default defaultResourceQuotas
   */
  quotas?: readonly ResourceQuota[];
  /** How the outside checks reach the hosts (resolver, trusted roots, ports). The internet's by default. */
  verification?: VerificationSettings;
  /**
   * A tracked link per branded host (`hostname → http://host/ls/click?upn=…`): only its redirect
   * proves that SendGrid knows the Host, so a classic host without one is not called ready.
   */
  sampleLinks?: Readonly<Record<string, string>>;
}

/** What `setupAccount` decided for a host. */
export type HostDecision =
  /** SendGrid serves HTTPS itself (`click.sendgrid.net`): nothing to do. */
  | 'auto-ssl'
  /** Proxied and verified already: read only, nothing to do. */
  | 'already-ready'
  /** A CDN proxy is (to be) set up. */
  | 'set-up'
  /** Nothing can be done: no CDN chosen, or reading the host failed. */
  | 'blocked';

/** One branded host in the result of `setupAccount`. */
export interface AccountHostResult {
  /** The branded link host. */
  hostname: string;
  /** The sub-user whose list holds it, or undefined for the parent. */
  subuser: string | undefined;
  /** Its link branding. */
  branding: LinkBranding;
  /** The CDN chosen for it (absent for Auto SSL and unchosen hosts). */
  provider?: ProviderName;
  /** What was decided when planning. */
  decision: HostDecision;
  /** Whether it serves HTTPS as SendGrid support checks it (Auto SSL counts as ready). */
  ready: boolean;
  /** Vendor writes its plan announced (0 when nothing is to do). */
  plannedWrites: number;
  /** Every check made: branding, adapter and outside checks. */
  checks: CheckResult[];
  /** Why it is not ready, in one sentence; absent when ready. */
  reason?: string;
  /** The error that stopped it, when one did. */
  error?: {
    /** The `SslClickError` code. */
    code: string;
    /** The error's message (credentials removed). */
    message: string;
  };
  /** The full status from `setup` or `getStatus`, when the adapter was reached. */
  status?: SetupStatus;
}

/** One SendGrid account (the parent or a sub-user): SSL click tracking is switched on for all its hosts at once. */
export interface SendGridAccountResult {
  /** The account's username (the sub-user's name, or the parent's user from its brandings). */
  account: string;
  /** The sub-user, or undefined for the parent. */
  subuser: string | undefined;
  /** True when every host is ready. */
  ready: boolean;
  /** Every branded host the account lists. */
  hosts: AccountHostResult[];
  /** The hosts that are not ready, each with why: they keep the account from its request. */
  blockedBy: Array<{
    /** The host that is not ready. */
    hostname: string;
    /** Why. */
    reason: string;
  }>;
  /** A ready-to-send request to SendGrid support; only when every host is ready. */
  supportRequest?: string;
}

/** The vendor writes one adapter's hosts need, against its budget. */
export interface VendorPlan {
  /** The CDN. */
  provider: ProviderName;
  /** The budget's name, or undefined when the adapter runs without one. */
  budget: string | undefined;
  /** Hosts to set up on it. */
  hosts: number;
  /** Vendor writes planned. */
  writes: number;
  /** The time the budget needs to allow them all, in ms (0 when they fit in one window). */
  estimatedMs: number;
}

/** One quota checked against the plan. */
export interface QuotaUse {
  /** The quota. */
  quota: ResourceQuota;
  /** How many the plan creates. */
  planned: number;
  /** Whether `inUse + planned` stays within the limit. */
  fits: boolean;
}

/** The whole account planned before anything is written. */
export interface AccountPlan {
  /** Branded hosts found, across the parent and sub-users (each host once). */
  hosts: number;
  /** How many are Auto SSL, ready already, to set up, blocked. */
  decisions: Record<HostDecision, number>;
  /** Writes and time per adapter (vendor account). */
  vendors: VendorPlan[];
  /** Each quota against the resources the plan creates. */
  quotas: QuotaUse[];
  /** The longest of the vendors' estimates, in ms: the wall time the budgets impose at least. */
  estimatedMs: number;
  /** Whether the plan fits every quota. */
  fits: boolean;
}

/** What `setupAccount` returns. */
export interface AccountSetupResult {
  /** Whether this was a dry run (nothing written). */
  dryRun: boolean;
  /** True when every account is ready. */
  ready: boolean;
  /** The plan made first. */
  plan: AccountPlan;
  /** The parent first, then each sub-user by name. */
  accounts: SendGridAccountResult[];
}
