import {
  SslClickError,
  accountReadiness,
  destroy,
  setup,
  getStatus,
  verifyHostnames,
  type AccountReadiness,
  type LinkBrandingSource,
  type Plan,
  type SetupOptions,
  type SetupStatus,
  type VerificationSettings,
  type VerifyResult,
} from '@sslclick/core';
import { invalidInput } from '@sslclick/core/adapter';
import { createSendGridLinks, type SendGridLinksSettings } from '@sslclick/sendgrid';
import { ExitCode } from './exit-codes.js';
import { writeJson, writeOut, type OutputStream } from './output.js';
import { createProgressDisplay, type ProgressDisplay } from './progress-display.js';
import { formatStatus } from './status-table.js';
import { openTarget, readVerificationFile, type Target, type TargetOptions } from './targets.js';

/** What every command gets from the program: the abort signal and where results and progress go. */
export interface CommandContext {
  signal: AbortSignal;
  /** The result only: the status, the table, or the JSON document. */
  stdout: OutputStream;
  /** Progress and banners; stdout holds only the result. */
  stderr: OutputStream;
}

/** Options every command has. */
export interface OutputOptions {
  /** Write only JSON to stdout. */
  json?: boolean;
}

/** The options of `setup`. */
export interface SetupCommandOptions extends OutputOptions, Omit<TargetOptions, 'hostname'> {
  adopt?: boolean;
  dryRun?: boolean;
  /** Wait (up to an hour) for records left to you to be published, then finish. */
  waitForDns?: boolean;
}

/** The options of `status` and `destroy`. */
export interface HostCommandOptions extends OutputOptions, Omit<TargetOptions, 'hostname'> {}

/** The options of `verify`. */
export interface VerifyCommandOptions extends OutputOptions {
  expectTarget?: string[];
  /** Tracked links from sent messages, each proving the host in its URL (repeatable option). */
  sampleLink?: string[];
  verificationFile?: string;
}

/** The options of `readiness`. */
export interface ReadinessCommandOptions extends OutputOptions {
  subuser?: string[];
  sandbox?: boolean;
  verificationFile?: string;
}

async function withTarget(options: TargetOptions, context: CommandContext, body: (target: Target) => Promise<number>): Promise<number> {
  const target = await openTarget(options);
  try {
    context.stderr.write(`${target.banner}\n`);
    return await body(target);
  } finally {
    await target.close();
  }
}

function setupOptionsOf(target: Target, display: ProgressDisplay, context: CommandContext, extra: Partial<SetupOptions> = {}): SetupOptions {
  return {
    signal: context.signal,
    onProgress: (event) => display.onProgress(event),
    ...(target.sendgrid ? { sendgrid: target.sendgrid } : {}),
    ...(target.verification ? { verification: target.verification } : {}),
    ...(target.sampleLink ? { sampleLink: target.sampleLink } : {}),
    ...extra,
  };
}

async function report(status: SetupStatus, options: OutputOptions, stdout: OutputStream): Promise<void> {
  if (options.json) {
    await writeJson(status, stdout);
    return;
  }
  await writeOut(`\n${formatStatus(status)}\n`, stdout);
  if (status.supportRequest) await writeOut(`\nRequest to send to SendGrid support:\n\n${status.supportRequest.replace(/^/gm, '  ')}\n`, stdout);
}

