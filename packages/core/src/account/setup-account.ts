import { SslClickError, invalidInput, throwIfAborted } from '../errors.js';
import type { LinkBrandingSource } from '../link-branding.js';
import { redactValue } from '../redact.js';
import { createLookupCache } from '../lookup-cache.js';
import { setup } from '../setup.js';
import type { ProgressEvent, ProxyAdapter, RunOptions } from '../types.js';
import { listAccounts, listedSource, type ListedAccount } from './account-listing.js';
import { buildPlan, collectHosts, defaultResourceQuotas, errorSummary, inspectHost, quotaError, type HostWork } from './account-plan.js';
import { accountSupportRequest } from './account-support-request.js';
import type { AccountHostResult, AccountSetupResult, AdapterChoice, SendGridAccountResult, SetupAccountOptions } from './account-types.js';
import { forEachBounded } from './bounded-pool.js';
import { knownWriteBudget, reservedView, type WriteBudget } from './write-budget.js';

function checkOptions(choice: AdapterChoice, options: SetupAccountOptions): number {
  if (typeof choice !== 'function' && (typeof choice !== 'object' || choice === null || typeof choice.apply !== 'function')) {
    throw invalidInput('setupAccount needs an adapter (createCloudflareProxy(…), …) or a function choosing one per host.', { provider: 'core', operation: 'setupAccount' });
  }
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw invalidInput(`concurrency must be an integer from 1 to 256, not ${String(concurrency)}.`, { provider: 'core', operation: 'setupAccount' });
  }
  return concurrency;
}

function budgetsOf(works: readonly HostWork[], options: SetupAccountOptions): Map<ProxyAdapter, WriteBudget | undefined> {
  const budgets = new Map<ProxyAdapter, WriteBudget | undefined>();
  for (const work of works) {
    if (!work.adapter || budgets.has(work.adapter)) continue;
    budgets.set(work.adapter, options.budgetFor ? options.budgetFor(work.adapter) : knownWriteBudget(work.adapter.provider));
  }
  return budgets;
}

/** Sets up one host: its planned writes are taken from the shared budget first; a failure stays its own. */
async function runHost(work: HostWork, budget: WriteBudget | undefined, options: SetupAccountOptions, runOptions: RunOptions): Promise<void> {
  const adapter = work.adapter as ProxyAdapter;
  const { hostname, branding } = work.host;
  const sampleLink = options.sampleLinks?.[hostname];
  try {
    if (budget && work.plannedWrites > 0) {
      if (budget.available() < work.plannedWrites) {
        runOptions.onProgress?.({ type: 'budget-waiting', provider: adapter.provider, hostname, message: `Waiting for ${work.plannedWrites} writes of the ${budget.name} budget before setting up ${hostname}.` });
      }
      await budget.take(work.plannedWrites, runOptions.signal ? { signal: runOptions.signal } : {});
    }
    runOptions.onProgress?.({ type: 'host-starting', provider: adapter.provider, hostname, message: `Setting up ${hostname} on ${adapter.provider}.` });
    const status = await setup(
      adapter,
      { hostname, origin: branding.origin },
      {
        ...runOptions,
        ...(budget ? { budget: reservedView(budget, work.plannedWrites) } : {}),
        sendgrid: listedSource(work.account),
        ...(options.verification ? { verification: options.verification } : {}),
        ...(sampleLink ? { sampleLink } : {}),
      },
    );
    const checks = [...work.result.checks.filter((check) => !status.checks.some((own) => own.id === check.id)), ...status.checks];
    const { reason: _previous, ...rest } = work.result;
    work.result = {
      ...rest,
      ready: status.ready,
      checks,
      status,
      ...(status.ready ? {} : { reason: status.nextSteps[0] ?? `${hostname} is ${status.state}.` }),
    };
  } catch (error) {
    if (SslClickError.isInstance(error) && error.code === 'ABORTED') throw error;
    const summary = errorSummary(error);
    work.result = { ...work.result, ready: false, error: summary, reason: `Setting up ${hostname} on ${adapter.provider} failed (${summary.code}): ${summary.message}` };
  }
  runOptions.onProgress?.({
    type: 'host-finished',
    provider: adapter.provider,
    hostname,
    message: work.result.ready ? `${hostname} is ready.` : `${hostname} is not ready: ${work.result.reason ?? 'see its status'}`,
    detail: { ready: work.result.ready },
  });
}

