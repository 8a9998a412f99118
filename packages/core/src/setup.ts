import type { VerificationSettings } from './cutover.js';
import { SslClickError, throwIfAborted } from './errors.js';
import { normalizeHostname } from './hostname.js';
import type { LinkBranding, LinkBrandingSource } from './link-branding.js';
import { redactError, redactValue } from './redact.js';
import { buildStatus, readyNextSteps } from './status.js';
import type { CheckResult, ProgressEvent, ProxyAdapter, ProxyRequest, ProxyStatus, RunOptions } from './types.js';
import { lookupName } from './verifier/dns-lookup.js';
import { verifyHostname, type VerifyResult } from './verifier/verify-hostname.js';
import { waitUntil, type WaitOptions } from './wait.js';

/** Options for `setup`, `getStatus` and `destroy`. */
export interface SetupOptions extends RunOptions {
  /**
   * The account's link brandings (`createSendGridLinks()` from `@sslclick/sendgrid`). With it,
   * setup checks the branding exists, is assigned to this account or sub-user and is valid
   * (validating it first while the CNAME still points at SendGrid), and stops for Auto SSL.
   */
  sendgrid?: LinkBrandingSource;
  /**
   * Where records are left for the user to publish, wait until public DNS shows them, then apply
   * again to finish. `true` uses the defaults (poll every 5 to 60 s, give up after 1 hour).
   * @default false
   */
  waitForDns?: boolean | Pick<WaitOptions, 'minDelay' | 'maxDelay' | 'maxWaitTime'>;
  /** How the final check reaches the verifier (resolver, trusted roots, ports). The internet's by default. */
  verification?: VerificationSettings;
  /**
   * A tracked link from a message sent through SendGrid (`http://url1234.example.com/ls/click?upn=…`).
   * Only its redirect proves that SendGrid knows the branded Host, so without it setup does not
   * call the host ready and its next steps say how to get one.
   */
  sampleLink?: string;
}

/** What `setup`, `getStatus` and `destroy` return: the adapter's status, verified from the outside. */
export interface SetupStatus extends ProxyStatus {
  /** The link branding, when `sendgrid` was given. */
  branding?: LinkBranding;
  /** The outside view, as SendGrid support checks it (absent when the proxy is not there to check). */
  verification?: VerifyResult;
  /** A ready-to-send request to SendGrid support, once everything passes. */
  supportRequest?: string;
}

function accountName(sendgrid: LinkBrandingSource | undefined, branding: LinkBranding | undefined): string | undefined {
  if (sendgrid?.subuser) return `the sub-user "${sendgrid.subuser}"`;
  return branding ? `the account "${branding.username}"` : undefined;
}

/** The run options handed to the adapter and SendGrid: the signal, the write budget, the lookup cache, and progress with credentials removed. */
function runOptionsOf(options: SetupOptions): RunOptions {
  const onProgress = options.onProgress;
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(onProgress ? { onProgress: (event: ProgressEvent) => onProgress(redactValue(event)) } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.lookupCache ? { lookupCache: options.lookupCache } : {}),
  };
}

/** The one place that turns an adapter's unexpected failure into a typed error. */
async function callAdapter<Result>(adapter: ProxyAdapter, operation: string, call: () => Promise<Result>): Promise<Result> {
  try {
    return await call();
  } catch (error) {
    // An adapter of another author (or built on another copy of core) may not redact its errors.
    if (SslClickError.isInstance(error)) throw redactError(error);
    throw new SslClickError({
      code: 'PROVIDER',
      message: `The ${adapter.provider} adapter failed during ${operation}: ${error instanceof Error ? error.message : String(error)}`,
      provider: adapter.provider,
      operation,
      cause: error,
      retryable: false,
    });
  }
}

