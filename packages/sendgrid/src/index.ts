/**
 * `@sslclick/sendgrid`: reads SendGrid link brandings for sslclick (route, origin, records,
 * validity, sub-user association) and validates one only while its CNAME still leads straight to
 * SendGrid; never after the CDN cutover.
 *
 * @packageDocumentation
 * @module @sslclick/sendgrid
 */

export { SENDGRID_EU_BASE_URL, SENDGRID_GLOBAL_BASE_URL, createSendGridLinks } from './sendgrid-links.js';
export type { LinkBrandingValidation, SendGridLinks, SendGridLinksSettings } from './sendgrid-links.js';
export type {
  LinkBranding,
  LinkBrandingDnsRecordResource,
  LinkBrandingResource,
  LinkBrandingRoute,
  SendGridOriginHost,
  SendGridRegion,
} from './link-branding.js';
export type { SendGridCallOptions } from './sendgrid-client.js';
export type { SendGridSubuser } from './subusers.js';
export { judgeValidationSafety, type ValidationGuardResult } from './validation-guard.js';
