/**
 * `@sslclick/sandbox`: the local world on loopback in which sslclick runs end to end without the
 * internet: a DNS server, a certificate authority, a CDN edge and a fake SendGrid origin.
 *
 * @packageDocumentation
 * @module @sslclick/sandbox
 */

export { DNS_ADDRESS, EDGE_ADDRESS, ORIGIN_ADDRESS } from './addresses.js';
export { createCertificateAuthority } from './certificate-authority.js';
export type {
  CertificateAuthority,
  CertificateAuthorityOptions,
  CertificateRequest,
  IssuedCertificate,
} from './certificate-authority.js';
export { SandboxClock, createSandboxClock } from './clock.js';
export type { SandboxClockEvents } from './clock.js';
export { startDnsServer } from './dns-server.js';
export type { DnsQueryLog, DnsServerOptions, SandboxDnsServer } from './dns-server.js';
export { DEFAULT_DNS_TTL, DnsZone, createDnsZone, normalizeDnsName } from './dns-zone.js';
export type { DnsLookupResult, DnsRecord, DnsRecordInput, DnsRecordType } from './dns-zone.js';
export type { EdgeCacheStatus } from './cdn-fingerprint.js';
export type {
  Edge,
  EdgeCertificate,
  EdgeCertificateRequest,
  EdgeFailure,
  EdgeHandshakeLog,
  EdgeRequestLog,
  EdgeRoute,
} from './edge.js';
export type { CreateLinkOptions, OriginRequestLog, OriginRootAnswer, SendGridOrigin, TrackedLink } from './sendgrid-origin.js';
export { startHttpsListener } from './https-listener.js';
export type { HttpsListener, HttpsListenerOptions } from './https-listener.js';
export { SENDGRID_ORIGIN_NAMES, startSandbox } from './sandbox.js';
export type { Sandbox, SandboxOptions } from './sandbox.js';
export type { SharedPorts } from './shared-ports.js';
export { credentialsQuotedBy, startVendorApiServer } from './vendor-api-server.js';
export type {
  Fault,
  FaultKind,
  VendorApiServer,
  VendorErrorFormat,
  VendorRequest,
  VendorRequestRecord,
  VendorResponse,
  VendorRouter,
} from './vendor-api-server.js';
export * from './cloudflare-api/index.js';
export * from './fastly-api/index.js';
export * from './sendgrid-api/index.js';
export * from './aws-api/index.js';
export { SANDBOX_CDNS, SANDBOX_WORLD_CREDENTIALS, startSandboxWorld } from './sandbox-world.js';
export type {
  SandboxAdapterSettings,
  SandboxCdn,
  SandboxCloudFrontSettings,
  SandboxCloudflareDnsSettings,
  SandboxCloudflareSaasSettings,
  SandboxCloudflareSaasWorld,
  SandboxCloudflareSettings,
  SandboxFastlySettings,
  SandboxSendGridSettings,
  SandboxVerification,
  SandboxWaitBounds,
  SandboxWorld,
  SandboxWorldOptions,
} from './sandbox-world.js';
export { DEFAULT_SANDBOX_ACCOUNT_LAYOUT, startSandboxAccount } from './sandbox-account.js';
export type { SandboxAccount, SandboxAccountHost, SandboxAccountHostState, SandboxAccountLayout, SandboxAccountOptions } from './sandbox-account.js';
