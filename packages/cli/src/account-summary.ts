import Table from 'cli-table3';
import type { AccountHostResult, AccountPlan, AccountSetupResult, CheckResult, SendGridAccountResult } from '@sslclick/core';

/** A duration for a person: `0 s`, `45 s`, `12 min`, `3 h 20 min`. */
export function formatDuration(milliseconds: number): string {
  const seconds = Math.ceil(milliseconds / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h${minutes % 60 === 0 ? '' : ` ${minutes % 60} min`}`;
}

/** The account-wide plan: hosts by decision, writes and time per vendor account, each quota. */
export function formatAccountPlan(plan: AccountPlan, dryRun: boolean): string {
  const { decisions } = plan;
  const lines = [
    `Plan${dryRun ? ' (dry run: nothing was changed)' : ''}: ${plan.hosts} branded host${plan.hosts === 1 ? '' : 's'}: ${decisions['set-up']} to set up, ${decisions['already-ready']} ready already, ${decisions['auto-ssl']} Auto SSL, ${decisions.blocked} blocked.`,
  ];
  for (const vendor of plan.vendors) {
    const budget = vendor.budget === undefined ? 'no write budget' : `budget "${vendor.budget}"`;
    const time = vendor.estimatedMs === 0 ? 'within one budget window' : `about ${formatDuration(vendor.estimatedMs)} under the budget`;
    lines.push(`  ${vendor.provider}: ${vendor.hosts} host${vendor.hosts === 1 ? '' : 's'}, ${vendor.writes} write${vendor.writes === 1 ? '' : 's'} (${budget}), ${time}`);
  }
  for (const use of plan.quotas) {
    const inUse = use.quota.inUse ?? 0;
    lines.push(`  quota ${use.quota.name}: ${inUse} in use + ${use.planned} planned of ${use.quota.limit}: ${use.fits ? 'fits' : 'DOES NOT FIT'}`);
  }
  lines.push(`  estimated time under the write budgets: ${plan.estimatedMs === 0 ? 'no wait' : `at least ${formatDuration(plan.estimatedMs)}`} (plus certificate issuance and deploys)`);
  if (!plan.fits) lines.push('  The plan does not fit: nothing can be written until the quota is raised or fewer hosts use that vendor account.');
  return lines.join('\n');
}

/** The quotas the plan does not fit, as one sentence naming each. */
export function unfitQuotas(plan: AccountPlan): string {
  return plan.quotas
    .filter((use) => !use.fits)
    .map((use) => `${use.quota.name} (${use.quota.provider} ${use.quota.resourceKind}): ${use.quota.inUse ?? 0} in use + ${use.planned} planned > limit ${use.quota.limit}`)
    .join('; ');
}

/** An account as people call it: the parent by its username, a sub-user as one. */
export function accountLabel(account: SendGridAccountResult): string {
  return account.subuser === undefined ? `${account.account} (the parent account)` : `${account.account} (sub-user)`;
}

/** What a host came to, in a word or two. */
export function hostOutcome(host: AccountHostResult, dryRun: boolean): string {
  if (host.decision === 'auto-ssl') return 'ready (Auto SSL)';
  if (host.decision === 'already-ready') return 'ready (already)';
  if (host.decision === 'blocked') return 'BLOCKED';
  if (host.ready) return 'ready (set up)';
  return dryRun ? 'to set up' : 'NOT READY';
}

/** The certificate's expiry (a date), its state when it has none yet, or a dash. */
export function certificateOf(host: AccountHostResult): string {
  if (host.decision === 'auto-ssl') return 'SendGrid';
  const certificate = host.status?.certificate;
  if (!certificate) return '—';
  return certificate.notAfter ? `until ${certificate.notAfter.slice(0, 10)}` : certificate.state;
}

/** The checks as one cell: all passed, or the failed and undecided ones named. */
function checksCell(checks: readonly CheckResult[]): string {
  const failed = checks.filter((check) => check.ok === false).map((check) => check.id);
  const undecided = checks.filter((check) => check.ok === null).map((check) => check.id);
  const passed = checks.length - failed.length - undecided.length;
  const parts = [`${passed}/${checks.length} pass`];
  if (failed.length > 0) parts.push(`FAIL ${failed.join(', ')}`);
  if (undecided.length > 0) parts.push(`not decided ${undecided.join(', ')}`);
  return parts.join('; ');
}

function formatAccount(account: SendGridAccountResult, dryRun: boolean): string {
  const heading = `${accountLabel(account)}: ${account.ready ? 'READY: every branded host serves HTTPS' : dryRun ? 'not ready yet' : 'NOT READY'}`;
  const table = new Table({ head: ['host', 'result', 'CDN', 'certificate', 'checks'], wordWrap: true, style: { head: [], border: [] } });
  for (const host of account.hosts) {
    table.push([host.hostname, hostOutcome(host, dryRun), host.provider ?? (host.decision === 'auto-ssl' ? 'SendGrid' : '—'), certificateOf(host), checksCell(host.checks)]);
  }
  const sections = [heading, account.hosts.length > 0 ? table.toString() : '  no link brandings'];
  if (account.supportRequest) {
    sections.push(`Request to send to SendGrid support for ${account.account}:\n\n${account.supportRequest.replace(/^/gm, '  ')}`);
  } else if (account.blockedBy.length > 0) {
    sections.push(`No request to SendGrid support yet: SSL click tracking is switched on for all of ${account.account}'s hosts at once, and these are not ready:\n${account.blockedBy.map((blocker) => `  - ${blocker.hostname}: ${blocker.reason}`).join('\n')}`);
  }
  return sections.join('\n\n');
}

/** The whole result for a person: the plan, then per account its hosts, and its support request or what blocks it. */
export function formatAccountResult(result: AccountSetupResult): string {
  const accounts = result.accounts.map((account) => formatAccount(account, result.dryRun));
  const ready = result.accounts.filter((account) => account.ready).length;
  const total = `${ready} of ${result.accounts.length} account${result.accounts.length === 1 ? '' : 's'} ready for SSL click tracking.`;
  return [formatAccountPlan(result.plan, result.dryRun), ...accounts, total].join('\n\n');
}
