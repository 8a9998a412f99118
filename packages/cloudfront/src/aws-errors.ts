import { SslClickError, type SslClickErrorCode } from '@sslclick/core';
import { httpStatusOf, isConnectionError } from '@sslclick/core/adapter';

/** Where an AWS error happened, for the translated message. */
export interface AwsErrorContext {
  /** `cloudfront` for the adapter, `route53` for `createRoute53Dns`. */
  provider: string;
  /** The IAM action of the call, e.g. `cloudfront:CreateDistribution`: named when permission is missing. */
  operation: string;
  hostname?: string;
}

const credentialErrors = new Set([
  'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'IncompleteSignature',
  'MissingAuthenticationToken', 'MissingAuthenticationTokenException', 'ExpiredToken', 'ExpiredTokenException',
  'InvalidAccessKeyId', 'AuthFailure', 'CredentialsProviderError', 'TokenProviderError', 'InvalidSignatureException',
]);
const permissionErrors = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'NotAuthorized']);
const throttlingErrors = new Set([
  'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'PriorRequestNotComplete',
  'SlowDown', 'RequestThrottled', 'RequestThrottledException',
]);
const notFoundErrors = new Set(['NoSuchDistribution', 'ResourceNotFoundException', 'NoSuchHostedZone', 'NoSuchResource', 'NoSuchChange']);

/**
 * The messages of Route 53's `InvalidChangeBatch`, which AWS sends with its own root element
 * (`<InvalidChangeBatch><Messages><Message>…`) instead of `<ErrorResponse><Error><Code>`: the JS
 * SDK finds no code in it and throws `Unknown`, keeping the children as `Messages`. (aws-sdk-go
 * parses this body specially: service/route53/unmarshal_error.go in aws/aws-sdk-go.)
 */
function invalidChangeBatchMessages(error: unknown): string[] | undefined {
  const candidate = error as { name?: unknown; Messages?: { Message?: unknown } } | null;
  if (candidate?.name !== 'Unknown' || typeof candidate.Messages !== 'object' || candidate.Messages === null) return undefined;
  const messages = candidate.Messages.Message;
  const list = Array.isArray(messages) ? messages : [messages];
  return list.filter((message): message is string => typeof message === 'string');
}

