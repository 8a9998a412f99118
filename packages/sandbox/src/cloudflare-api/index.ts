/**
 * The sandbox's fake Cloudflare v4 API.
 *
 * @packageDocumentation
 */
export { startCloudflareApi } from './cloudflare-api.js';
export type {
  AddCloudflareDnsRecordInput,
  AddCloudflareRulesetInput,
  AddCloudflareZoneInput,
  CloudflareApi,
  CloudflareApiOptions,
} from './cloudflare-api.js';
export { CustomHostnameState, defaultCustomHostnameVariants } from './custom-hostnames.js';
export type { CustomHostnameVariants, FakeCustomHostname, FakeFallbackOrigin } from './custom-hostnames.js';
export { expressionMatchesHost, effectiveCache, effectiveSslMode } from './cloudflare-data-plane.js';
export { DnsRecordStore } from './dns-record-store.js';
export { ObservedMap } from './observed-map.js';
export type { MapChangeListener } from './observed-map.js';
export {
  allCloudflarePermissions,
  certificateHostCovers,
  defaultCloudflareApiVariants,
  partialZoneTarget,
  readCloudflarePermissions,
  CloudflareState,
} from './cloudflare-state.js';
export type {
  CloudflareApiVariants,
  CloudflareCertificatePack,
  CloudflareDnsRecord,
  CloudflarePermission,
  CloudflareRule,
  CloudflareRuleset,
  CloudflareSslMode,
  CloudflareZone,
  CloudflareZoneStatus,
  CloudflareZoneType,
} from './cloudflare-state.js';
