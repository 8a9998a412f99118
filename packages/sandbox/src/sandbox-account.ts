import { AWS_TEST_CREDENTIALS, startAwsApi, type AwsApi } from './aws-api/index.js';
import { allCloudflarePermissions, startCloudflareApi, type CloudflareApi } from './cloudflare-api/index.js';
import { startFastlyApi, type FastlyApi } from './fastly-api/index.js';
import { startSandbox, type Sandbox } from './sandbox.js';
import { startSendGridApi, type SendGridApi } from './sendgrid-api/index.js';
import {
  SANDBOX_CDNS,
  SANDBOX_WORLD_CREDENTIALS,
  type SandboxAdapterSettings,
  type SandboxCdn,
  type SandboxCloudflareDnsSettings,
  type SandboxSendGridSettings,
  type SandboxVerification,
  type SandboxWaitBounds,
} from './sandbox-world.js';

/**
 * The state a branded host of the sandbox account starts in:
 * - `auto-ssl`: SendGrid Auto SSL (CNAME to `click.sendgrid.net`), nothing to do;
 * - `fresh`: valid branding, CNAME to `sendgrid.net`, to set up;
 * - `proxied-before`: like `fresh`, listed in `proxiedBefore` so a test sets it up first (the
 *   sandbox depends on no adapter), after which a run must only read it;
 * - `not-yet-valid`: records published but never validated: validated, then set up;
 * - `unvalidatable`: not valid and its records never published: SendGrid refuses to validate it;
 * - `foreign-cname`: valid, but its CNAME now points at another service (`links.elsewhere.example`);
 * - `unreachable-zone`: its domain is in no zone the CDN credentials can reach.
 */
export type SandboxAccountHostState = 'auto-ssl' | 'fresh' | 'proxied-before' | 'not-yet-valid' | 'unvalidatable' | 'foreign-cname' | 'unreachable-zone';

/** One branded host of the sandbox account. */
export interface SandboxAccountHost {
  /** The branded link host. */
  readonly hostname: string;
  /** The SendGrid user owning the branding (the parent or a sub-user). */
  readonly username: string;
  /** The sub-user, or undefined for the parent's own brandings. */
  readonly subuser: string | undefined;
  /** The state it starts in. */
  readonly state: SandboxAccountHostState;
  /** Whether a complete account run can make it ready (false for the three blocking states). */
  readonly canBeReady: boolean;
  /**
   * Sub-users the parent's branding is associated with (they send with it, so their lists hold it
   * too and each account's request must name it).
   */
  readonly alsoListedBy: readonly string[];
}

/** How many hosts of each state an account (parent or sub-user) holds. */
export type SandboxAccountLayout = Readonly<Record<string, Partial<Record<SandboxAccountHostState, number>>>>;

/**
 * The default layout, 48 brandings: the parent `agency` and `tenant-a` can become ready; `tenant-b`
 * is blocked by a foreign CNAME, `tenant-c` by a branding SendGrid cannot validate and a host in
 * a zone the credentials cannot reach. The parent's first `fresh` branding is associated with the
 * first sub-user, so both accounts list it.
 */
export const DEFAULT_SANDBOX_ACCOUNT_LAYOUT: SandboxAccountLayout = {
  agency: { fresh: 10, 'auto-ssl': 2, 'proxied-before': 3, 'not-yet-valid': 2 },
  'tenant-a': { fresh: 9, 'auto-ssl': 2, 'not-yet-valid': 2 },
  'tenant-b': { fresh: 7, 'auto-ssl': 1, 'foreign-cname': 1 },
  'tenant-c': { fresh: 6, 'auto-ssl': 1, unvalidatable: 1, 'unreachable-zone': 1 },
};

/** Options for {@link startSandboxAccount}. */
export interface SandboxAccountOptions<Cdn extends SandboxCdn = SandboxCdn> {
  /** The CDN whose fake control plane to start. */
  readonly cdn: Cdn;
  /**
   * Hosts per state for the parent (the first key) and each sub-user (the other keys).
   * @default DEFAULT_SANDBOX_ACCOUNT_LAYOUT
   */
  readonly layout?: SandboxAccountLayout;
  /**
   * Cloudflare's certificate issuance delay in the fake, in ms.
   * @default 300
   */
  readonly certificateIssueDelayMs?: number;
  /**
   * The top-level domain of the users' domains (`agency.<tld>`). Cloudflare for SaaS refuses
   * custom hostnames under reserved ones such as `example` (error 1409), so a saas run passes
   * another (`com`).
   * @default 'example'
   */
  readonly topLevelDomain?: string;
}

