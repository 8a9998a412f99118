import type { DnsProvider } from '@sslclick/core';
import { invalidInput, type CommonProxySettings } from '@sslclick/core/adapter';
import type { CloudflareConnectionSettings } from './cloudflare-client.js';

const provider = 'cloudflare';

/**
 * Settings of `createCloudflareProxy({ mode: 'saas', … })`: Cloudflare for SaaS. One provider
 * zone serves every branded host as a custom hostname, whatever DNS the host lives in.
 */
export interface CloudflareSaasProxySettings extends CloudflareConnectionSettings, CommonProxySettings {
  /** Cloudflare for SaaS: branded hosts become custom hostnames of one provider zone. */
  mode: 'saas';
  /**
   * The provider zone's id (32 hexadecimal digits): the zone with Cloudflare for SaaS enabled
   * that holds the fallback origin and the CNAME target. Its SSL mode is set to Full (zone-wide:
   * use a zone kept for this), since SendGrid's origin certificate is for `*.sendgrid.net`.
   */
  zoneId: string;
  /**
   * Where the branded hosts' DNS lives: `createCloudflareDns()`, `createRoute53Dns()` or your
   * own `DnsProvider`. The TXT pre-validation records and the cutover CNAME are written there
   * (TXT only when it has `upsertTxt`). Without it every record is listed in `dns.required` for
   * you to publish, one step at a time (the CNAME only once the certificate is proven through
   * Cloudflare's edge).
   * @default undefined (records are published by hand)
   */
  dns?: DnsProvider | undefined;
  /**
   * The fallback origin's name in the provider zone: a proxied CNAME to `origin` that every
   * custom hostname's traffic goes to.
   * @default `sslclick-origin.<provider zone>`
   */
  fallbackOrigin?: string | undefined;
  /**
   * The CNAME target in the provider zone that branded hosts point at: a proxied CNAME to the
   * fallback origin, as Cloudflare's getting-started guide recommends.
   * @default `sslclick-links.<provider zone>`
   */
  cnameTarget?: string | undefined;
  /**
   * The SendGrid origin behind the fallback origin. One provider zone has one fallback origin,
   * so every host it serves uses this origin (EU hosts need their own provider zone).
   * @default 'sendgrid.net'
   */
  origin?: string | undefined;
}

/** The per-host mode's name: the branded host's own zone on Cloudflare. */
export type CloudflareZoneMode = 'zone';

const namePattern = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$/;

function clean(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** The validated saas settings with their defaults filled in once the provider zone is known. */
export interface SaasNames {
  fallbackOrigin: (zoneName: string) => string;
  cnameTarget: (zoneName: string) => string;
  origin: string;
}

/**
 * Validates the saas-only settings (the connection settings are checked by the client module):
 * `INVALID_INPUT` naming the setting, nothing half-built.
 */
export function validateSaasSettings(settings: CloudflareSaasProxySettings): SaasNames {
  const fail = (message: string): never => {
    throw invalidInput(message, { provider, operation: 'create' });
  };
  if (typeof settings.zoneId !== 'string' || settings.zoneId === '') {
    fail('mode "saas" needs zoneId: the id of the provider zone with Cloudflare for SaaS enabled (32 hexadecimal digits, on the zone\'s Overview page).');
  }
  const dns = settings.dns;
  if (dns !== undefined && (dns === null || typeof dns !== 'object' || typeof dns.getRecords !== 'function' || typeof dns.upsertCname !== 'function' || typeof dns.deleteCname !== 'function')) {
    fail('dns must be a DnsProvider such as createCloudflareDns() or createRoute53Dns() (with getRecords, upsertCname and deleteCname).');
  }
  const nameSetting = (setting: 'fallbackOrigin' | 'cnameTarget', label: string): ((zoneName: string) => string) => {
    const value = settings[setting];
    if (value === undefined) return (zoneName) => `${label}.${zoneName}`;
    if (typeof value !== 'string' || !namePattern.test(clean(value))) fail(`${setting} must be a host name in the provider zone, such as "${label}.example.net", not ${JSON.stringify(value)}.`);
    const name = clean(value as string);
    return (zoneName) => {
      if (name !== zoneName && !name.endsWith(`.${zoneName}`)) fail(`${setting} "${name}" is not in the provider zone ${zoneName}.`);
      return name;
    };
  };
  const fallbackOrigin = nameSetting('fallbackOrigin', 'sslclick-origin');
  const cnameTarget = nameSetting('cnameTarget', 'sslclick-links');
  if (settings.fallbackOrigin !== undefined && settings.cnameTarget !== undefined && clean(settings.fallbackOrigin) === clean(settings.cnameTarget)) {
    fail('fallbackOrigin and cnameTarget must be two different names (the target is a CNAME to the fallback origin).');
  }
  const origin = clean(settings.origin ?? 'sendgrid.net');
  if (!/^(?:[a-z0-9-]+\.)*sendgrid\.net$/.test(origin) || origin === 'click.sendgrid.net') {
    fail(`origin "${String(settings.origin)}" is not a SendGrid link origin: use "sendgrid.net", or "eu.sendgrid.net" for EU regional links.`);
  }
  return { fallbackOrigin, cnameTarget, origin };
}