async function checkBranding(hostname: string, options: SetupOptions, runOptions: RunOptions): Promise<{ branding: LinkBranding; checks: CheckResult[] }> {
  const sendgrid = options.sendgrid as LinkBrandingSource;
  const account = sendgrid.subuser ? `sub-user ${sendgrid.subuser}` : 'this account';
  let branding = await sendgrid.findByHostname(hostname, runOptions);
  if (!branding) {
    throw new SslClickError({
      code: 'NOT_FOUND',
      message: `SendGrid has no link branding for ${hostname} in ${account}. Create it (Settings → Sender Authentication → Link Branding)${sendgrid.subuser ? ' and associate it with the sub-user' : ''}, then run again.`,
      provider: 'sendgrid',
      operation: 'setup',
    });
  }
  const checks: CheckResult[] = [
    { id: 'branding-assigned', ok: true, detail: `The link branding ${branding.id} for ${hostname} is assigned to ${account} (user ${branding.username}).` },
  ];
  if (branding.route === 'auto-ssl') return { branding, checks };
  if (!branding.valid) {
    runOptions.onProgress?.({ type: 'branding-validating', message: `Validating the link branding for ${hostname} in SendGrid while its CNAME still points at SendGrid.`, hostname, provider: 'sendgrid' });
    const validation = await sendgrid.validate(branding.id, runOptions);
    if (!validation.valid) {
      throw new SslClickError({
        code: 'CONFLICT',
        message: `SendGrid could not validate the link branding for ${hostname}: ${
          Object.values(validation.results)
            .map((result) => result.reason)
            .filter((reason) => reason)
            .join(' ') || 'no reason given'
        }. Publish the records SendGrid lists for it, then run again.`,
        provider: 'sendgrid',
        operation: 'validate',
      });
    }
    branding = { ...branding, valid: true };
  }
  checks.push({ id: 'branding-valid', ok: true, detail: `The link branding for ${hostname} is valid in SendGrid.` });
  return { branding, checks };
}

async function waitForRecords(status: ProxyStatus, options: SetupOptions, runOptions: RunOptions): Promise<void> {
  const settings = typeof options.waitForDns === 'object' ? options.waitForDns : {};
  const servers = options.verification?.resolver;
  const resolverList = servers === undefined ? [] : Array.isArray(servers) ? servers : [servers];
  await waitUntil(
    async () => {
      const missing: string[] = [];
      for (const record of status.dns.required) {
        const lookup = await lookupName(record.name, { servers: resolverList, timeoutMs: options.verification?.timeoutMs ?? 5_000 });
        const seen = [...lookup.cnameChain, ...lookup.addresses];
        if (!seen.includes(record.value.toLowerCase().replace(/\.$/, ''))) missing.push(`${record.name} ${record.type} ${record.value}`);
      }
      return { done: missing.length === 0, state: missing.length === 0 ? 'all records published' : `not yet published: ${missing.join('; ')}` };
    },
    {
      description: `the DNS records for ${status.hostname} to be published`,
      subject: 'dns',
      hostname: status.hostname,
      provider: status.provider,
      minDelay: settings.minDelay ?? 5_000,
      maxDelay: settings.maxDelay ?? 60_000,
      maxWaitTime: settings.maxWaitTime ?? 3_600_000,
      ...runOptions,
    },
  );
}

function mergeChecks(...groups: CheckResult[][]): CheckResult[] {
  const byId = new Map<string, CheckResult>();
  for (const group of groups) for (const check of group) byId.set(check.id, check);
  return [...byId.values()];
}

const supportChecks = ['branding-assigned', 'dns-points-to-cdn', 'dns-not-sendgrid', 'tls-valid', 'reaches-sendgrid'];

function supportRequestText(status: SetupStatus, sendgrid: LinkBrandingSource | undefined): string {
  const account = accountName(sendgrid, status.branding) ?? 'my account';
  const lines = [
    `Subject: Please enable SSL click and open tracking for ${account}`,
    '',
    `Hello SendGrid support, please switch on SSL click tracking for ${account}. The branded link host is behind a CDN (${status.provider}) that terminates TLS and forwards to ${status.origin} with the original Host header:`,
    '',
    `- ${status.hostname}`,
    '',
    'The three checks you make before enabling it:',
    ...supportChecks
      .flatMap((id) => status.checks.filter((check) => check.id === id))
      .map((check) => `- ${check.id}: ${check.ok === true ? 'passed' : check.ok === false ? 'FAILED' : 'not checked'} — ${check.detail}`),
    '',
    'Please do not re-validate the link branding: its CNAME now points at the CDN.',
  ];
  return lines.join('\n');
}

/**
 * Everything is in place but nothing proved that SendGrid knows the Host (no tracked link was
 * given): SendGrid support would be asked to switch on a host that may answer 404 to every click,
 * so the host is not called ready, and the next step says how to get the proof.
 */