/** A SendGrid parent account with sub-users and many brandings in mixed states, and one CDN's fakes. */
export interface SandboxAccount<Cdn extends SandboxCdn = SandboxCdn> {
  readonly cdn: Cdn;
  /** The parent's username. */
  readonly parent: string;
  /** The sub-users, by name. */
  readonly subusers: readonly string[];
  /** Every branded host, with the state it started in. */
  readonly hosts: readonly SandboxAccountHost[];
  /** The hosts a test should set up first with `setup()`, so the account run finds them ready. */
  readonly proxiedBefore: readonly string[];
  /** A tracked link per classic host whose branding SendGrid knows (the `sampleLinks` option). */
  readonly sampleLinks: Readonly<Record<string, string>>;
  /** The adapter factory's settings for `cdn`. */
  readonly adapter: SandboxAdapterSettings[Cdn];
  /** Where the hosts' DNS lives for Fastly (Cloudflare zones); undefined for the others. */
  readonly dns: Cdn extends 'fastly' ? SandboxCloudflareDnsSettings : undefined;
  /** `createSendGridLinks(account.sendgrid)`: the parent's key, acting for sub-users on request. */
  readonly sendgrid: SandboxSendGridSettings;
  /** The `verification` option. */
  readonly verification: SandboxVerification;
  /** The fakes, for tests that count requests. */
  readonly apis: { readonly sendgrid: SendGridApi; readonly cloudflare?: CloudflareApi; readonly fastly?: FastlyApi; readonly aws?: AwsApi };
  /** Writes every fake received so far (SendGrid, CDN and DNS APIs). */
  writes(): number;
  /** 429 answers every fake gave so far. */
  rateLimited(): number;
  /** The data plane underneath. */
  readonly sandbox: Sandbox;
  /** Stops every server. Idempotent. */
  close(): Promise<void>;
}

const sandboxWait: SandboxWaitBounds = { minDelay: 100, maxDelay: 500 };
const foreignTarget = 'links.elsewhere.example';
const unreachableDomain = 'legacy-brand.example';
const linkTarget = 'https://shop.example.com/welcome';

function domainOf(username: string, topLevelDomain = 'example'): string {
  return `${username}.${topLevelDomain}`;
}

/**
 * Starts a sandbox SendGrid account for the account-wide run: a parent with sub-users and about
 * 50 link brandings in mixed states (see {@link SandboxAccountHostState}), the CDN's fake, and the
 * DNS zones as the customer left them: one per user's domain (a Cloudflare zone for Cloudflare
 * and Fastly, a Route 53 hosted zone for CloudFront), none for `legacy-brand.example`.
 */
