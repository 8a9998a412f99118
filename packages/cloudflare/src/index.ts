/**
 * `@sslclick/cloudflare`: SendGrid SSL click tracking through Cloudflare, on the official
 * `cloudflare` SDK, and a `DnsProvider` on Cloudflare DNS for the other adapters.
 *
 * @packageDocumentation
 * @module @sslclick/cloudflare
 */
export { createCloudflareProxy, type CloudflareProxySettings } from './cloudflare-proxy.js';
export type { CloudflareSaasProxySettings, CloudflareZoneMode } from './saas-settings.js';
export { createCloudflareDns, defaultCloudflareDnsComment, type CloudflareDnsSettings } from './cloudflare-dns.js';
export type { CloudflareConnectionSettings } from './cloudflare-client.js';
export { requiredTokenPermissions, type CloudflareTokenPermission } from './error-translation.js';
