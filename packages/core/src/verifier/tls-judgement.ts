import type { CheckResult } from '../types.js';
import { clause, describeDate, describeRemaining, shorten } from './text.js';
import type { TlsObservation } from './tls-probe.js';

/** Trust errors that mean "no chain could be built from the leaf to a trusted root". */
const missingIssuerErrors = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT']);

/** How people write a TLS version: "TLS 1.0", "TLS 1.3" (OpenSSL says "TLSv1", "TLSv1.3"). */
function tlsName(protocol: string): string {
  return protocol === 'TLSv1' ? 'TLS 1.0' : protocol.replace(/^TLSv/, 'TLS ');
}

const hostRefusalAdvice = 'the CDN has no certificate for it yet, or is not configured for it';

function handshakeFailure(hostname: string, where: string, tls: TlsObservation): string {
  if (tls.errorCode === 'TIMEOUT') return `${where} accepted no TLS handshake for ${hostname} within the time-out.`;
  if (tls.legacyProtocol) {
    return `${where} offers only ${tlsName(tls.legacyProtocol)} or older for ${hostname}, which browsers refuse: raise the minimum TLS version at the CDN to TLS 1.2.`;
  }
  const reason = clause(tls.error ?? tls.errorCode ?? 'unknown error');
  switch (tls.errorCode) {
    case 'ECONNREFUSED':
      return `${where} refused the connection on its HTTPS port: nothing serves HTTPS for ${hostname} there.`;
    case 'ECONNRESET':
      return `${where} refused TLS for ${hostname}, closing the connection during the handshake: ${hostRefusalAdvice}.`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `${where} answered the TLS handshake for ${hostname} with something that is not TLS (plain HTTP on the HTTPS port?).`;
    case 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION':
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
      return `${where} and this client share no TLS version for ${hostname} (${reason}): make the CDN offer TLS 1.2 or 1.3.`;
    default:
      return `${where} refused TLS for ${hostname} (${shorten(reason)}): ${hostRefusalAdvice}.`;
  }
}

/**
 * Judges the TLS handshake with SNI = hostname as a browser would: a version browsers accept, a
 * certificate that covers the host, is in its validity window and chains to a trusted root. Each
 * failure names what to change. Certificates close to expiry pass with a warning.
 */
export function judgeTls(hostname: string, tls: TlsObservation, minimumDaysLeft: number, warnings: string[]): CheckResult {
  const where = `${tls.address}:${tls.port}`;
  if (!tls.handshake) return { id: 'tls-valid', ok: false, detail: handshakeFailure(hostname, where, tls) };
  const names = tls.names ?? [];
  const shownNames = shorten(names.join(', ') || tls.subject || 'another name', 120);
  if (names.some((name) => name === '*.sendgrid.net' || name === 'sendgrid.net')) {
    return {
      id: 'tls-valid',
      ok: false,
      detail: `${where} served SendGrid's own certificate (${shownNames}): traffic reaches SendGrid directly, not through a CDN with a certificate for ${hostname}.`,
    };
  }
  if (!tls.coversHostname) {
    return { id: 'tls-valid', ok: false, detail: `The certificate served for ${hostname} is for ${shownNames}: it does not cover ${hostname}.` };
  }
  if (tls.trustError === 'CERT_HAS_EXPIRED' || (tls.millisecondsLeft !== undefined && tls.millisecondsLeft <= 0)) {
    return { id: 'tls-valid', ok: false, detail: `The certificate for ${hostname} expired on ${describeDate(tls.notAfter)}: renew it at the CDN.` };
  }
  if (tls.trustError === 'CERT_NOT_YET_VALID') {
    return { id: 'tls-valid', ok: false, detail: `The certificate for ${hostname} is not valid before ${describeDate(tls.notBefore)}: check the clock of whoever issued it, or wait.` };
  }
  if (!tls.trusted) {
    const issuer = shorten(tls.issuer ?? 'an unknown issuer');
    if (missingIssuerErrors.has(tls.trustError ?? '') && tls.caIssuers && tls.caIssuers.length > 0) {
      return {
        id: 'tls-valid',
        ok: false,
        detail: `The server sends the certificate for ${hostname} without its intermediate certificate (issuer ${issuer}), so browsers cannot build the chain to a trusted root: configure the full chain (the certificate followed by the intermediate) at the CDN.`,
      };
    }
    if (missingIssuerErrors.has(tls.trustError ?? '')) {
      return {
        id: 'tls-valid',
        ok: false,
        detail: `The certificate for ${hostname} is not trusted: its issuer ${issuer} is no authority browsers trust, and the server sends no intermediate that leads to one; use a certificate from a publicly trusted authority, with its full chain.`,
      };
    }
    return {
      id: 'tls-valid',
      ok: false,
      detail: `The certificate for ${hostname} is not trusted (${clause(tls.trustError ?? 'unknown reason')}, issuer ${issuer}): browsers will refuse it; use a certificate from a publicly trusted authority.`,
    };
  }
  if (tls.protocol && !['TLSv1.2', 'TLSv1.3'].includes(tls.protocol)) {
    return { id: 'tls-valid', ok: false, detail: `${where} negotiated ${tlsName(tls.protocol)}, which browsers refuse: raise the minimum TLS version at the CDN to TLS 1.2.` };
  }
  const remaining = tls.millisecondsLeft === undefined ? undefined : describeRemaining(tls.millisecondsLeft);
  if (tls.millisecondsLeft !== undefined && tls.millisecondsLeft < minimumDaysLeft * 86_400_000) {
    warnings.push(`The certificate for ${hostname} expires in ${remaining}, on ${describeDate(tls.notAfter)}: check that the CDN renews it.`);
  }
  return {
    id: 'tls-valid',
    ok: true,
    detail: `${where} served a trusted certificate for ${hostname} over ${tls.protocol ? tlsName(tls.protocol) : 'TLS'}, valid until ${describeDate(tls.notAfter)}${remaining ? ` (${remaining} left)` : ''}.`,
  };
}