export async function startSandboxAccount<Cdn extends SandboxCdn>(options: SandboxAccountOptions<Cdn>): Promise<SandboxAccount<Cdn>> {
  const cdn = options.cdn;
  if (!SANDBOX_CDNS.includes(cdn)) throw new TypeError(`startSandboxAccount: cdn must be one of ${SANDBOX_CDNS.join(', ')}, not "${String(cdn)}".`);
  const layout = options.layout ?? DEFAULT_SANDBOX_ACCOUNT_LAYOUT;
  const [parent, ...subusers] = Object.keys(layout);
  if (!parent) throw new TypeError('startSandboxAccount: the layout needs at least the parent account.');
  const closers: Array<() => Promise<void>> = [];
  const sandbox = await startSandbox();
  closers.push(() => sandbox.close());
  try {
    const sendgrid = await startSendGridApi(sandbox);
    closers.unshift(() => sendgrid.close());
    const apiKey = SANDBOX_WORLD_CREDENTIALS.sendgridApiKey;
    sendgrid.addApiKey(apiKey, { scopes: ['whitelabel.read', 'whitelabel.update', 'subusers.read'], username: parent });
    for (const subuser of subusers) sendgrid.addSubuser(parent, subuser);
    const verification: SandboxVerification = sandbox.verification;

    let cloudflare: CloudflareApi | undefined;
    let cloudflareToken = '';
    const zoneIds = new Map<string, string>();
    let aws: AwsApi | undefined;
    let fastly: FastlyApi | undefined;
    if (cdn === 'cloudfront') {
      aws = await startAwsApi(sandbox);
      closers.unshift(() => (aws as AwsApi).close());
      for (const username of Object.keys(layout)) aws.addHostedZone(domainOf(username, options.topLevelDomain));
    } else {
      cloudflare = await startCloudflareApi(sandbox, { certificateIssueDelayMs: options.certificateIssueDelayMs ?? 300 });
      closers.unshift(() => (cloudflare as CloudflareApi).close());
      cloudflareToken = cloudflare.registerToken(allCloudflarePermissions, SANDBOX_WORLD_CREDENTIALS.cloudflareToken);
      for (const username of Object.keys(layout)) zoneIds.set(domainOf(username, options.topLevelDomain), cloudflare.addZone({ name: domainOf(username, options.topLevelDomain) }).id);
      if (cdn === 'fastly') {
        fastly = await startFastlyApi(sandbox);
        closers.unshift(() => (fastly as FastlyApi).close());
      }
    }

    /** Puts a record where the customer's DNS for `domain` lives: its zone at the CDN's DNS, or public DNS. */
    const publish = async (domain: string, name: string, type: 'CNAME' | 'TXT', value: string): Promise<void> => {
      const zoneId = zoneIds.get(domain);
      if (cloudflare && zoneId) await cloudflare.addDnsRecord(zoneId, { name, type, content: value, proxied: false });
      else sandbox.dns.zone.setRecord({ name, type, value });
    };

    const hosts: SandboxAccountHost[] = [];
    const sampleLinks: Record<string, string> = {};
    for (const [username, counts] of Object.entries(layout)) {
      const subuser = username === parent ? undefined : username;
      for (const [state, count] of Object.entries(counts) as Array<[SandboxAccountHostState, number]>) {
        for (let index = 0; index < count; index += 1) {
          const domain = state === 'unreachable-zone' ? unreachableDomain : domainOf(username, options.topLevelDomain);
          const valid = state !== 'not-yet-valid' && state !== 'unvalidatable';
          // Route 53 zones are the sandbox DNS itself, so SendGrid's fake may publish there directly.
          const direct = cdn === 'cloudfront' || domain === unreachableDomain || state === 'auto-ssl';
          const resource = sendgrid.addLinkBranding({ domain, username, valid, autoSsl: state === 'auto-ssl', publishDns: direct && state !== 'unvalidatable' });
          const hostname = resource.dns.domain_cname.host;
          if (!direct && state !== 'unvalidatable') {
            const link = resource.dns.domain_cname;
            await publish(domain, link.host, 'CNAME', state === 'foreign-cname' ? foreignTarget : link.data);
            if (resource.dns.owner_cname) await publish(domain, resource.dns.owner_cname.host, 'CNAME', resource.dns.owner_cname.data);
          } else if (state === 'foreign-cname') {
            sandbox.dns.zone.deleteRecord(hostname);
            sandbox.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: foreignTarget });
          }
          if (state !== 'auto-ssl' && state !== 'unvalidatable') {
            // A tracked link exists for every host SendGrid has sent with; create it while the origin knows the host.
            if (!valid) sandbox.origin.addBrandedHost(hostname);
            sampleLinks[hostname] = sandbox.origin.createLink(hostname, linkTarget, { protocol: 'https' }).clickUrl;
            if (!valid) sandbox.origin.removeBrandedHost(hostname);
          }
          // The parent's first fresh branding is the one its first sub-user sends with.
          const associate = subuser === undefined && state === 'fresh' && index === 0 && subusers[0] !== undefined ? subusers[0] : undefined;
          if (associate) sendgrid.associateSubuser(resource.id, associate);
          hosts.push({ hostname, username, subuser, state, canBeReady: state !== 'unvalidatable' && state !== 'foreign-cname' && state !== 'unreachable-zone', alsoListedBy: associate ? [associate] : [] });
        }
      }
    }
    await cloudflare?.sync();

    let adapter: SandboxAdapterSettings[SandboxCdn];
    let dns: SandboxCloudflareDnsSettings | undefined;
    if (aws) adapter = { credentials: { ...AWS_TEST_CREDENTIALS }, endpoints: { ...aws.endpoints }, verification, wait: sandboxWait };
    else if (fastly) {
      dns = { apiToken: cloudflareToken, baseURL: (cloudflare as CloudflareApi).url };
      adapter = { apiToken: fastly.tokens.admin, baseURL: fastly.url, verification, wait: sandboxWait };
    } else adapter = { apiToken: cloudflareToken, baseURL: (cloudflare as CloudflareApi).url, verification, wait: sandboxWait };

    const servers = [sendgrid.server, ...(cloudflare ? [cloudflare.server] : []), ...(fastly ? [fastly.server] : []), ...(aws ? Object.values(aws.servers) : [])];
    let closing: Promise<void> | undefined;
    return {
      cdn,
      parent,
      subusers,
      hosts,
      proxiedBefore: hosts.filter((host) => host.state === 'proxied-before').map((host) => host.hostname),
      sampleLinks,
      adapter: adapter as SandboxAdapterSettings[Cdn],
      dns: dns as SandboxAccount<Cdn>['dns'],
      sendgrid: { apiKey, baseURL: sendgrid.url, verification },
      verification,
      apis: { sendgrid, ...(cloudflare ? { cloudflare } : {}), ...(fastly ? { fastly } : {}), ...(aws ? { aws } : {}) },
      writes: () => sendgrid.server.writes() + (cloudflare?.server.writes() ?? 0) + (fastly?.server.writes() ?? 0) + (aws?.writes() ?? 0),
      rateLimited: () => servers.reduce((sum, server) => sum + server.requests.filter((request) => request.status === 429).length, 0),
      sandbox,
      close() {
        closing ??= (async () => {
          for (const close of closers) await close();
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const close of closers) await close();
    throw error;
  }
}
