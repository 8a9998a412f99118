// The three AWS SDK clients, imported in one place as namespaces so every module names the
// service it calls (`cloudFrontSdk.GetDistributionCommand`).
import * as acmSdk from '@aws-sdk/client-acm';
import * as cloudFrontSdk from '@aws-sdk/client-cloudfront';
import * as route53Sdk from '@aws-sdk/client-route-53';

export { acmSdk, cloudFrontSdk, route53Sdk };
