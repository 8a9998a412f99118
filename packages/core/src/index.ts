/**
 * `@sslclick/core`: what a setup script uses. `setup`, `getStatus` and `destroy` drive any
 * adapter (`createCloudflareProxy`, `createFastlyProxy`, `createCloudFrontProxy`);
 * `setupAccount` does it for every branded host of an account and its sub-users within the vendors'
 * write budgets; `verifyHostname(s)` and `accountReadiness` check from the outside what SendGrid support
 * checks; every failure is an `SslClickError` with a stable `code`.
 *
 * Helpers that only adapter authors need live in `@sslclick/core/adapter`; the conformance suite
 * lives in `@sslclick/core/testing`.
 *
 * @packageDocumentation
 * @module @sslclick/core
 */
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
export { createLookupCache, type LookupCache } from './lookup-cache.js';
export { SslClickError, type SslClickErrorCode, type SslClickErrorOptions } from './errors.js';
export { normalizeHostname } from './hostname.js';
export { setup, getStatus, destroy, type SetupOptions, type SetupStatus } from './setup.js';
export {
  verifierChecks,
  verifyHostname,
  verifyHostnames,
  type VerifierCheckId,
  type VerifyManyOptions,
  type VerifyOptions,
  type VerifyResult,
} from './verifier/verify-hostname.js';
export { lookupName, type DnsLookup, type DnsLookupOptions } from './verifier/dns-lookup.js';
export type { HttpObservation, TlsObservation } from './verifier/tls-probe.js';
export type { VerificationSettings } from './cutover.js';
export { accountReadiness, type AccountReadiness, type AccountReadinessOptions, type BrandedHostReadiness } from './account-readiness.js';
export type { DnsProvider, DnsProviderRecord, UpsertCnameOptions } from './dns-provider.js';
export type { LinkBranding, LinkBrandingSource, LinkBrandingSubuser, LinkBrandingValidation } from './link-branding.js';
export { setupAccount } from './account/setup-account.js';
export { defaultResourceQuotas } from './account/account-plan.js';
export { createWriteBudget, knownWriteBudget, type WriteBudget, type WriteBudgetSettings } from './account/write-budget.js';
export type {
  AccountHost,
  AccountHostResult,
  AccountPlan,
  AccountSetupResult,
  AdapterChoice,
  HostDecision,
  QuotaUse,
  ResourceQuota,
  SendGridAccountResult,
  SetupAccountOptions,
  VendorPlan,
} from './account/account-types.js';
