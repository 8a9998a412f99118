import type { DnsRecord, RunOptions } from './types.js';

/** A SendGrid link branding, as `setup` needs to see it. `@sslclick/sendgrid` provides these. */
export interface LinkBranding {
  /** SendGrid's id for the branding. */
  id: number;
  /** The branded link host, e.g. `url1234.example.com`. */
  hostname: string;
  /** The root domain, e.g. `example.com`. */
  domain: string;
  /** The subdomain SendGrid gave the branding, e.g. `url1234`. */
  subdomain: string;
  /** SendGrid considers the DNS records validated. */
  valid: boolean;
  /** The branding SendGrid falls back to when no other matches. */
  default: boolean;
  /** A pre-2015 whitelabel, which must be recreated to change. */
  legacy: boolean;
  /** The SendGrid user the branding belongs to (a parent's, for a branding associated with a sub-user). */
  username: string;
  /** The id of that user (the `<user id>.<domain>` owner record). */
  userId: number;
  /** `auto-ssl`: SendGrid serves HTTPS itself (`click.sendgrid.net`), so no CDN is needed. */
  route: 'classic' | 'auto-ssl';
  /** The SendGrid origin for this branding's region: `sendgrid.net` or `eu.sendgrid.net`. */
  origin: string;
  /** The DNS records SendGrid expects, as SendGrid states them (before any cutover). */
  records: DnsRecord[];
  /** SendGrid's own object, unchanged. */
  raw?: unknown;
}

/** The result of validating a link branding in SendGrid. */
export interface LinkBrandingValidation {
  /** SendGrid's id for the branding. */
  id: number;
  /** The branded link host. */
  hostname: string;
  /** Whether SendGrid now considers the branding valid. */
  valid: boolean;
  /** Per record (`domain_cname`, `owner_cname`, …): valid, and SendGrid's reason when not. */
  results: Record<
    string,
    {
      /** Whether SendGrid found this record as expected. */
      valid: boolean;
      /** SendGrid's reason when not. */
      reason: string | null;
    }
  >;
  /** The CNAME the guard saw before validating (the SendGrid target). */
  observedCname: string | undefined;
}

/**
 * Read access to an account's link brandings, plus the one guarded write (`validate`).
 * `createSendGridLinks()` in `@sslclick/sendgrid` implements it.
 */
export interface LinkBrandingSource {
  /** The sub-user acted for (`on-behalf-of`), if any. */
  readonly subuser?: string | undefined;
  /** Every link branding of the account (or sub-user). */
  list(options?: RunOptions): Promise<LinkBranding[]>;
  /** The branding for this host, or undefined when the account has none. */
  findByHostname(hostname: string, options?: RunOptions): Promise<LinkBranding | undefined>;
  /**
   * Asks SendGrid to validate the branding. Implementations refuse with `UNSAFE` once the
   * branded host's CNAME no longer leads straight to SendGrid: validating then breaks it.
   */
  validate(id: number, options?: RunOptions): Promise<LinkBrandingValidation>;
  /**
   * The sub-users of the key's account, asked as the account itself (`GET /v3/subusers`). Needed
   * by `setupAccount` with `subusers: true`; a source without it has no sub-users to offer.
   */
  listSubusers?(options?: RunOptions): Promise<ReadonlyArray<LinkBrandingSubuser>>;
  /** The same source, acting for sub-user `username` (`on-behalf-of`) with the parent's key. */
  forSubuser?(username: string): LinkBrandingSource;
}

/** A sub-user whose link brandings SendGrid enables separately from its parent's. */
export interface LinkBrandingSubuser {
  /** The sub-user's username, sent as `on-behalf-of`. */
  username: string;
  /** A disabled sub-user sends nothing; `setupAccount` skips it. */
  disabled: boolean;
}
