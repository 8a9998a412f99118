/**
 * `@sslclick/cloudfront`: SendGrid SSL click tracking through AWS CloudFront, with an ACM
 * certificate and optional Route 53 DNS.
 *
 * @packageDocumentation
 */
export { createCloudFrontProxy } from './cloudfront-proxy.js';
export type { AwsCredentials, CloudFrontProxySettings } from './cloudfront-settings.js';
export { route53Dns } from './route53-dns.js';
export type { Route53DnsProvider, Route53DnsSettings, Route53Zone } from './route53-dns.js';
export { awsErrorNameOf, translateAwsError } from './aws-errors.js';
export type { AwsErrorContext } from './aws-errors.js';
export {
  allViewerExceptHostHeaderPolicyId,
  allViewerPolicyId,
  cachingDisabledPolicyId,
  distributionDrift,
  type ConfigDifference,
  type DesiredDistribution,
} from './distribution-config.js';
export { certificateState, distributionState } from './status-mapping.js';
