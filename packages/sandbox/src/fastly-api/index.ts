export { defaultFastlyApiVariants, startFastlyApi } from './fastly-api.js';
export type {
  FastlyApi,
  FastlyApiOptions,
  FastlyApiTokens,
  FastlyApiVariants,
  FastlyRateLimitBudget,
  ForeignServiceOptions,
} from './fastly-api.js';
export type { FastlyBackend, FastlyService, FastlyState, FastlyTlsAuthorization, FastlyTlsSubscription, FastlyVersion, TlsSubscriptionState } from './fastly-state.js';
export { inspectComputePackage } from './compute-package.js';
export type { ComputePackageContents } from './compute-package.js';
