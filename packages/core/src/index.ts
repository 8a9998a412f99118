export type {
  CheckId,
  CheckResult,
  DnsRecord,
  Plan,
  PlannedChange,
  ProgressEvent,
  ProviderName,
  ProxyAdapter,
  ProxyAdapterFactory,
  ProxyCapabilities,
  ProxyRequest,
  ProxyState,
  ProxyStatus,
  ResourceReference,
  RunOptions,
  SpecificationVersion,
} from './types.js';
export { SslClickError, invalidInput, throwIfAborted, type SslClickErrorCode, type SslClickErrorOptions } from './errors.js';
export { redact, redactValue, registerSecret } from './redact.js';
export { normalizeHostname, parentDomains, isWithinDomain } from './hostname.js';
export { headersOf, httpStatusOf, parseRetryAfter, readHeader } from './http-hints.js';
export { defaultRetryDecision, isConnectionError, withRetry, type RetryDecision, type RetryOptions } from './retry.js';
export { waitUntil, type WaitObservation, type WaitOptions, type WaitResult } from './wait.js';
export {
  verifierChecks,
  verifyHostname,
  verifyHostnames,
  type VerifierCheckId,
  type VerifyManyOptions,
  type VerifyOptions,
  type VerifyResult,
} from './verifier/verify-hostname.js';
export type { DnsLookup } from './verifier/dns-lookup.js';
export type { HttpObservation, TlsObservation } from './verifier/tls-probe.js';
export type { DnsProvider, DnsProviderRecord, UpsertCnameOptions } from './dns-provider.js';
export { buildStatus, deriveState, readyNextSteps, type StatusParts } from './status.js';
export {
  checkBeforeCutover,
  confirmAfterCutover,
  type CutoverCheckOptions,
  type CutoverConfirmationOptions,
  type VerificationSettings,
} from './cutover.js';
export { loadCredential, requireVerificationForLocalEndpoints, type CommonProxySettings } from './settings.js';
export type { LinkBranding, LinkBrandingSource, LinkBrandingValidation } from './link-branding.js';
export { setup, status, destroy, type SetupOptions, type SetupStatus } from './setup.js';
export { lookupName, type DnsLookupOptions } from './verifier/dns-lookup.js';
export { accountReadiness, type AccountReadiness, type AccountReadinessOptions, type BrandedHostReadiness } from './account-readiness.js';
