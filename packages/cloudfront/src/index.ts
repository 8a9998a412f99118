/**
 * `@sslclick/cloudfront`: SendGrid SSL click tracking through AWS CloudFront, with an ACM
 * certificate and optional Route 53 DNS: a distribution per branded host, or (`mode: 'tenants'`)
 * CloudFront SaaS Manager tenants on one shared multi-tenant distribution.
 *
 * @packageDocumentation
 * @module @sslclick/cloudfront
 */
export { createCloudFrontProxy } from './cloudfront-proxy.js';
export { CLOUDFRONT_MODES } from './cloudfront-settings.js';
export type { AwsCredentials, CloudFrontMode, CloudFrontProxySettings } from './cloudfront-settings.js';
export { createRoute53Dns } from './route53-dns.js';
export type { Route53DnsProvider, Route53DnsSettings, Route53Zone } from './route53-dns.js';
