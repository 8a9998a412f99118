/**
 * The sandbox's AWS control planes: CloudFront, ACM and Route 53 fakes that the official
 * `@aws-sdk/client-*` clients talk to unchanged through their `endpoint`.
 *
 * @packageDocumentation
 */
export { AWS_DENIED_CREDENTIALS, AWS_EXPIRED_CREDENTIALS, AWS_REVOKED_CREDENTIALS, AWS_TEST_CREDENTIALS, startAwsApi } from './aws-api.js';
export type { AwsApi, AwsCertificateSnapshot, AwsDistributionSnapshot } from './aws-api.js';
export type { AwsConnectionGroupSnapshot, AwsTenantSnapshot } from './tenant-snapshots.js';
export type { AwsApiOptions, AwsOperationRecord, AwsSandbox, AwsServiceName } from './aws-api-state.js';
export { managedCachePolicies, managedOriginRequestPolicies } from './cloudfront-api.js';
export { edgeRouteFor } from './cloudfront-data-plane.js';
export type { XmlNode, XmlValue } from './aws-wire.js';
