import { randomBytes, randomUUID } from 'node:crypto';
import { normalizeDnsName } from '../dns-zone.js';
import type { Sandbox } from '../sandbox.js';

/** One DNS record of a link branding, as SendGrid's `LinkBranding200.dns.*` writes it. */
export interface SendGridDnsRecordResource {
  valid: boolean;
  type: 'cname' | 'txt' | 'mx';
  host: string;
  data: string;
}

/** A link branding in SendGrid's wire format (`LinkBranding200` of the v3 API). */
export interface SendGridLinkBrandingResource {
  id: number;
  domain: string;
  subdomain: string;
  username: string;
  user_id: number;
  default: boolean;
  valid: boolean;
  legacy: boolean;
  dns: {
    domain_cname: SendGridDnsRecordResource;
    owner_cname?: SendGridDnsRecordResource;
    /** Auto SSL only: the ACME DNS-01 delegation to Cloudflare for SaaS. */
    acme_challenge_cname?: SendGridDnsRecordResource;
    /** Auto SSL only: the Cloudflare custom hostname ownership record. */
    cf_custom_hostname_txt?: SendGridDnsRecordResource;
  };
}

/** The per-record answer of `POST /v3/whitelabel/links/{id}/validate`. */
export interface SendGridRecordValidation {
  valid: boolean;
  reason: string | null;
}

/** The body of `POST /v3/whitelabel/links/{id}/validate`. */
export interface SendGridValidationResource {
  id: number;
  valid: boolean;
  validation_results: Record<string, SendGridRecordValidation>;
}

/** A SendGrid user: a parent account or one of its sub-users. */
export interface SendGridUser {
  readonly username: string;
  readonly userId: number;
  /** The parent's username, for a sub-user. */
  readonly parent?: string;
}

/** An API key of the fake: its scopes and the user it belongs to. */
export interface SendGridApiKey {
  readonly scopes: readonly string[];
  readonly username: string;
}

/** SendGrid's regions: `global` (the US data centre) or `eu` (EU regional sending). */
export type SendGridRegion = 'global' | 'eu';

/** What `SendGridState.addLinkBranding` creates. */
export interface AddLinkBrandingInput {
  /** The root domain, e.g. `example.com`. */
  domain: string;
  /**
   * The subdomain; the branded host is `<subdomain>.<domain>`.
   * @default `url<4 digits>`, as SendGrid picks when none is given
   */
  subdomain?: string;
  /** The owning user; created as a parent account when unknown. */
  username: string;
  /**
   * Whether the branding is validated already (its DNS was checked). A valid branding's host is
   * served by the sandbox origin.
   * @default true
   */
  valid?: boolean;
  /** @default false */
  default?: boolean;
  /**
   * SendGrid Auto SSL: the link CNAME targets `click.sendgrid.net` and two more records
   * (`_acme-challenge` CNAME, `_cf-custom-hostname` TXT) are added.
   * @default false
   */
  autoSsl?: boolean;
  /**
   * `eu` links CNAME to `eu.sendgrid.net`.
   * @default 'global'
   */
  region?: SendGridRegion;
  /** @default false */
  legacy?: boolean;
  /**
   * Publish the branding's records in the sandbox DNS zone (as a user who followed SendGrid's
   * instructions would have). Pass `false` to model records not yet published.
   * @default true
   */
  publishDns?: boolean;
}

interface StoredBranding {
  resource: SendGridLinkBrandingResource;
  region: SendGridRegion;
  autoSsl: boolean;
}

const firstUserId = 1_000_001;
const firstBrandingId = 1;

function copy<Value>(value: Value): Value {
  return structuredClone(value);
}

function describeCname(target: string): string {
  return `"${target}."`;
}

/**
 * The state of the fake SendGrid account world: users and sub-users, API keys, link brandings and
 * sub-user associations. It drives the sandbox data plane: a branding's records are published in
 * the sandbox zone, and the fake origin serves exactly the hosts of valid brandings.
 */
export class SendGridState {
  readonly #sandbox: Sandbox;
  readonly #users = new Map<string, SendGridUser>();
  readonly #keys = new Map<string, SendGridApiKey>();
  readonly #brandings = new Map<number, StoredBranding>();
  /** Sub-user username → the id of the parent's branding associated with it. */
  readonly #associations = new Map<string, number>();
  #nextUserId = firstUserId;
  #nextBrandingId = firstBrandingId;

