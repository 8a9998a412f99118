/**
 * `@sslclick/fastly`: SendGrid HTTPS click tracking through Fastly, with a Compute edge program
 * (or a VCL service) and a Fastly-managed certificate.
 *
 * @packageDocumentation
 * @module @sslclick/fastly
 */
export { createFastlyProxy, type FastlyProxySettings } from './fastly-proxy.js';
export type { FastlyMode } from './service-configuration.js';
export type { FastlySharedServiceSettings } from './shared-settings.js';
export type { FastlyCertificateAuthority } from './tls-subscription.js';
export type { FastlyRateLimitSettings } from './rate-limit.js';
export { defaultFastlyBaseURL } from './fastly-client.js';
export { defaultEdgePackageURL, loadEdgePackage, type EdgePackage } from './edge-package.js';