function nameOf(error: unknown): string {
  if (invalidChangeBatchMessages(error) !== undefined) return 'InvalidChangeBatch';
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

function messageOf(error: unknown): string {
  const changeBatchMessages = invalidChangeBatchMessages(error);
  if (changeBatchMessages !== undefined && changeBatchMessages.length > 0) return changeBatchMessages.join('; ');
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.trim() !== '' ? message.trim() : 'no message';
}

/**
 * Whether the SDK could not read AWS's answer: a cut-off or malformed body, or a page from a
 * proxy in between. The SDK marks these `Deserialization error` (with `$fault: 'client'`, which
 * does not make them the caller's fault); the same request usually reads fine a moment later.
 */
export function isUnreadableAnswer(error: unknown): boolean {
  return nameOf(error) === 'SyntaxError' || /Deserialization error|XML parse error/i.test(messageOf(error));
}

/** Whether an AWS error is a throttling answer, whatever its HTTP status (CloudFront throttles with 400). */
export function isAwsThrottling(error: unknown): boolean {
  return throttlingErrors.has(nameOf(error)) || httpStatusOf(error) === 429;
}

/** Whether an AWS error says the thing is not there (a success for deletes). */
export function isAwsNotFound(error: unknown): boolean {
  if (SslClickError.isInstance(error)) return error.code === 'NOT_FOUND';
  return notFoundErrors.has(nameOf(error));
}

/** Whether an AWS error is a name such as `PreconditionFailed`, on the SDK error or inside our translation. */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 3; depth += 1) {
    if (names.includes(nameOf(current))) return true;
    const awsName = (current as { awsErrorName?: unknown }).awsErrorName;
    if (typeof awsName === 'string' && names.includes(awsName)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Translates an AWS SDK error into an `SslClickError` that says what to do: missing IAM
 * permissions name the action, alias conflicts say where to look, quotas say which one. The
 * original error is kept as `cause` (redacted); credentials never appear in the message.
 */
export function translateAwsError(error: unknown, context: AwsErrorContext): SslClickError {
  if (SslClickError.isInstance(error)) return error;
  const name = nameOf(error);
  const awsMessage = messageOf(error);
  const status = httpStatusOf(error);
  const where = `${context.operation} (${name || 'error'}: ${awsMessage})`;
  let code: SslClickErrorCode;
  let message: string;
  let retryable: boolean | undefined;

  if (credentialErrors.has(name) || status === 401) {
    code = 'CREDENTIALS';
    message = `AWS did not accept the credentials for ${where}. Check the access key, secret and session token (or the default credential chain: AWS_ACCESS_KEY_ID, AWS_PROFILE, …).`;
  } else if (permissionErrors.has(name) || (status === 403 && !name)) {
    code = 'PERMISSION';
    message = `The AWS identity lacks the IAM permission ${context.operation}: ${awsMessage}. Grant it (the README of @sslclick/cloudfront lists every permission sslclick needs) and run again.`;
  } else if (name === 'CNAMEAlreadyExists') {
    code = 'CONFLICT';
    message = `${context.hostname ?? 'The hostname'} is already an alternate domain name (CNAME) of another CloudFront distribution, possibly in another AWS account. Remove it there (aws cloudfront list-conflicting-aliases helps find it), or pass adopt: true if that distribution is one you want sslclick to take over. (${awsMessage})`;
  } else if (name === 'DistributionAlreadyExists') {
    code = 'CONFLICT';
    message = `CloudFront refused the new distribution: its caller reference is already used (${awsMessage}). Run apply again; a new reference is generated each time.`;
  } else if (name === 'InvalidViewerCertificate') {
    code = 'PROVIDER';
    retryable = false;
    message = `CloudFront refused the certificate: ${awsMessage} It must be an ISSUED ACM certificate in us-east-1 that covers ${context.hostname ?? 'the hostname'}.`;
  } else if (name === 'TooManyDistributionCNAMEs' || name === 'TooManyDistributions' || name === 'TooManyCertificates' || name === 'LimitExceededException' || name === 'TooManyDistributionsAssociatedToCachePolicy' || name === 'TooManyDistributionsAssociatedToOriginRequestPolicy' || name === 'EntityLimitExceeded') {
    code = 'PROVIDER';
    retryable = false;
    message = `An AWS quota was reached in ${where}. Remove unused resources or request a quota increase in the AWS Service Quotas console, then run again.`;
  } else if (name === 'PreconditionFailed' || name === 'InvalidIfMatchVersion') {
    code = 'CONFLICT';
    message = `The CloudFront distribution changed while sslclick was updating it (${where}). Run again to apply the change to its current version.`;
  } else if (name === 'DistributionNotDisabled') {
    code = 'CONFLICT';
    message = `The distribution is not disabled and deployed yet, so it cannot be deleted (${awsMessage}). Run destroy again in a few minutes.`;
  } else if (name === 'ResourceInUseException') {
    code = 'CONFLICT';
    message = `The ACM certificate is still in use (${awsMessage}); it was left in place.`;
  } else if (name === 'InvalidChangeBatch') {
    code = 'CONFLICT';
    message = `Route 53 refused the record change: ${awsMessage}`;
  } else if (name === 'NoSuchHostedZone') {
    code = 'NOT_FOUND';
    message = `The Route 53 hosted zone in ${where} does not exist for these credentials. Check hostedZoneId (or leave it out to look the zone up by name).`;
  } else if (notFoundErrors.has(name) || status === 404) {
    code = 'NOT_FOUND';
    message = `Not found in ${where}.`;
  } else if (isAwsThrottling(error)) {
    code = 'RATE_LIMITED';
    message = `AWS kept throttling ${context.operation} after several retries (${awsMessage}). Wait a minute and run again.`;
  } else if (status === 409) {
    code = 'CONFLICT';
    message = `AWS reported a conflict in ${where}.`;
  } else if (status !== undefined && status >= 500) {
    code = 'PROVIDER';
    message = `AWS failed in ${where}; it is usually temporary: run again.`;
  } else if (isUnreadableAnswer(error)) {
    code = 'PROVIDER';
    retryable = true;
    message = `AWS's answer to ${context.operation} could not be read, even after retries (${name || 'error'}: ${awsMessage.split('\n')[0]}): a cut-off answer, or a proxy in between answering for AWS. Check the network and the endpoint setting, then run again.`;
  } else if (nameOf(error) === 'TimeoutError') {
    code = 'TIMEOUT';
    message = `AWS did not answer ${context.operation} in time, even after retries (${awsMessage}). Check the network, a proxy in between or the endpoint setting, then run again; raise timeoutMs if your connection is slow.`;
  } else if (isConnectionError(error)) {
    code = 'PROVIDER';
    retryable = true;
    message = `Could not reach AWS for ${context.operation} (${awsMessage}). Check the network or endpoint and run again.`;
  } else {
    code = 'PROVIDER';
    message = `AWS rejected ${where}.`;
  }
  const translated = new SslClickError({
    code,
    message,
    provider: context.provider,
    operation: context.operation,
    cause: error,
    ...(retryable === undefined ? {} : { retryable }),
    ...(status === undefined ? {} : { httpStatus: status }),
  });
  // The AWS exception name (`PreconditionFailed`) stays readable even when the redacted cause is a
  // plain copy of the SDK error (core replaces causes it cannot clean in place).
  if (name) Object.defineProperty(translated, 'awsErrorName', { value: name, enumerable: false });
  return translated;
}

/** The AWS exception name behind a translated error (`CNAMEAlreadyExists`), when there is one. */
export function awsErrorNameOf(error: unknown): string | undefined {
  const name = (error as { awsErrorName?: unknown } | null)?.awsErrorName;
  return typeof name === 'string' ? name : undefined;
}