function accountResults(accounts: readonly ListedAccount[], works: readonly HostWork[], dryRun: boolean): SendGridAccountResult[] {
  const byHostname = new Map(works.map((work) => [work.host.hostname, work.result]));
  return accounts.map((account) => {
    const hosts = account.brandings.map((branding) => ({ ...(byHostname.get(branding.hostname) as AccountHostResult), subuser: account.subuser, branding }));
    const name = account.subuser ?? account.brandings.find((branding) => branding.userId)?.username ?? 'the parent account';
    const blockedBy = hosts
      .filter((host) => !host.ready)
      .map((host) => ({ hostname: host.hostname, reason: host.reason ?? (dryRun ? `${host.hostname} is to be set up (dry run).` : `${host.hostname} is not ready.`) }));
    const ready = blockedBy.length === 0;
    return {
      account: name,
      subuser: account.subuser,
      ready,
      hosts,
      blockedBy,
      ...(ready ? { supportRequest: accountSupportRequest(name, account.subuser, hosts) } : {}),
    };
  });
}

/**
 * Puts the whole SendGrid account behind CDNs: every link branding of the parent and, with
 * `subusers`, of each sub-user. Each host is Auto SSL (nothing to do), ready already (only read),
 * or set up with the adapter chosen for it.
 *
 * The whole account is planned first, reading only: the vendor writes per adapter against its
 * write budget, the resources created against `quotas`. A plan that does not fit is refused with
 * `QUOTA_EXCEEDED` before any write; with `dryRun` the plan is returned instead. Hosts then run
 * at most `concurrency` at once, each taking its planned writes from the budget its vendor account
 * shares with every other host, so the vendor's rate limit is not hit. One host failing does not
 * stop the others; running again resumes, reading and never writing for the hosts already done.
 *
 * The result is per account (parent and sub-users): each host's status and checks, and a
 * ready-to-send support request for each account whose hosts are all ready; an account with a
 * host not ready names that host and why instead.
 *
 * Progress events, besides those of `setup` for each host: `brandings-listed` (per account),
 * `subuser-skipped` (a disabled sub-user), `account-planned` (with the plan in `detail.plan`),
 * `budget-waiting`, `host-starting` and `host-finished` (with `detail.ready`).
 */
export async function setupAccount(sendgrid: LinkBrandingSource, adapters: AdapterChoice, options: SetupAccountOptions = {}): Promise<AccountSetupResult> {
  const concurrency = checkOptions(adapters, options);
  const onProgress = options.onProgress;
  const runOptions: RunOptions = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(onProgress ? { onProgress: (event: ProgressEvent) => onProgress(redactValue(event)) } : {}),
    // One run, one set of zone, service and hosted-zone lookups, shared by every host.
    lookupCache: options.lookupCache ?? createLookupCache(),
  };
  const accounts = await listAccounts(sendgrid, options.subusers ?? false, runOptions);
  const works = collectHosts(accounts, adapters);
  const budgets = budgetsOf(works, options);
  await forEachBounded(works, concurrency, (work) => inspectHost(work, work.adapter ? budgets.get(work.adapter) : undefined, options, runOptions));
  throwIfAborted(options.signal, 'setupAccount');
  const plan = buildPlan(works, budgets, options.quotas ?? defaultResourceQuotas);
  runOptions.onProgress?.({
    type: 'account-planned',
    provider: 'core',
    message: `${plan.hosts} hosts: ${plan.decisions['set-up']} to set up, ${plan.decisions['already-ready']} ready already, ${plan.decisions['auto-ssl']} Auto SSL, ${plan.decisions.blocked} blocked; ${plan.vendors.map((vendor) => `${vendor.writes} ${vendor.provider} writes`).join(', ') || 'no writes'}.`,
    detail: { plan },
  });
  const dryRun = options.dryRun ?? false;
  if (!dryRun) {
    if (!plan.fits) throw quotaError(plan);
    const toSetUp = works.filter((work) => work.decision === 'set-up');
    await forEachBounded(toSetUp, concurrency, (work) => runHost(work, budgets.get(work.adapter as ProxyAdapter), options, runOptions));
  }
  const results = accountResults(accounts, works, dryRun);
  // Redacted host by host: the redactor's walk stops after 10,000 objects (a guard sized for one
  // error's cause graph), and a fleet's result in one walk would lose the hosts past it.
  const redacted = results.map((account) => ({ ...redactValue({ ...account, hosts: [] }), hosts: account.hosts.map((host) => redactValue(host)) }));
  return { dryRun, ready: results.every((account) => account.ready), plan: redactValue(plan), accounts: redacted };
}