function withoutProof(status: ProxyStatus, account: string | undefined): ProxyStatus {
  const standard = readyNextSteps(status);
  return {
    ...status,
    state: 'provisioning',
    ready: false,
    nextSteps: [
      ...status.nextSteps.filter((step) => !standard.includes(step)),
      `Prove that SendGrid knows the Host ${status.hostname}: send a test message through SendGrid from ${account ?? 'the account that sends with this branding'} with click tracking on, copy a tracked link from it (http://${status.hostname}/ls/click?upn=… or …/wf/click?upn=…; the http:// form is fine), and run setup again with the option sampleLink set to that link.`,
    ],
  };
}

/** The checks that passed through the adapter (which may know a private resolver) yet failed from outside. */
function failedOnlyFromOutside(adapterChecks: CheckResult[], outsideChecks: CheckResult[]): string[] {
  return outsideChecks.filter((check) => check.ok === false && adapterChecks.some((own) => own.id === check.id && own.ok === true)).map((check) => check.id);
}

/**
 * What to do about a status that is not ready, so that one never comes back with no next step:
 * the checks that passed through the adapter but failed from outside (the sign of verification
 * settings given to the adapter and not to setup), each failed check, and a fallback per state.
 */
function notReadySteps(status: SetupStatus, outsideOnly: string[], verificationGiven: boolean): string[] {
  const steps: string[] = [];
  if (outsideOnly.length > 0 && !verificationGiven) {
    steps.push(
      `${outsideOnly.join(', ')} passed through the ${status.provider} adapter but failed when checked from outside with the internet's DNS and trust store. If the adapter was given "verification" settings (a sandbox world, a private resolver), pass the same "verification" option here too.`,
    );
  }
  if (status.nextSteps.length > 0) return steps;
  for (const check of status.checks) if (check.ok === false) steps.push(`Fix ${check.id}: ${check.detail}`);
  if (steps.length > 0) steps.push(`Then run status to check ${status.hostname} again, or setup to finish what is missing.`);
  else if (status.state === 'absent') steps.push(`Nothing is set up for ${status.hostname} on ${status.provider}: run setup to create it.`);
  else if (status.state === 'provisioning') steps.push(`The ${status.provider} setup of ${status.hostname} is not finished: run setup again to continue (it is idempotent).`);
  else steps.push(`Run status for ${status.hostname} to see which part (edge, certificate, DNS) is not in place, then run setup again.`);
  return steps;
}

