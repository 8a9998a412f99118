import { SslClickError } from '../errors.js';
import { redactValue } from '../redact.js';
import { getStatus, type SetupOptions } from '../setup.js';
import type { CheckResult, ProxyAdapter, RunOptions } from '../types.js';
import type { ListedAccount } from './account-listing.js';
import type { AccountHost, AccountHostResult, AccountPlan, AdapterChoice, HostDecision, QuotaUse, ResourceQuota, SetupAccountOptions, VendorPlan } from './account-types.js';
import { budgetTimeMs, type WriteBudget } from './write-budget.js';

/**
 * The quotas the built-in CDNs document that a fleet reaches first: CloudFront's 200
 * distributions per AWS account (a default that AWS raises on request), its 10,000 distribution
 * tenants per account (tenants mode) and ACM's 2,500 certificates per account and region. Pass
 * `quotas` to `setupAccount` with an account's raised figures.
 */
export const defaultResourceQuotas: readonly ResourceQuota[] = [
  // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html
  // Older copies of that page give 200 distributions and the current one 500: the lower figure is
  // kept, because refusing a plan that would fit costs the user a `quotas` option, while starting
  // one that does not fit leaves a fleet half set up when CloudFront answers TooManyDistributions.
  { provider: 'cloudfront', resourceKind: 'cloudfront-distribution', limit: 200, name: 'CloudFront distributions per AWS account' },
  // Service Quotas lists "Maximum number of distribution tenants per AWS account" at 10,000 (adjustable).
  { provider: 'cloudfront', resourceKind: 'cloudfront-distribution-tenant', limit: 10_000, name: 'CloudFront distribution tenants per AWS account' },
  // https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html
  { provider: 'cloudfront', resourceKind: 'acm-certificate', limit: 2_500, name: 'ACM certificates per account' },
];

/** One distinct host of the run, with what planning found. @internal */
export interface HostWork {
  host: AccountHost;
  /** The account whose source validates it (the first listing it). */
  account: ListedAccount;
  adapter: ProxyAdapter | undefined;
  decision: HostDecision;
  plannedWrites: number;
  /** Resources the plan creates, by kind. */
  creates: Map<string, number>;
  result: AccountHostResult;
}

/** The result's shape of a failure: code and message, credentials removed. */
export function errorSummary(error: unknown): { code: string; message: string } {
  if (SslClickError.isInstance(error)) return redactValue({ code: error.code, message: error.message });
  return redactValue({ code: 'PROVIDER', message: error instanceof Error ? error.message : String(error) });
}

function brandingChecks(host: AccountHost): CheckResult[] {
  const account = host.subuser ? `the sub-user "${host.subuser}"` : `the account "${host.branding.username}"`;
  return [
    { id: 'branding-assigned', ok: true, detail: `The link branding ${host.branding.id} for ${host.hostname} is listed by ${account}.` },
    { id: 'branding-valid', ok: host.branding.valid, detail: `SendGrid reports the link branding as ${host.branding.valid ? 'valid' : 'not valid'}.` },
  ];
}

/** The distinct hosts of the accounts, each once, with the adapter chosen for it. */
export function collectHosts(accounts: readonly ListedAccount[], choice: AdapterChoice): HostWork[] {
  const byHostname = new Map<string, HostWork>();
  for (const account of accounts) {
    for (const branding of account.brandings) {
      if (byHostname.has(branding.hostname)) continue;
      const host: AccountHost = { hostname: branding.hostname, subuser: account.subuser, branding };
      const autoSsl = branding.route === 'auto-ssl';
      const adapter = autoSsl ? undefined : typeof choice === 'function' ? choice(host) : choice;
      const decision: HostDecision = autoSsl ? 'auto-ssl' : adapter ? 'set-up' : 'blocked';
      const result: AccountHostResult = {
        hostname: host.hostname,
        subuser: host.subuser,
        branding,
        ...(adapter ? { provider: adapter.provider } : {}),
        decision,
        ready: autoSsl,
        plannedWrites: 0,
        checks: autoSsl ? brandingChecks(host).slice(0, 1) : brandingChecks(host),
        ...(decision === 'blocked' ? { reason: `No CDN was chosen for ${host.hostname}: the adapter choice returned none.` } : {}),
      };
      byHostname.set(branding.hostname, { host, account, adapter, decision, plannedWrites: 0, creates: new Map(), result });
    }
  }
  return [...byHostname.values()];
}

/**
 * Reads one host (never writes): its status as `getStatus` reports it; when not ready, the
 * adapter's plan, whose changes give the writes and the resources created.
 */
