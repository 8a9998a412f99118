import type { AccountHostResult, AccountPlan, AccountSetupResult, CheckResult, SendGridAccountResult } from '@sslclick/core';
import { accountLabel, certificateOf, formatDuration, hostOutcome } from './account-summary.js';

/** Options of {@link renderAccountReport}. */
export interface AccountReportOptions {
  /**
   * When the result was made, shown in the page's header.
   * @default new Date()
   */
  generatedAt?: Date;
  /** One line on where the run went (`the sandbox`, `your cloudflare account`), shown under the title. */
  source?: string;
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and quoted attributes: every vendor and host string goes through it. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character] as string);
}

// One self-contained page: no script, no external style, font or image, so it opens the same from
// a mail attachment, a CI artifact or a file on disk, and can be printed.
const style = `
:root { color-scheme: light dark; --pass: #137333; --fail: #b3261e; --undecided: #8a6d00; --line: #8884; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; margin: 0 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
code, textarea, pre { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { font-weight: 600; }
table.hosts { table-layout: fixed; }
table.hosts col.host { width: 22%; } table.hosts col.result { width: 10%; } table.hosts col.cdn { width: 10%; }
table.hosts col.certificate { width: 10%; } table.hosts col.checks { width: 48%; }
td { overflow-wrap: break-word; }
section.account { border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin: 1.25rem 0; }
.badge { display: inline-block; border-radius: 999px; padding: 0 .6rem; font-size: .85rem; font-weight: 600; color: #fff; vertical-align: middle; }
.badge.ready { background: var(--pass); }
.badge.not-ready { background: var(--fail); }
ul.checks { list-style: none; margin: 0; padding: 0; }
ul.checks li { margin: .1rem 0; }
.result { font-weight: 600; white-space: nowrap; }
.pass > .mark, .pass > .result, td.pass, tr.pass { color: var(--pass); }
.fail > .mark, .fail > .result, td.fail, tr.fail, div.fail { color: var(--fail); }
.undecided > .mark, .undecided > .result { color: var(--undecided); }
.detail { color: #666; font-size: .9em; }
.reason { margin-top: .25rem; }
.blocked { border-left: 4px solid var(--fail); padding: .25rem .75rem; }
textarea { width: 100%; box-sizing: border-box; }
`;

const checkStates = {
  true: { className: 'pass', label: 'pass', mark: '✔' },
  false: { className: 'fail', label: 'fail', mark: '✘' },
  null: { className: 'undecided', label: 'not decided', mark: '?' },
} as const;

function checkItem(check: CheckResult): string {
  const state = checkStates[String(check.ok) as keyof typeof checkStates];
  return `<li class="${state.className}" data-check="${escapeHtml(check.id)}" data-state="${state.label}"><span class="mark" aria-hidden="true">${state.mark}</span> <strong>${escapeHtml(check.id)}</strong>: <span class="result">${state.label}</span> <span class="detail">— ${escapeHtml(check.detail)}</span></li>`;
}

function hostRow(host: AccountHostResult, dryRun: boolean): string {
  const outcome = hostOutcome(host, dryRun);
  const notAfter = host.status?.certificate.notAfter;
  const certificate = notAfter ? `<time datetime="${escapeHtml(notAfter)}">${escapeHtml(certificateOf(host))}</time>` : escapeHtml(certificateOf(host));
  const reason = host.ready || host.reason === undefined ? '' : `<div class="reason fail">${escapeHtml(host.reason)}</div>`;
  return [
    `<tr data-host="${escapeHtml(host.hostname)}" data-ready="${String(host.ready)}">`,
    `<td><code>${escapeHtml(host.hostname)}</code>${reason}</td>`,
    `<td class="result ${host.ready ? 'pass' : 'fail'}">${escapeHtml(outcome)}</td>`,
    `<td>${escapeHtml(host.provider ?? (host.decision === 'auto-ssl' ? 'SendGrid' : '—'))}</td>`,
    `<td>${certificate}</td>`,
    `<td><ul class="checks">${host.checks.map(checkItem).join('')}</ul></td>`,
    '</tr>',
  ].join('');
}

