import type { AccountHostResult } from './account-types.js';

const supportChecks = ['dns-points-to-cdn', 'dns-not-sendgrid', 'tls-valid', 'reaches-sendgrid'];

function describeAccount(account: string, subuser: string | undefined): string {
  return subuser ? `the sub-user "${subuser}"` : `the account "${account}"`;
}

/**
 * The request to SendGrid support for one account whose hosts are all ready: every classic host
 * with the results of the checks support makes, and the Auto SSL hosts that need nothing.
 */
export function accountSupportRequest(account: string, subuser: string | undefined, hosts: readonly AccountHostResult[]): string {
  const name = describeAccount(account, subuser);
  const proxied = hosts.filter((host) => host.decision !== 'auto-ssl');
  const autoSsl = hosts.filter((host) => host.decision === 'auto-ssl');
  const lines = [
    `Subject: Please enable SSL click and open tracking for ${name}`,
    '',
    `Hello SendGrid support, please switch on SSL click tracking for ${name}. Every branded link host of it serves HTTPS:`,
    '',
  ];
  for (const host of proxied) {
    lines.push(`- ${host.hostname}: behind ${host.provider ?? 'a CDN'}, which terminates TLS and forwards to ${host.branding.origin} with the original Host header.`);
    for (const id of supportChecks) {
      const check = host.checks.find((candidate) => candidate.id === id);
      if (check) lines.push(`  - ${check.id}: ${check.ok === true ? 'passed' : check.ok === false ? 'FAILED' : 'not checked'} — ${check.detail}`);
    }
  }
  for (const host of autoSsl) lines.push(`- ${host.hostname}: SendGrid Auto SSL (click.sendgrid.net), served over HTTPS by SendGrid.`);
  lines.push('');
  if (proxied.length > 0) lines.push('Please do not re-validate these link brandings: their CNAMEs now point at the CDN.');
  return lines.join('\n');
}