export async function inspectHost(work: HostWork, budget: WriteBudget | undefined, options: SetupAccountOptions, runOptions: RunOptions): Promise<void> {
  const adapter = work.adapter;
  if (work.decision !== 'set-up' || !adapter) return;
  const { hostname, branding } = work.host;
  const request = { hostname, origin: branding.origin };
  const sampleLink = options.sampleLinks?.[hostname];
  const statusOptions: SetupOptions = {
    ...runOptions,
    ...(options.verification ? { verification: options.verification } : {}),
    ...(sampleLink ? { sampleLink } : {}),
  };
  try {
    const status = await getStatus(adapter, request, statusOptions);
    const checks = [...work.result.checks, ...status.checks];
    if (status.ready && branding.valid) {
      work.decision = 'already-ready';
      work.result = { ...work.result, decision: 'already-ready', ready: true, checks, status };
      return;
    }
    const plan = await adapter.plan(request, runOptions);
    const changes = plan.changes.filter((change) => change.action !== 'none');
    // What the adapter says each change writes; an average per change where it does not say.
    const writes = changes.reduce((sum, change) => sum + (change.writes !== undefined && Number.isFinite(change.writes) && change.writes >= 0 ? change.writes : (budget?.writesPerChange ?? 1)), 0);
    // Rounded to a thousandth first: shares such as 1/3 + 2/3 add up to a whole write, not one more.
    work.plannedWrites = Math.ceil(Math.round(writes * 1000) / 1000);
    for (const change of changes) {
      if (change.action === 'create') work.creates.set(change.resource.kind, (work.creates.get(change.resource.kind) ?? 0) + 1);
    }
    work.result = { ...work.result, plannedWrites: work.plannedWrites, checks, status, reason: status.nextSteps[0] ?? `${hostname} is not set up yet.` };
  } catch (error) {
    work.decision = 'blocked';
    const summary = errorSummary(error);
    work.result = { ...work.result, decision: 'blocked', error: summary, reason: `Reading ${hostname} on ${adapter.provider} failed (${summary.code}): ${summary.message}` };
  }
}

/** The plan of the whole run: writes and time per adapter, quotas against the resources created. */
export function buildPlan(works: readonly HostWork[], budgets: Map<ProxyAdapter, WriteBudget | undefined>, quotas: readonly ResourceQuota[]): AccountPlan {
  const decisions: Record<HostDecision, number> = { 'auto-ssl': 0, 'already-ready': 0, 'set-up': 0, blocked: 0 };
  for (const work of works) decisions[work.decision] += 1;
  const vendors: VendorPlan[] = [];
  const quotaUses: QuotaUse[] = [];
  // Writes add up per budget (adapters of one account share one); quotas per adapter.
  const writesPerBudget = new Map<WriteBudget, number>();
  for (const [adapter, budget] of budgets) {
    const own = works.filter((work) => work.adapter === adapter && work.decision === 'set-up');
    const writes = own.reduce((sum, work) => sum + work.plannedWrites, 0);
    if (budget) writesPerBudget.set(budget, (writesPerBudget.get(budget) ?? 0) + writes);
    vendors.push({ provider: adapter.provider, budget: budget?.name, hosts: own.length, writes, estimatedMs: 0 });
    for (const quota of quotas.filter((candidate) => candidate.provider === adapter.provider)) {
      const planned = own.reduce((sum, work) => sum + (work.creates.get(quota.resourceKind) ?? 0), 0);
      quotaUses.push({ quota, planned, fits: (quota.inUse ?? 0) + planned <= quota.limit });
    }
  }
  const adapters = [...budgets.keys()];
  vendors.forEach((vendor, index) => {
    const budget = budgets.get(adapters[index] as ProxyAdapter);
    vendor.estimatedMs = budget ? budgetTimeMs(budget, writesPerBudget.get(budget) ?? 0) : 0;
  });
  return {
    hosts: works.length,
    decisions,
    vendors,
    quotas: quotaUses,
    estimatedMs: Math.max(0, ...vendors.map((vendor) => vendor.estimatedMs)),
    fits: quotaUses.every((use) => use.fits),
  };
}

/** `QUOTA_EXCEEDED` naming every quota the plan does not fit in; nothing has been written. */
export function quotaError(plan: AccountPlan): SslClickError {
  const over = plan.quotas.filter((use) => !use.fits);
  return new SslClickError({
    code: 'QUOTA_EXCEEDED',
    provider: over[0]?.quota.provider ?? 'core',
    operation: 'setupAccount',
    retryable: false,
    message: `The account plan does not fit: ${over
      .map((use) => `${use.quota.name} (${use.quota.provider} ${use.quota.resourceKind}): ${use.quota.inUse ?? 0} in use + ${use.planned} planned > limit ${use.quota.limit}`)
      .join('; ')}. Nothing was written. Ask the vendor to raise the quota, or set up fewer hosts on it (choose another adapter for some), then run again.`,
  });
}
