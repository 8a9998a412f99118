/**
 * `@sslclick/cloudfront`: SendGrid SSL click tracking through AWS CloudFront, with an ACM
 * certificate and optional Route 53 DNS.
 *
 * @packageDocumentation
 * @module @sslclick/cloudfront
 */
export { createCloudFrontProxy } from './cloudfront-proxy.js';
export type { AwsCredentials, CloudFrontProxySettings } from './cloudfront-settings.js';
export { createRoute53Dns } from './route53-dns.js';
export type { Route53DnsProvider, Route53DnsSettings, Route53Zone } from './route53-dns.js';