function formatPlan(plan: Plan): string {
  const lines = [`What setup would change for ${plan.hostname} on ${plan.provider} (nothing was changed):`];
  if (plan.changes.length === 0) lines.push('  nothing: everything is in place.');
  for (const change of plan.changes) lines.push(`  ${change.action.padEnd(6)} ${change.resource.kind} ${change.resource.name}: ${change.description}`);
  for (const warning of plan.warnings) lines.push(`  warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

/** `sslclick setup <hostname>`: the whole job, or with `--dry-run` the plan. */
export async function runSetup(hostname: string, options: SetupCommandOptions, context: CommandContext): Promise<number> {
  return withTarget({ ...options, hostname }, context, async (target) => {
    if (options.dryRun) {
      const plan = await target.adapter.plan({ hostname, ...(options.adopt ? { adopt: true } : {}) });
      if (options.json) await writeJson(plan, context.stdout);
      else await writeOut(formatPlan(plan), context.stdout);
      return ExitCode.ready;
    }
    const display = createProgressDisplay(context.stderr);
    const waitForDns = options.waitForDns && target.dnsLeftToUser ? { waitForDns: true } : {};
    let status: SetupStatus;
    try {
      status = await setup(target.adapter, { hostname, ...(options.adopt ? { adopt: true } : {}) }, setupOptionsOf(target, display, context, waitForDns));
    } catch (error) {
      display.stop('fail', 'Setup stopped.');
      throw error;
    }
    display.stop(status.ready ? 'succeed' : 'fail', status.ready ? `${status.hostname} is ready for SSL click tracking.` : `${status.hostname} is not ready (${status.state}).`);
    await report(status, options, context.stdout);
    return status.ready ? ExitCode.ready : ExitCode.notReady;
  });
}

/** `sslclick status <hostname>`: read-only, verified from the outside. */
export async function runStatus(hostname: string, options: HostCommandOptions, context: CommandContext): Promise<number> {
  return withTarget({ ...options, hostname }, context, async (target) => {
    const display = createProgressDisplay(context.stderr);
    const status = await getStatus(target.adapter, { hostname }, setupOptionsOf(target, display, context)).finally(() => display.stop('succeed', 'Status read.'));
    await report(status, options, context.stdout);
    return status.ready ? ExitCode.ready : ExitCode.notReady;
  });
}

/** `sslclick destroy <hostname>`: DNS back to SendGrid where managed, then only what sslclick owns removed. */
export async function runDestroy(hostname: string, options: HostCommandOptions, context: CommandContext): Promise<number> {
  return withTarget({ ...options, hostname }, context, async (target) => {
    const display = createProgressDisplay(context.stderr);
    let status: SetupStatus;
    try {
      status = await destroy(target.adapter, { hostname }, { signal: context.signal, onProgress: (event) => display.onProgress(event) });
    } catch (error) {
      display.stop('fail', 'Destroy stopped.');
      throw error;
    }
    const gone = !status.resources.some((resource) => resource.owned);
    display.stop(gone ? 'succeed' : 'fail', gone ? `Nothing sslclick created for ${hostname} is left.` : `Some of what sslclick created for ${hostname} is still there.`);
    await report(status, options, context.stdout);
    return gone ? ExitCode.ready : ExitCode.notReady;
  });
}

function formatVerification(result: VerifyResult): string {
  const marks = { true: 'pass', false: 'FAIL', null: '—' } as const;
  const lines = [`${result.hostname}: ${result.ok ? 'ready' : 'NOT READY'}`];
  for (const check of result.checks) lines.push(`  ${check.id.padEnd(18)} ${marks[String(check.ok) as keyof typeof marks].padEnd(4)} ${check.detail}`);
  for (const warning of result.warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}

/**
 * Each tracked link keyed by the host in its URL, so that `verify a b --sample-link … --sample-link …`
 * proves each host with its own link; a link for none of the hosts is a usage error. Without
 * hostnames (`setup --all`, whose hosts SendGrid lists) any link on a host is taken.
 */
export function sampleLinksByHost(hostnames: string[] | undefined, links: string[]): Record<string, string> {
  const wanted = hostnames === undefined ? undefined : new Set(hostnames.map((hostname) => hostname.toLowerCase().replace(/\.$/, '')));
  const byHost: Record<string, string> = {};
  for (const link of links) {
    const host = URL.canParse(link) ? new URL(link).hostname : undefined;
    if (host === undefined || host === '' || (wanted !== undefined && !wanted.has(host))) {
      if (wanted === undefined) throw invalidInput(`--sample-link ${link.slice(0, 120)} is not a link on a branded host (https://url1234.example.com/ls/click?upn=…).`, { operation: 'cli' });
      throw invalidInput(`--sample-link ${link.slice(0, 120)} is not a link on one of the hosts to verify (${[...wanted].join(', ')}).`, { operation: 'cli' });
    }
    byHost[host] = link;
  }
  return byHost;
}

/** `sslclick verify <hostname…>`: the checks SendGrid support makes, from the outside, for each host. */
export async function runVerify(hostnames: string[], options: VerifyCommandOptions, context: CommandContext): Promise<number> {
  const verification = await readVerificationFile(options.verificationFile);
  const sampleLinks = sampleLinksByHost(hostnames, options.sampleLink ?? []);
  const results = await verifyHostnames(hostnames, {
    ...verification,
    signal: context.signal,
    ...(options.expectTarget && options.expectTarget.length > 0 ? { expectedTargets: options.expectTarget } : {}),
    ...(Object.keys(sampleLinks).length > 0 ? { sampleLinks } : {}),
  });
  const ready = results.every((result) => result.ok);
  if (options.json) await writeJson({ ready, hosts: results }, context.stdout);
  else await writeOut(`${results.map(formatVerification).join('\n\n')}\n`, context.stdout);
  return ready ? ExitCode.ready : ExitCode.notReady;
}

