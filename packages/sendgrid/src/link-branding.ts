import { SslClickError } from '@sslclick/core';
import type { DnsRecord, LinkBranding as CoreLinkBranding } from '@sslclick/core';
import { sendGridProvider } from './error-translation.js';

/** One DNS record of a link branding, in SendGrid's wire format. */
export interface LinkBrandingDnsRecordResource {
  /** Whether SendGrid found the record as expected. */
  valid: boolean;
  /** The record type, lower-case as SendGrid sends it (`cname`, `txt`). */
  type: string;
  /** The record name. */
  host: string;
  /** The record value. */
  data: string;
}

/**
 * A link branding in SendGrid's wire format (`LinkBranding200` of the v3 API, plus the two Auto
 * SSL records SendGrid's support article documents).
 */
export interface LinkBrandingResource {
  /** SendGrid's id for the branding. */
  id: number;
  /** The root domain. */
  domain: string;
  /** The subdomain SendGrid gave the branding. */
  subdomain?: string;
  /** The user the branding belongs to. */
  username: string;
  /** That user's id. */
  user_id: number;
  /** Whether this is the account's default branding. */
  default: boolean;
  /** Whether SendGrid considers the records validated. */
  valid: boolean;
  /** A pre-2015 whitelabel. */
  legacy: boolean;
  /** The records SendGrid expects, by name. */
  dns: {
    /** The branded host's CNAME: the only record that moves to the CDN at cutover. */
    domain_cname: LinkBrandingDnsRecordResource;
    /** The owner record, which stays at SendGrid. */
    owner_cname?: LinkBrandingDnsRecordResource;
    /** Auto SSL certificate validation. */
    acme_challenge_cname?: LinkBrandingDnsRecordResource;
    /** Auto SSL custom hostname ownership. */
    cf_custom_hostname_txt?: LinkBrandingDnsRecordResource;
    [name: string]: LinkBrandingDnsRecordResource | undefined;
  };
}

/**
 * How a branded link gets HTTPS: `classic` (CNAME to `sendgrid.net`: a CDN in front and a support
 * request are needed) or `auto-ssl` (CNAME to `click.sendgrid.net`: SendGrid serves HTTPS itself,
 * no CDN needed).
 */
export type LinkBrandingRoute = 'classic' | 'auto-ssl';

/** The SendGrid origin a CDN must forward the branded host to. */
export type SendGridOriginHost = 'sendgrid.net' | 'eu.sendgrid.net';

/** SendGrid's API regions: `global` (`api.sendgrid.com`) or `eu` (`api.eu.sendgrid.com`). */
export type SendGridRegion = 'global' | 'eu';

/** A link branding as sslclick reads it: core's shape, with the SendGrid origin narrowed. */
export interface LinkBranding extends CoreLinkBranding {
  route: LinkBrandingRoute;
  origin: SendGridOriginHost;
  raw: LinkBrandingResource;
}

const recordPurposes: Record<string, string> = {
  domain_cname: 'link branding: the only record that moves to the CDN at cutover',
  owner_cname: 'link branding owner: stays at sendgrid.net',
  acme_challenge_cname: 'Auto SSL certificate validation',
  cf_custom_hostname_txt: 'Auto SSL custom hostname ownership',
};

const recordOrder = ['domain_cname', 'owner_cname', 'acme_challenge_cname', 'cf_custom_hostname_txt'];