  constructor(sandbox: Sandbox) {
    this.#sandbox = sandbox;
  }

  /** The user, creating a parent account when unknown. */
  ensureUser(username: string): SendGridUser {
    const existing = this.#users.get(username);
    if (existing) return existing;
    const user: SendGridUser = { username, userId: this.#nextUserId };
    this.#nextUserId += 1;
    this.#users.set(username, user);
    return user;
  }

  getUser(username: string): SendGridUser | undefined {
    return this.#users.get(username);
  }

  /** The sub-users of `parent`, oldest first. */
  subusersOf(parent: string): SendGridUser[] {
    return [...this.#users.values()].filter((user) => user.parent === parent).sort((left, right) => left.userId - right.userId);
  }

  addSubuser(parent: string, username: string): SendGridUser {
    const parentUser = this.ensureUser(parent);
    if (parentUser.parent !== undefined) throw new TypeError(`${parent} is a sub-user; sub-users cannot have sub-users.`);
    const existing = this.#users.get(username);
    if (existing) {
      if (existing.parent !== parent) throw new TypeError(`${username} exists already and is not a sub-user of ${parent}.`);
      return existing;
    }
    const user: SendGridUser = { username, userId: this.#nextUserId, parent };
    this.#nextUserId += 1;
    this.#users.set(username, user);
    return user;
  }

  addApiKey(key: string, apiKey: SendGridApiKey): void {
    if (key === '') throw new TypeError('An API key cannot be empty.');
    this.ensureUser(apiKey.username);
    this.#keys.set(key, { scopes: [...apiKey.scopes], username: apiKey.username });
  }

  getApiKey(key: string): SendGridApiKey | undefined {
    return this.#keys.get(key);
  }

  addLinkBranding(input: AddLinkBrandingInput): SendGridLinkBrandingResource {
    const domain = normalizeDnsName(input.domain);
    if (domain === '' || !domain.includes('.')) throw new TypeError(`"${input.domain}" is not a domain such as example.com.`);
    const owner = this.ensureUser(input.username);
    const id = this.#nextBrandingId;
    this.#nextBrandingId += 1;
    const subdomain = normalizeDnsName(input.subdomain ?? `url${String(1000 + ((id * 7919) % 9000))}`);
    const host = `${subdomain}.${domain}`;
    const region = input.region ?? 'global';
    const autoSsl = input.autoSsl ?? false;
    const valid = input.valid ?? true;
    const linkTarget = autoSsl ? 'click.sendgrid.net' : region === 'eu' ? 'eu.sendgrid.net' : 'sendgrid.net';
    const dns: SendGridLinkBrandingResource['dns'] = {
      domain_cname: { valid, type: 'cname', host, data: linkTarget },
      owner_cname: { valid, type: 'cname', host: `${owner.userId}.${domain}`, data: 'sendgrid.net' },
    };
    if (autoSsl) {
      dns.acme_challenge_cname = {
        valid,
        type: 'cname',
        host: `_acme-challenge.${host}`,
        data: `${host}.${randomBytes(8).toString('hex')}.dcv.cloudflare.com`,
      };
      dns.cf_custom_hostname_txt = { valid, type: 'txt', host: `_cf-custom-hostname.${host}`, data: randomUUID() };
    }
    if (input.default) {
      for (const stored of this.#brandings.values()) {
        if (stored.resource.username === owner.username) stored.resource.default = false;
      }
    }
    const resource: SendGridLinkBrandingResource = {
      id,
      domain,
      subdomain,
      username: owner.username,
      user_id: owner.userId,
      default: input.default ?? false,
      valid,
      legacy: input.legacy ?? false,
      dns,
    };
    this.#brandings.set(id, { resource, region, autoSsl });
    if (input.publishDns ?? true) this.#publish(resource);
    this.#syncOrigin(resource);
    return copy(resource);
  }

  associateSubuser(linkId: number, username: string): SendGridLinkBrandingResource {
    const stored = this.#brandings.get(linkId);
    if (!stored) throw new TypeError(`No link branding ${linkId}.`);
    const subuser = this.#users.get(username);
    if (!subuser || subuser.parent !== stored.resource.username) {
      throw new TypeError(`${username} is not a sub-user of ${stored.resource.username}, who owns link branding ${linkId}.`);
    }
    this.#associations.set(username, linkId);
    return copy(stored.resource);
  }

  disassociateSubuser(username: string): boolean {
    return this.#associations.delete(username);
  }

  /** The branding associated with a sub-user, if any. */
  associatedBranding(username: string): SendGridLinkBrandingResource | undefined {
    const id = this.#associations.get(username);
    const stored = id === undefined ? undefined : this.#brandings.get(id);
    return stored ? copy(stored.resource) : undefined;
  }

  /** A branding by id, whoever owns it. */
  getLinkBranding(id: number): SendGridLinkBrandingResource | undefined {
    const stored = this.#brandings.get(id);
    return stored ? copy(stored.resource) : undefined;
  }

  /**
   * The brandings a user sees, by id: its own, plus, for a sub-user, the parent's branding
   * associated with it (which it sends with) unless `includeAssociated` is false.
   */
  visibleBrandings(user: SendGridUser, options: { includeAssociated?: boolean } = {}): SendGridLinkBrandingResource[] {
    const associated = (options.includeAssociated ?? true) ? this.#associations.get(user.username) : undefined;
    return [...this.#brandings.values()]
      .filter((stored) => stored.resource.username === user.username || stored.resource.id === associated)
      .sort((left, right) => left.resource.id - right.resource.id)
      .map((stored) => copy(stored.resource));
  }

  /**
   * What SendGrid's validation does: each record's first answer in DNS must match the record's
   * `data` (a CNAME's first hop, not where the chain ends; a TXT value among the TXT records).
   * The branding becomes valid only when every record is, and the origin serves its host only
   * while it is valid: re-validating after the CNAME moved to a CDN breaks the tracked links.
   */
  validate(id: number): SendGridValidationResource {
    const stored = this.#brandings.get(id);
    if (!stored) throw new TypeError(`No link branding ${id}.`);
    const zone = this.#sandbox.dns.zone;
    const results: Record<string, SendGridRecordValidation> = {};
    for (const [name, record] of Object.entries(stored.resource.dns) as Array<[string, SendGridDnsRecordResource]>) {
      const expected = normalizeDnsName(record.data);
      let result: SendGridRecordValidation;
      if (record.type === 'cname') {
        const found = zone.getRecords(record.host).find((candidate) => candidate.type === 'CNAME');
        if (found === undefined) {
          result = { valid: false, reason: `Expected CNAME to match ${describeCname(expected)} but found no CNAME record for "${record.host}.".` };
        } else if (found.value === expected) {
          result = { valid: true, reason: null };
        } else {
          result = { valid: false, reason: `Expected CNAME to match ${describeCname(expected)} but found ${describeCname(found.value)}.` };
        }
      } else {
        const values = zone.getRecords(record.host).filter((candidate) => candidate.type === 'TXT').map((candidate) => candidate.value);
        result = values.includes(record.data)
          ? { valid: true, reason: null }
          : { valid: false, reason: `Expected TXT record "${record.data}" at "${record.host}." but found ${values.length === 0 ? 'none' : values.map((value) => `"${value}"`).join(', ')}.` };
      }
      record.valid = result.valid;
      results[name] = result;
    }
    stored.resource.valid = Object.values(results).every((result) => result.valid);
    this.#syncOrigin(stored.resource);
    return { id, valid: stored.resource.valid, validation_results: results };
  }

  #publish(resource: SendGridLinkBrandingResource): void {
    const zone = this.#sandbox.dns.zone;
    for (const record of Object.values(resource.dns) as SendGridDnsRecordResource[]) {
      if (record.type === 'cname') zone.setRecord({ name: record.host, type: 'CNAME', value: record.data });
      else if (record.type === 'txt') zone.setRecord({ name: record.host, type: 'TXT', value: record.data });
    }
  }

  #syncOrigin(resource: SendGridLinkBrandingResource): void {
    const host = resource.dns.domain_cname.host;
    if (resource.valid) this.#sandbox.origin.addBrandedHost(host);
    else this.#sandbox.origin.removeBrandedHost(host);
  }
}