function formatReadiness(account: string, readiness: AccountReadiness): string {
  const lines = [`${account}: ${readiness.ready ? 'ready: SSL click tracking can be switched on' : `NOT READY: switching SSL click tracking on now would break ${readiness.wouldBreak.join(', ')}`}`];
  for (const host of readiness.hosts) {
    lines.push(`  ${host.ready ? 'ready    ' : 'NOT READY'} ${host.hostname}${host.branding.route === 'auto-ssl' ? ' (SendGrid Auto SSL)' : ''}`);
    for (const reason of host.reasons) lines.push(`            ${reason}`);
  }
  if (readiness.hosts.length === 0) lines.push('  no link brandings');
  return lines.join('\n');
}

/** The accounts `readiness` checks: the key's own, and each sub-user (named, or all listed). */
async function readinessAccounts(parent: SendGridLinks, named: string[], signal: AbortSignal, warnings: string[]): Promise<Array<{ account: string; source: LinkBrandingSource }>> {
  let subusers = named;
  if (subusers.length === 0) {
    try {
      const listed = await parent.listSubusers({ signal });
      for (const subuser of listed.filter((entry) => entry.disabled)) warnings.push(`The sub-user "${subuser.username}" is disabled and was not checked.`);
      subusers = listed.filter((entry) => !entry.disabled).map((entry) => entry.username);
    } catch (error) {
      if (!SslClickError.isInstance(error) || error.code !== 'PERMISSION') throw error;
      warnings.push(`The sub-users could not be listed (${error.message}) and were not checked: give the key the subusers.read scope, or name each with --subuser.`);
    }
  }
  return [
    { account: 'the account', source: parent },
    ...subusers.map((subuser) => ({ account: `the sub-user "${subuser}"`, source: parent.forSubuser(subuser) })),
  ];
}

/**
 * `sslclick readiness`: every link branding of the account (SENDGRID_API_KEY) and of each of its
 * sub-users (all of them, or those named with `--subuser`), since SendGrid switches SSL click
 * tracking on per account and sub-user, for all of their brandings at once.
 */
export async function runReadiness(options: ReadinessCommandOptions, context: CommandContext): Promise<number> {
  let verification = await readVerificationFile(options.verificationFile);
  let close = async (): Promise<void> => {};
  let parent: SendGridLinks;
  if (options.sandbox) {
    if (verification) throw invalidInput('--verification does not go with --sandbox: the sandbox world brings its own resolver, root certificate and ports.', { operation: 'cli' });
    const { startSandboxWorld } = await import('@sslclick/sandbox');
    const world = await startSandboxWorld({ cdn: 'cloudflare' });
    close = () => world.close();
    context.stderr.write(`Running against a local sandbox world (--sandbox): a fake SendGrid account whose branding ${world.hostname} is not behind a CDN yet.\n`);
    verification = world.verification;
    parent = withSubusers(world.sendgrid);
  } else {
    if (!process.env.SENDGRID_API_KEY) {
      throw invalidInput('readiness reads the link brandings from SendGrid: set SENDGRID_API_KEY (read access to link branding, and subusers.read to include every sub-user).', { operation: 'cli', provider: 'sendgrid' });
    }
    parent = withSubusers({});
  }
  try {
    const warnings: string[] = [];
    const sources = await readinessAccounts(parent, options.subuser ?? [], context.signal, warnings);
    const accounts: Array<{ account: string; readiness: AccountReadiness }> = [];
    for (const { account, source } of sources) {
      accounts.push({ account, readiness: await accountReadiness(source, { ...verification, signal: context.signal }) });
    }
    const ready = accounts.every(({ readiness }) => readiness.ready);
    if (options.json) {
      await writeJson({ ready, accounts: accounts.map(({ account, readiness }) => ({ account, ...readiness })), warnings }, context.stdout);
    } else {
      const text = accounts.map(({ account, readiness }) => formatReadiness(account, readiness)).join('\n\n');
      await writeOut(`${text}\n${warnings.map((warning) => `warning: ${warning}\n`).join('')}`, context.stdout);
    }
    return ready ? ExitCode.ready : ExitCode.notReady;
  } finally {
    await close();
  }
}

/** SendGrid for the key's own account, able to make the same reader for any of its sub-users. */
interface SendGridLinks extends LinkBrandingSource {
  listSubusers: ReturnType<typeof createSendGridLinks>['listSubusers'];
  forSubuser(subuser: string): LinkBrandingSource;
}

function withSubusers(settings: Omit<SendGridLinksSettings, 'subuser'>): SendGridLinks {
  const parent = createSendGridLinks(settings);
  return Object.assign(parent, { forSubuser: (subuser: string): LinkBrandingSource => createSendGridLinks({ ...settings, subuser }) });
}