async function finish(
  adapter: ProxyAdapter,
  status: ProxyStatus,
  extra: { branding?: LinkBranding; brandingChecks: CheckResult[] },
  options: SetupOptions,
): Promise<SetupStatus> {
  let verification: VerifyResult | undefined;
  if (status.edge.state !== 'absent') {
    // What "the CDN" looks like in DNS: its edge name, or (a proxied Cloudflare record has no
    // CNAME) the addresses the adapter saw answer for it once it established they are the CDN's.
    const expectedTargets = [...(status.edge.target ? [status.edge.target] : []), ...(status.dns.pointsToCdn ? (status.dns.observed ?? []) : [])];
    verification = await verifyHostname(status.hostname, {
      ...options.verification,
      ...(expectedTargets.length > 0 ? { expectedTargets } : {}),
      ...(options.sampleLink ? { sampleLink: options.sampleLink } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  const checks = mergeChecks(extra.brandingChecks, status.checks, verification?.checks ?? []);
  const outsideOnly = failedOnlyFromOutside(status.checks, verification?.checks ?? []);
  let rebuilt = buildStatus({ ...status, checks, warnings: [...status.warnings, ...(verification?.warnings ?? [])] });
  const unproven = verification?.checks.find((check) => check.id === 'reaches-sendgrid' && check.ok === null);
  if (rebuilt.ready && unproven) rebuilt = withoutProof(rebuilt, accountName(options.sendgrid, extra.branding));
  const result: SetupStatus = { ...rebuilt, ...(extra.branding ? { branding: extra.branding } : {}), ...(verification ? { verification } : {}) };
  if (result.ready) {
    result.supportRequest = supportRequestText(result, options.sendgrid);
    const standard = readyNextSteps(result);
    result.nextSteps = [
      ...result.nextSteps.filter((step) => !standard.includes(step)),
      ...readyNextSteps(result, accountName(options.sendgrid, extra.branding)),
      'The request to send to SendGrid support, with the results of the three checks it makes, is in supportRequest.',
    ];
  } else if (result.dns.required.length > 0 && !result.dns.managed) {
    result.nextSteps = [
      ...result.nextSteps,
      ...result.dns.required.map((record) => `Publish ${record.name} ${record.type} ${record.value}${record.purpose ? ` (${record.purpose})` : ''}, then run setup again.`),
    ];
  }
  if (!result.ready) result.nextSteps = [...notReadySteps(result, outsideOnly, options.verification !== undefined), ...result.nextSteps];
  return redactValue(result);
}

/**
 * The whole job for one branded link host: check the SendGrid branding (validating it while that
 * is still safe), build the CDN proxy with `adapter.apply`, wait for hand-published DNS when asked,
 * verify from the outside as SendGrid support does, and return the status with next steps and a
 * ready-to-send support request. Every step is idempotent: run it again after any failure.
 */
export async function setup(adapter: ProxyAdapter, request: ProxyRequest, options: SetupOptions = {}): Promise<SetupStatus> {
  const hostname = normalizeHostname(request.hostname);
  const runOptions = runOptionsOf(options);
  let branding: LinkBranding | undefined;
  let brandingChecks: CheckResult[] = [];
  if (options.sendgrid) {
    ({ branding, checks: brandingChecks } = await checkBranding(hostname, options, runOptions));
    if (branding.route === 'auto-ssl') {
      const status = buildStatus({
        provider: adapter.provider,
        hostname,
        origin: branding.origin,
        edge: { state: 'absent' },
        certificate: { state: 'absent' },
        dns: { managed: adapter.capabilities.managesDns, required: [] },
        resources: [],
        checks: brandingChecks,
        nextSteps: [`${hostname} uses SendGrid Auto SSL (click.sendgrid.net): SendGrid serves HTTPS for it already. No CDN is needed, and none was set up.`],
      });
      return redactValue({ ...status, branding });
    }
  }
  const proxyRequest: ProxyRequest = { ...request, hostname, origin: request.origin ?? branding?.origin ?? 'sendgrid.net' };
  throwIfAborted(options.signal, 'setup');
  let status = await callAdapter(adapter, 'apply', () => adapter.apply(proxyRequest, runOptions));
  if (!status.ready && options.waitForDns && !status.dns.managed && status.dns.required.length > 0) {
    await waitForRecords(status, options, runOptions);
    status = await callAdapter(adapter, 'apply', () => adapter.apply(proxyRequest, runOptions));
  }
  return finish(adapter, status, { ...(branding ? { branding } : {}), brandingChecks }, options);
}

/** The adapter's read-only status, verified from the outside with the same wording as `setup`. */
export async function getStatus(adapter: ProxyAdapter, request: ProxyRequest, options: SetupOptions = {}): Promise<SetupStatus> {
  const hostname = normalizeHostname(request.hostname);
  const runOptions = runOptionsOf(options);
  let branding: LinkBranding | undefined;
  const brandingChecks: CheckResult[] = [];
  if (options.sendgrid) {
    branding = await options.sendgrid.findByHostname(hostname, runOptions);
    brandingChecks.push(
      branding
        ? { id: 'branding-assigned', ok: true, detail: `The link branding ${branding.id} for ${hostname} belongs to user ${branding.username}.` }
        : { id: 'branding-assigned', ok: false, detail: `SendGrid has no link branding for ${hostname} in this account.` },
    );
    if (branding) brandingChecks.push({ id: 'branding-valid', ok: branding.valid, detail: `SendGrid reports the branding as ${branding.valid ? 'valid' : 'not valid'}.` });
  }
  const current = await callAdapter(adapter, 'status', () => adapter.status({ ...request, hostname }, runOptions));
  return finish(adapter, current, { ...(branding ? { branding } : {}), brandingChecks }, options);
}

/**
 * Undoes `setup`: the adapter points DNS back at SendGrid where it manages it, then removes only
 * what sslclick created. Idempotent. The link branding itself is never touched.
 */
export async function destroy(adapter: ProxyAdapter, request: ProxyRequest, options: SetupOptions = {}): Promise<SetupStatus> {
  const hostname = normalizeHostname(request.hostname);
  const runOptions = runOptionsOf(options);
  const result = await callAdapter(adapter, 'destroy', () => adapter.destroy({ ...request, hostname }, runOptions));
  const nextSteps = [...result.nextSteps];
  if (!result.dns.managed) nextSteps.push(`Point ${hostname} back at ${result.origin} (CNAME) if you had moved it to the CDN by hand.`);
  nextSteps.push(`If SSL click tracking is on for this account, ask SendGrid support to switch it off: https:// links on ${hostname} no longer have a certificate behind them.`);
  return redactValue({ ...result, nextSteps });
}
