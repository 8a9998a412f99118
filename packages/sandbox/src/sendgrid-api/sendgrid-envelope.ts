import type { VendorErrorFormat, VendorResponse } from '../vendor-api-server.js';

/** SendGrid v3's error body: `{ errors: [{ field, message }] }`. */
export function sendGridError(status: number, message: string, field: string | null = null): VendorResponse {
  return { status, body: { errors: [{ field, message }] } };
}

/** SendGrid's answer to a missing or unknown API key. */
export function authorizationRequired(): VendorResponse {
  return sendGridError(401, 'authorization required');
}

/** SendGrid's answer to a key without the scope, or an `on-behalf-of` user it may not act for. */
export function accessForbidden(): VendorResponse {
  return sendGridError(403, 'access forbidden');
}

/**
 * SendGrid's temporary block after too many bad requests: its error table lists 403 "Too many bad
 * requests. Temporary block" (https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors).
 * The body's wording is not documented; clients must not depend on it.
 */
export function temporarilyBlocked(): VendorResponse {
  return sendGridError(403, 'too many bad requests, temporarily blocked');
}

/** SendGrid's answer for a resource the caller cannot see. */
export function resourceNotFound(message = 'resource not found'): VendorResponse {
  return sendGridError(404, message);
}

/**
 * The SendGrid error format for injected faults. A 429 carries SendGrid's own rate-limit headers
 * (`X-RateLimit-Reset` in epoch seconds) besides the `Retry-After` the fault adds.
 */
export const sendGridErrorFormat: VendorErrorFormat = {
  error(status, message) {
    const answer = sendGridError(status, message);
    if (status !== 429) return answer;
    return {
      ...answer,
      headers: {
        'x-ratelimit-limit': '600',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
      },
    };
  },
  // Every field of SendGrid's error body: `errors[]` with `message`, `field`, `help`
  // (vapor-community/sendgrid-kit Sources/SendGridKit/Models/SendGridError.swift) and the
  // top-level `id` some v3 endpoints add.
  echo(status, quoted) {
    return { status, body: { errors: [{ field: quoted, message: `refused: ${quoted}`, help: quoted }], id: quoted } };
  },
};