function clean(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function isRecord(value: unknown): value is LinkBrandingDnsRecordResource {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record['host'] === 'string' && typeof record['data'] === 'string';
}

function unexpectedShape(operation: string, what: string): SslClickError {
  return new SslClickError({
    code: 'PROVIDER',
    provider: sendGridProvider,
    operation,
    message: `SendGrid answered ${operation} with ${what}, not a link branding; the API may have changed or a proxy replaced the answer.`,
  });
}

/** Checks that a parsed body is a `LinkBranding200`; throws `PROVIDER` otherwise. */
export function parseLinkBrandingResource(value: unknown, operation: string): LinkBrandingResource {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw unexpectedShape(operation, Array.isArray(value) ? 'a list' : typeof value);
  }
  const candidate = value as Record<string, unknown>;
  const dns = candidate['dns'] as Record<string, unknown> | undefined;
  if (typeof candidate['id'] !== 'number' || typeof candidate['domain'] !== 'string' || !dns || !isRecord(dns['domain_cname'])) {
    throw unexpectedShape(operation, 'an object without id, domain or dns.domain_cname');
  }
  return value as LinkBrandingResource;
}

/** Checks that a parsed body is a list of `LinkBranding200`; throws `PROVIDER` otherwise. */
export function parseLinkBrandingList(value: unknown, operation: string): LinkBrandingResource[] {
  if (!Array.isArray(value)) throw unexpectedShape(operation, value === undefined ? 'an empty body' : typeof value);
  return value.map((item) => parseLinkBrandingResource(item, operation));
}

function toDnsRecord(name: string, record: LinkBrandingDnsRecordResource): DnsRecord | undefined {
  const type = record.type.toUpperCase();
  if (type !== 'CNAME' && type !== 'TXT') return undefined;
  const purpose = recordPurposes[name];
  return {
    name: clean(record.host),
    type,
    value: type === 'CNAME' ? clean(record.data) : record.data,
    ...(purpose === undefined ? {} : { purpose }),
  };
}

/**
 * The route: Auto SSL when the link CNAME targets `click.sendgrid.net` or the Auto SSL records
 * are present; classic otherwise.
 */
export function routeOf(resource: LinkBrandingResource): LinkBrandingRoute {
  const target = clean(resource.dns.domain_cname.data);
  const autoSsl = target === 'click.sendgrid.net' || resource.dns.acme_challenge_cname !== undefined || resource.dns.cf_custom_hostname_txt !== undefined;
  return autoSsl ? 'auto-ssl' : 'classic';
}

/**
 * The origin: from the link CNAME when it names one (`eu.sendgrid.net` for EU links), else from
 * the client's region (an Auto SSL CNAME to `click.sendgrid.net` does not say).
 */
export function originOf(resource: LinkBrandingResource, region: SendGridRegion): SendGridOriginHost {
  const target = clean(resource.dns.domain_cname.data);
  if (target === 'eu.sendgrid.net' || target.endsWith('.eu.sendgrid.net')) return 'eu.sendgrid.net';
  if (target === 'sendgrid.net') return 'sendgrid.net';
  return region === 'eu' ? 'eu.sendgrid.net' : 'sendgrid.net';
}

/** Maps SendGrid's `LinkBranding200` onto sslclick's {@link LinkBranding}. */
export function toLinkBranding(resource: LinkBrandingResource, region: SendGridRegion): LinkBranding {
  const hostname = clean(resource.dns.domain_cname.host);
  const domain = clean(resource.domain);
  const subdomain = resource.subdomain ? clean(resource.subdomain) : hostname.endsWith(`.${domain}`) ? hostname.slice(0, -domain.length - 1) : '';
  const names = [...recordOrder, ...Object.keys(resource.dns).filter((name) => !recordOrder.includes(name))];
  const records: DnsRecord[] = [];
  for (const name of names) {
    const record = resource.dns[name];
    if (!isRecord(record)) continue;
    const dnsRecord = toDnsRecord(name, record);
    if (dnsRecord) records.push(dnsRecord);
  }
  return {
    id: resource.id,
    domain,
    subdomain,
    hostname,
    valid: resource.valid === true,
    default: resource.default === true,
    legacy: resource.legacy === true,
    username: resource.username,
    userId: resource.user_id,
    route: routeOf(resource),
    origin: originOf(resource, region),
    records,
    raw: resource,
  };
}
