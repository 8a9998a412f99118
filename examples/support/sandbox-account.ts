import { allCloudflarePermissions, startCloudflareApi, startSandbox, startSendGridApi, type CloudflareApi, type Sandbox } from '@sslclick/sandbox';
import { createSendGridLinks, type SendGridLinks } from '@sslclick/sendgrid';
import type { ExampleWorld } from './run-example.js';

/**
 * The credentials the sandbox runs use: fixed and recognisable, so a test can prove that none of
 * them ever appears in an example's output.
 */
export const sandboxCredentials = {
  sendgridApiKey: 'SG.sandbox-canary-sendgrid.9f2c4e6a8b0d1f3e5a7c',
  cloudflareToken: 'sandbox-canary-cloudflare-token-5e7a9c1b3d',
} as const;

/** A sandbox seeded like a real SendGrid customer's first day: one valid link branding. */
export interface SandboxAccount {
  sandbox: Sandbox;
  hostname: string;
  /**
   * The parts of an example world every sandbox run shares: the host, SendGrid, the verifier's
   * settings, and a tracked link from a "sent message", already on https:// as once SSL is on.
   */
  exampleFields(): Pick<ExampleWorld, 'hostname' | 'sendgrid' | 'verification' | 'sampleLink' | 'click'>;
  close(): Promise<void>;
}

/**
 * Starts the sandbox and the fake SendGrid API with a valid link branding for
 * `url1234.example.com` (user `acme`). The branding's DNS record is left to the caller, who puts
 * it where the CDN example expects it (a Cloudflare zone, a Route 53 zone, plain DNS).
 */
export async function startSandboxAccount(options: { publishBrandingDns: boolean }): Promise<SandboxAccount> {
  const sandbox = await startSandbox();
  const sendgridApi = await startSendGridApi(sandbox);
  const apiKey = sandboxCredentials.sendgridApiKey;
  sendgridApi.addApiKey(apiKey, { scopes: ['whitelabel.read', 'whitelabel.update'], username: 'acme' });
  const branding = sendgridApi.addLinkBranding({ domain: 'example.com', subdomain: 'url1234', username: 'acme', publishDns: options.publishBrandingDns });
  const hostname = `${branding.subdomain}.${branding.domain}`;
  const link = sandbox.origin.createLink(hostname, 'https://shop.example.com/welcome?utm_source=newsletter', { protocol: 'https' });
  const sendgrid = createSendGridLinks({ apiKey, baseURL: sendgridApi.url, verification: sandbox.verification });
  return {
    sandbox,
    hostname,
    exampleFields: () => ({
      hostname,
      sendgrid,
      verification: sandbox.verification,
      sampleLink: link.clickUrl,
      click: { resolver: sandbox.dns.address, ca: sandbox.ca.certificate, port: sandbox.ports.https },
    }),
    async close() {
      await sendgridApi.close();
      await sandbox.close();
    },
  };
}

/** The SendGrid side of a live run: link brandings when `SENDGRID_API_KEY` is set. */
export function liveSendGrid(): SendGridLinks | undefined {
  return process.env.SENDGRID_API_KEY ? createSendGridLinks({ ...(process.env.SENDGRID_SUBUSER ? { subuser: process.env.SENDGRID_SUBUSER } : {}) }) : undefined;
}

/** The branded host of a live run, from `SSLCLICK_HOSTNAME`. */
export function liveHostname(variable: string): string {
  const hostname = process.env.SSLCLICK_HOSTNAME;
  if (!hostname) throw new Error(`${variable} is set, so this runs against the real vendor: set SSLCLICK_HOSTNAME to your branded link host (e.g. url1234.example.com).`);
  return hostname;
}

/** Drops undefined values, so optional settings read from the environment stay absent. */
export function withOptional<Values extends Record<string, unknown>>(values: Values): Partial<{ [Key in keyof Values]: Exclude<Values[Key], undefined> }> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<{ [Key in keyof Values]: Exclude<Values[Key], undefined> }>;
}

/**
 * The fake Cloudflare API with the customer's `example.com` zone holding what link branding left
 * there: a DNS-only CNAME from the branded host to sendgrid.net. Returns the API and its token.
 */
export async function startSandboxCloudflareZone(account: SandboxAccount): Promise<{ cloudflare: CloudflareApi; token: string }> {
  const cloudflare = await startCloudflareApi(account.sandbox);
  const zone = cloudflare.addZone({ name: 'example.com' });
  const token = cloudflare.registerToken(allCloudflarePermissions, sandboxCredentials.cloudflareToken);
  await cloudflare.addDnsRecord(zone.id, { name: account.hostname, type: 'CNAME', content: 'sendgrid.net', proxied: false });
  return { cloudflare, token };
}