function accountSection(account: SendGridAccountResult, index: number, dryRun: boolean): string {
  const parts = [
    `<section class="account" id="account-${index}" data-account="${escapeHtml(account.account)}" data-ready="${String(account.ready)}">`,
    `<h2>${escapeHtml(accountLabel(account))} <span class="badge ${account.ready ? 'ready' : 'not-ready'}">${account.ready ? 'ready' : 'not ready'}</span></h2>`,
  ];
  if (account.blockedBy.length > 0) {
    parts.push(
      `<div class="blocked"><h3>Not ready: SSL click tracking is switched on for all of this account's hosts at once, and these are not ready</h3><ul>`,
      ...account.blockedBy.map((blocker) => `<li data-blocked-by="${escapeHtml(blocker.hostname)}"><code>${escapeHtml(blocker.hostname)}</code>: ${escapeHtml(blocker.reason)}</li>`),
      '</ul></div>',
    );
  }
  if (account.hosts.length === 0) parts.push('<p>No link brandings.</p>');
  else {
    parts.push(
      '<table class="hosts"><colgroup><col class="host"><col class="result"><col class="cdn"><col class="certificate"><col class="checks"></colgroup>',
      '<thead><tr><th>host</th><th>result</th><th>CDN</th><th>certificate</th><th>checks</th></tr></thead><tbody>',
      ...account.hosts.map((host) => hostRow(host, dryRun)),
      '</tbody></table>',
    );
  }
  if (account.supportRequest) {
    const rows = Math.min(40, account.supportRequest.split('\n').length + 1);
    parts.push(
      `<h3><label for="request-${index}">Request to send to SendGrid support</label></h3>`,
      `<textarea id="request-${index}" class="support-request" readonly rows="${rows}">${escapeHtml(account.supportRequest)}</textarea>`,
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function planSection(plan: AccountPlan, dryRun: boolean): string {
  const { decisions } = plan;
  const vendorRows = plan.vendors.map(
    (vendor) =>
      `<tr><td>${escapeHtml(vendor.provider)}</td><td>${vendor.hosts}</td><td>${vendor.writes}</td><td>${escapeHtml(vendor.budget ?? 'none')}</td><td>${vendor.estimatedMs === 0 ? 'within one window' : `about ${formatDuration(vendor.estimatedMs)}`}</td></tr>`,
  );
  const quotaRows = plan.quotas.map(
    (use) =>
      `<tr class="${use.fits ? 'pass' : 'fail'}"><td>${escapeHtml(use.quota.name)}</td><td>${use.quota.inUse ?? 0}</td><td>${use.planned}</td><td>${use.quota.limit}</td><td>${use.fits ? 'fits' : 'does not fit'}</td></tr>`,
  );
  return [
    `<section class="plan"><h2>Plan${dryRun ? ' (dry run: nothing was changed)' : ''}</h2>`,
    `<p>${plan.hosts} branded hosts: ${decisions['set-up']} to set up, ${decisions['already-ready']} ready already, ${decisions['auto-ssl']} Auto SSL, ${decisions.blocked} blocked. Estimated time under the write budgets: ${plan.estimatedMs === 0 ? 'no wait' : `at least ${formatDuration(plan.estimatedMs)}`}.</p>`,
    vendorRows.length > 0 ? `<table><thead><tr><th>CDN</th><th>hosts</th><th>writes</th><th>write budget</th><th>time under the budget</th></tr></thead><tbody>${vendorRows.join('')}</tbody></table>` : '',
    quotaRows.length > 0 ? `<table><thead><tr><th>quota</th><th>in use</th><th>planned</th><th>limit</th><th></th></tr></thead><tbody>${quotaRows.join('')}</tbody></table>` : '',
    '</section>',
  ].join('\n');
}

/**
 * The result of `setup --all` (the same {@link AccountSetupResult} `--json` writes) as one
 * self-contained HTML page: the plan, then each account and sub-user with its hosts, each host's
 * checks as pass, fail or not decided, its certificate's expiry, why it is not ready, and the
 * support request to copy. Every string from a vendor or a host is escaped.
 */
export function renderAccountReport(result: AccountSetupResult, options: AccountReportOptions = {}): string {
  const generatedAt = (options.generatedAt ?? new Date()).toISOString();
  const ready = result.accounts.filter((account) => account.ready).length;
  const title = 'SendGrid SSL click tracking: account report';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${title}</h1>`,
    `<p>Made by sslclick on <time datetime="${generatedAt}">${generatedAt.replace('T', ' ').slice(0, 19)} UTC</time>${options.source ? `, against ${escapeHtml(options.source)}` : ''}. <strong>${ready} of ${result.accounts.length}</strong> accounts ready for SSL click tracking.</p></header>`,
    planSection(result.plan, result.dryRun),
    ...result.accounts.map((account, index) => accountSection(account, index, result.dryRun)),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
