/**
 * `@sslclick/core/adapter`: the helpers adapters share (HTTP hints, retry decisions, the waiter,
 * status building, the checks around the DNS cutover, credential loading and redaction).
 *
 * Only adapter authors need this entry; a setup script imports `@sslclick/core`. It is kept apart,
 * as vercel/ai keeps `@ai-sdk/provider-utils` apart from `ai`, so these helpers can change
 * without breaking the setup scripts' API.
 *
 * @packageDocumentation
 * @module @sslclick/core/adapter
 */
export { invalidInput, throwIfAborted } from '../errors.js';
export { redact, redactDeepCopy, redactError, redactValue, registerSecret } from '../redact.js';
export { withRedactedErrors } from '../error-boundary.js';
export { parentDomains, isWithinDomain } from '../hostname.js';
export { headersOf, httpStatusOf, parseRetryAfter, readHeader } from '../http-hints.js';
export { defaultRetryDecision, isConnectionError, withRetry, type RetryDecision, type RetryOptions } from '../retry.js';
export { waitUntil, type WaitObservation, type WaitOptions, type WaitResult } from '../wait.js';
export { buildStatus, deriveState, describeDnsRecord, pointsAtFailingCdn, readyNextSteps, type StatusParts } from '../status.js';
export { restoreFailingCutover, type FailingCutoverOptions, type FailingCutoverOutcome } from '../cutover-recovery.js';
export { checkBeforeCutover, confirmAfterCutover, type CutoverCheckOptions, type CutoverConfirmationOptions } from '../cutover.js';
export { DEFAULT_CUTOVER_CHECK_TIMEOUT_MS, loadCredential, readCutoverCheckTimeoutMs, requireVerificationForLocalEndpoints, type CommonProxySettings } from '../settings.js';
export { cachedLookup } from '../lookup-cache.js';
export { withoutRunBudget } from '../dns-provider.js';
export { reservedView } from '../account/write-budget.js';
