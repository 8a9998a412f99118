import type { CheckResult } from '../types.js';
import { clause, shorten } from './text.js';
import type { HttpObservation } from './tls-probe.js';

/** Statuses a CDN answers itself when it cannot reach or use the origin (Cloudflare's 52x and 530 too). */
export const cdnErrorStatuses: ReadonlySet<number> = new Set([502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 527, 530]);

/** The instruction for proving, with a real click, that SendGrid knows the Host. */
export const sampleLinkInstruction =
  'send a test message through SendGrid from this account with click tracking on, copy a tracked link from it (…/ls/click?upn=… or …/wf/click?upn=…), and pass it as sampleLink';

/** What `reaches-sendgrid` is judged from besides the answer. */
export interface ReachesJudgementContext {
  /** A tracked link from a sent message, when given. */
  sampleLink?: URL;
  /** The `tls-valid` verdict: the answer came over a connection a browser would accept. */
  tlsValid: boolean;
  /** DNS leads straight to SendGrid's Auto SSL name and was what was dialled. */
  autoSsl: boolean;
}

/**
 * Judges whether a request over the TLS connection reaches SendGrid with the branded Host. Only a
 * tracked link can prove it: SendGrid redirects a link it issued and answers 404 for a Host it
 * does not know, while no public source says how it answers any other request (see the README).
 * So without one, an answer that is not a CDN error is "not proven" (`ok: null`), never a pass,
 * except for an Auto SSL host, which SendGrid serves itself with no proxy between. An answer got
 * over a certificate a browser refuses is never a pass either: the probe had checking off.
 */
export function judgeReachesSendGrid(hostname: string, https: HttpObservation, context: ReachesJudgementContext): CheckResult {
  const via = https.cdn ? ` through ${https.cdn}` : '';
  if (https.status === undefined) {
    return { id: 'reaches-sendgrid', ok: false, detail: `No HTTP answer over TLS from ${hostname}: ${clause(https.error ?? https.errorCode ?? 'no reason given')}.` };
  }
  if (cdnErrorStatuses.has(https.status)) {
    return {
      id: 'reaches-sendgrid',
      ok: false,
      detail: `The CDN answered ${https.status}${via}: it could not reach SendGrid (origin TLS, SSL mode or origin address is wrong).`,
    };
  }
  const browsersStop = 'browsers stop at the certificate error first (see tls-valid)';
  if (context.sampleLink) {
    if (https.status >= 300 && https.status < 400 && https.location) {
      const location = shorten(https.location, 120);
      if (!context.tlsValid) {
        return {
          id: 'reaches-sendgrid',
          ok: null,
          detail: `The tracked link redirected (${https.status}${via}, Location ${location}), but only with certificate checking off: SendGrid knows the Host ${hostname}, yet ${browsersStop}.`,
        };
      }
      return {
        id: 'reaches-sendgrid',
        ok: true,
        detail: `The tracked link answered ${https.status}${via} with Location ${location}: SendGrid received it with Host ${hostname}.`,
      };
    }
    return {
      id: 'reaches-sendgrid',
      ok: false,
      detail:
        https.status === 404
          ? `The tracked link answered 404${via}: SendGrid does not know the Host it received, so the CDN replaces the Host header or changes the path; forward the viewer's Host ${hostname} and the full path unchanged.`
          : `The tracked link answered ${https.status}${via} instead of a redirect.`,
    };
  }
  if (!context.tlsValid) {
    return {
      id: 'reaches-sendgrid',
      ok: null,
      detail: `${hostname} answered ${https.status}${via}, but only with certificate checking off: ${browsersStop}.`,
    };
  }
  if (context.autoSsl) {
    return {
      id: 'reaches-sendgrid',
      ok: true,
      detail: `SendGrid answered ${https.status} over HTTPS itself: ${hostname} is an Auto SSL link served by SendGrid directly, with no proxy that could change the Host.`,
    };
  }
  return {
    id: 'reaches-sendgrid',
    ok: null,
    detail: `${hostname} answered ${https.status}${via} over HTTPS, so the CDN reaches an origin, but only a tracked link shows that SendGrid knows the Host ${hostname}: ${sampleLinkInstruction}.`,
  };
}

/** Judges plain HTTP on port 80, which links in mail already sent still use. */
export function judgeHttpStillServed(hostname: string, http: HttpObservation): CheckResult {
  if (http.status === undefined) {
    return {
      id: 'http-still-served',
      ok: false,
      detail: `Plain HTTP to ${hostname} failed (${clause(http.error ?? http.errorCode ?? 'no reason given')}): http:// links in mail already sent would break.`,
    };
  }
  if (cdnErrorStatuses.has(http.status)) {
    return { id: 'http-still-served', ok: false, detail: `Plain HTTP to ${hostname} answered ${http.status}, a CDN error: old http:// links would break.` };
  }
  const redirect = http.status >= 300 && http.status < 400 && http.location?.startsWith(`https://${hostname}`);
  return {
    id: 'http-still-served',
    ok: true,
    detail: redirect
      ? `Plain HTTP to ${hostname} redirects to HTTPS (${http.status}).`
      : `Plain HTTP to ${hostname} still answers (${http.status}), so old http:// links keep working.`,
  };
}
