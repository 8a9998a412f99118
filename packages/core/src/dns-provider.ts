import type { RunOptions } from './types.js';

/** A DNS record as a `DnsProvider` reads it. */
export interface DnsProviderRecord {
  /** The full record name, lower-case, without a trailing dot. */
  name: string;
  /** The record type. */
  type: 'CNAME' | 'A' | 'AAAA' | 'TXT' | (string & {});
  /** The record data (a host name for a CNAME). */
  value: string;
  /** The provider's id for the record, when it has one. */
  id?: string;
}

/** Options for `DnsProvider.upsertCname`. */
export interface UpsertCnameOptions extends RunOptions {
  /**
   * The values the record may hold now for the write to go ahead (besides being absent): e.g.
   * `['sendgrid.net']` for the cutover. Any other current value is a `CONFLICT`, never overwritten.
   */
  replaceable?: string[];
  /** Overwrite whatever is there (the user passed `adopt: true`). @default false */
  adopt?: boolean;
  /** A note stored with the record where the provider supports one, marking it as sslclick's. */
  comment?: string;
}

/**
 * Where a hostname's DNS lives, for adapters whose CDN does not host DNS (Fastly, and CloudFront
 * without Route 53). Implementations: `createCloudflareDns()` in `@sslclick/cloudflare` and
 * `createRoute53Dns()` in `@sslclick/cloudfront`.
 */
export interface DnsProvider {
  /** A name for messages: `cloudflare`, `route53`. */
  readonly name: string;
  /** The records of a name (of one type, when given); empty when there are none. */
  getRecords(name: string, type?: DnsProviderRecord['type'], options?: RunOptions): Promise<DnsProviderRecord[]>;
  /**
   * Makes `name` a CNAME to `value`, but only when it is absent, already `value`, or one of
   * `options.replaceable`; otherwise throws `CONFLICT` naming what is there. Returns whether it
   * wrote anything, so a re-run that finds the record in place makes no write.
   */
  upsertCname(
    name: string,
    value: string,
    options?: UpsertCnameOptions,
  ): Promise<{
    /** Whether a write was made (false: the record was already in place). */
    changed: boolean;
    /** The record as it now is. */
    record: DnsProviderRecord;
  }>;
  /**
   * Adds the TXT value `value` at `name` unless it is there already (other TXT values at the
   * name stay: a name may hold several). Returns whether it wrote anything. Optional: adapters
   * that need TXT records (Cloudflare for SaaS pre-validation) list them in `dns.required` for
   * the user to publish when the provider has no such method.
   */
  upsertTxt?(name: string, value: string, options?: RunOptions & {
    /** A note stored with the record where the provider supports one, marking it as sslclick's. */
    comment?: string;
  }): Promise<{
    /** Whether a write was made (false: the value was already there). */
    changed: boolean;
  }>;
  /** Deletes the TXT value `value` at `name` (other values stay); a missing one is fine. Optional, as `upsertTxt`. */
  deleteTxt?(name: string, value: string, options?: RunOptions): Promise<{
    /** Whether a record was deleted (false: there was none to delete). */
    changed: boolean;
  }>;
  /** Deletes the CNAME at `name` if it still holds `value` (ours); a missing record is fine. */
  deleteCname(name: string, value: string, options?: RunOptions): Promise<{
    /** Whether a record was deleted (false: there was none to delete). */
    changed: boolean;
  }>;
}

/**
 * The DNS provider as an adapter of another vendor uses it: the run's write `budget` (the CDN
 * vendor account's, shared by `setupAccount`) is left out of every call, so the CDN's budget is
 * not spent on writes to another account (Fastly with Cloudflare DNS, CloudFront with a
 * `DnsProvider` it was given). The provider's own limits still hold: it retries its 429s.
 */
export function withoutRunBudget(provider: DnsProvider): DnsProvider {
  const strip = <Options extends RunOptions>(options: Options | undefined): Options | undefined => {
    if (!options?.budget) return options;
    const { budget: _budget, ...rest } = options;
    return rest as Options;
  };
  const { upsertTxt, deleteTxt } = provider;
  return {
    name: provider.name,
    getRecords: (name, type, options) => provider.getRecords(name, type, strip(options)),
    upsertCname: (name, value, options) => provider.upsertCname(name, value, strip(options)),
    deleteCname: (name, value, options) => provider.deleteCname(name, value, strip(options)),
    // The optional TXT methods stay optional: present exactly when the provider has them.
    ...(upsertTxt ? { upsertTxt: (name: string, value: string, options?: Parameters<typeof upsertTxt>[2]) => upsertTxt.call(provider, name, value, strip(options)) } : {}),
    ...(deleteTxt ? { deleteTxt: (name: string, value: string, options?: RunOptions) => deleteTxt.call(provider, name, value, strip(options)) } : {}),
  };
}
