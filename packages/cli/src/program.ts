import { Command, CommanderError, Option } from 'commander';
import { invalidInput } from '@sslclick/core/adapter';
import { runSetupAll, type SetupAllCommandOptions } from './account-command.js';
import { runDestroy, runReadiness, runSetup, runStatus, runVerify, sampleLinksByHost, type CommandContext, type HostCommandOptions } from './commands.js';
import { ExitCode } from './exit-codes.js';
import { cdnNames, dnsChoices, modeNames, parseCdn, parseDns, parseMode } from './targets.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const environmentHelp = `
Credentials come from the environment, as the examples read them:
  CLOUDFLARE_API_TOKEN   Cloudflare (the CDN, or DNS with --dns cloudflare)
  FASTLY_API_TOKEN       Fastly
  AWS_ACCESS_KEY_ID …    AWS, through the AWS SDK's own chain (AWS_PROFILE works too)
  SENDGRID_API_KEY       SendGrid, optional for setup/status: checks the link branding first;
                         required by setup --all (a parent's key: it lists every branding)
  SENDGRID_SUBUSER       the sub-user whose branding it is, if any

Exit codes: 0 ready (or done), 1 not ready yet, 2 error, 130 interrupted. With setup --all: 0 every
account ready (or a dry run that fits), 1 an account not ready, 2 a plan over a quota or an error.`;

function cdnOption(): Option {
  return new Option('--cdn <cdn>', 'the CDN in front of SendGrid').choices(cdnNames).makeOptionMandatory();
}

/** What commander parsed for the options every host command shares. */
interface ParsedHostOptions {
  cdn: string;
  mode?: string;
  dns?: string;
  json?: boolean;
  sandbox?: boolean;
  verification?: string;
  sampleLink?: string | undefined;
}

/** The shared host options, as the command functions take them. */
function hostOptionsOf(options: ParsedHostOptions): HostCommandOptions {
  const cdn = parseCdn(options.cdn);
  return {
    cdn,
    ...(options.mode !== undefined ? { mode: parseMode(cdn, options.mode) } : {}),
    ...(options.dns ? { dns: parseDns(options.dns) } : {}),
    ...(options.json ? { json: true } : {}),
    ...(options.sandbox ? { sandbox: true } : {}),
    ...(options.verification ? { verificationFile: options.verification } : {}),
    ...(options.sampleLink ? { sampleLink: options.sampleLink } : {}),
  };
}

const sampleLinkHelp = 'a tracked link from a sent message, to prove SendGrid knows the host (without it the host is not called ready)';

const modeHelp = `how the CDN holds the host, per --cdn (${cdnNames.map((cdn) => `${cdn}: ${modeNames(cdn).join(', ')}`).join('; ')}); default: the first`;

function commonHostOptions(command: Command): Command {
  return command
    .addOption(cdnOption())
    .option('--mode <name>', modeHelp)
    .option('--json', 'write only the status as JSON to stdout (progress stays on stderr)')
    .option('--sandbox', 'run against a fresh local sandbox world on loopback instead of your accounts')
    .option('--verification <file>', 'JSON file with the verifier\'s resolver, ca and ports (a private resolver, a sandbox world)');
}

/** What commander parsed for the options only `setup` has. */
interface SetupOnlyOptions {
  sampleLink?: string[];
  adopt?: boolean;
  dryRun?: boolean;
  waitForDns?: boolean;
  all?: boolean;
  subusers?: boolean;
  concurrency?: string;
  report?: string;
  sandboxAccount?: string;
}

/** `setup --all`'s options, refusing what only goes with one host. */
function setupAllOptionsOf(hostname: string | undefined, options: Omit<ParsedHostOptions, 'sampleLink'> & SetupOnlyOptions): SetupAllCommandOptions {
  if (hostname !== undefined) throw invalidInput(`setup --all works on every branded host of the account: drop "${hostname}", or drop --all to set up that one host.`, { operation: 'cli' });
  if (options.adopt) throw invalidInput('--adopt goes with one host, not --all: adopt what sslclick did not create host by host, knowingly.', { operation: 'cli' });
  if (options.waitForDns) throw invalidInput('--wait-for-dns goes with one host, not --all: run setup --all again once the records are published.', { operation: 'cli' });
  const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)) {
    throw invalidInput(`--concurrency must be a whole number from 1 to 256, not "${options.concurrency}".`, { operation: 'cli' });
  }
  const cdn = parseCdn(options.cdn);
  const sampleLinks = sampleLinksByHost(undefined, options.sampleLink ?? []);
  return {
    cdn,
    ...(options.mode !== undefined ? { mode: parseMode(cdn, options.mode) } : {}),
    ...(options.dns ? { dns: parseDns(options.dns) } : {}),
    ...(options.json ? { json: true } : {}),
    ...(options.sandbox ? { sandbox: true } : {}),
    ...(options.sandboxAccount !== undefined ? { sandboxAccountFile: options.sandboxAccount } : {}),
    ...(options.verification ? { verificationFile: options.verification } : {}),
    ...(Object.keys(sampleLinks).length > 0 ? { sampleLinks } : {}),
    ...(options.subusers ? { subusers: true } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(options.report !== undefined ? { reportFile: options.report } : {}),
  };
}

/**
 * The `sslclick` program. Commander parses (a well-kept parser with per-command `--help`,
 * choices and mandatory options, so none of that is hand-written here); the work is the library's.
 */
export function createProgram(context: CommandContext, setExitCode: (code: number) => void): Command {
  const program = new Command('sslclick')
    .description('HTTPS click and open tracking for SendGrid branded links, through Cloudflare, Fastly or CloudFront.')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', environmentHelp)
    .configureOutput({ writeOut: (text) => context.stdout.write(text), writeErr: (text) => context.stderr.write(text) })
    .exitOverride();

  commonHostOptions(
    program
      .command('setup')
      .description(
        'Put the CDN in front of the branded link host, prove it works, then move DNS; idempotent, so run it again to resume. With --all: every branded host of the SendGrid account (and its sub-users), planned first, within the vendors\' write budgets.',
      )
      .argument('[hostname]', 'the branded link host, e.g. url1234.example.com (or --all)'),
  )
    .addOption(new Option('--dns <where>', 'where the CNAME is written: cloudflare, route53 (CloudFront), or manual (you publish the records)').choices(dnsChoices))
    .option('--sample-link <url>', `${sampleLinkHelp}; with --all, one per host (repeatable)`, collect)
    .option('--adopt', 'take over CDN resources and DNS records for this host that sslclick did not create')
    .option('--dry-run', 'show the plan (what would be created or changed; with --all the writes per vendor, quotas and time) and change nothing')
    .option('--wait-for-dns', 'with --dns manual: wait until the records are published, then finish')
    .option('--all', 'every link branding of the SendGrid account (SENDGRID_API_KEY, a parent\'s key) instead of one host')
    .option('--subusers', 'with --all: every sub-user\'s brandings too (each sub-user is its own SSL click tracking request)')
    .option('--concurrency <hosts>', 'with --all: hosts worked on at once (1 to 256; default 8)')
    .option('--report <file>', 'with --all: also write the result as one self-contained HTML page')
    .option('--sandbox-account <file>', 'with --all: a sandbox account already running (the JSON of its cdn, adapter, dns, sendgrid and sampleLinks, as startSandboxAccount returns them), so runs can repeat on one world')
    .addHelpText('after', environmentHelp)
    .action(async (hostname: string | undefined, options: Omit<ParsedHostOptions, 'sampleLink'> & SetupOnlyOptions) => {
      if (options.all) {
        setExitCode(await runSetupAll(setupAllOptionsOf(hostname, options), context));
        return;
      }
      for (const flag of ['subusers', 'concurrency', 'report', 'sandboxAccount'] as const) {
        if (options[flag] !== undefined) throw invalidInput(`--${flag === 'sandboxAccount' ? 'sandbox-account' : flag} goes with --all.`, { operation: 'cli' });
      }
      if (hostname === undefined) throw invalidInput('setup needs the branded link host (sslclick setup url1234.example.com --cdn …), or --all for every host of the SendGrid account.', { operation: 'cli' });
      const [sampleLink] = Object.values(sampleLinksByHost([hostname], options.sampleLink ?? []));
      setExitCode(
        await runSetup(
          hostname,
          {
            ...hostOptionsOf({ ...options, sampleLink }),
            ...(options.adopt ? { adopt: true } : {}),
            ...(options.dryRun ? { dryRun: true } : {}),
            ...(options.waitForDns ? { waitForDns: true } : {}),
          },
          context,
        ),
      );
    });

  // status takes --sample-link too: without it a classic host is never proven ready (issue 12).
  for (const [name, description, run, takesSampleLink] of [
    ['status', 'Read the host\'s state on the CDN and check it from the outside; changes nothing.', runStatus, true],
    ['destroy', 'Point DNS back at SendGrid where sslclick manages it, then remove only what sslclick created.', runDestroy, false],
  ] as const) {
    const command = commonHostOptions(program.command(name).description(description).argument('<hostname>', 'the branded link host'))
      .addOption(new Option('--dns <where>', 'where the CNAME is managed, as given to setup').choices(dnsChoices));
    if (takesSampleLink) command.option('--sample-link <url>', sampleLinkHelp);
    command.addHelpText('after', environmentHelp).action(async (hostname: string, options: ParsedHostOptions) => {
      setExitCode(await run(hostname, hostOptionsOf(options), context));
    });
  }

  program
    .command('verify')
    .description('Check hosts from the outside as SendGrid support does: DNS points at a CDN, TLS is valid, clicks reach SendGrid. Needs no credentials.')
    .argument('<hostname...>', 'one or more branded link hosts')
    .option('--expect-target <name>', 'a CNAME target or address that means "the CDN" (repeatable; default: well-known CDN domains)', collect)
    .option('--sample-link <url>', 'a tracked link from a sent message on one of the hosts, to prove SendGrid knows it (repeatable, one per host)', collect)
    .option('--verification <file>', 'JSON file with the verifier\'s resolver, ca and ports')
    .option('--json', 'write only the results as JSON to stdout')
    .action(async (hostnames: string[], options: { expectTarget?: string[]; sampleLink?: string[]; verification?: string; json?: boolean }) => {
      setExitCode(
        await runVerify(
          hostnames,
          {
            ...(options.expectTarget ? { expectTarget: options.expectTarget } : {}),
            ...(options.sampleLink ? { sampleLink: options.sampleLink } : {}),
            ...(options.verification ? { verificationFile: options.verification } : {}),
            ...(options.json ? { json: true } : {}),
          },
          context,
        ),
      );
    });

  program
    .command('readiness')
    .description('Check every link branding of the SendGrid account and of each of its sub-users before asking for SSL click tracking, which SendGrid switches on per account, for all of its brandings at once.')
    .option('--subuser <username>', 'check only this sub-user besides the account (repeatable); default: every sub-user the key can list', collect)
    .option('--sandbox', 'check a fresh local sandbox world\'s SendGrid account instead of yours')
    .option('--verification <file>', 'JSON file with the verifier\'s resolver, ca and ports')
    .option('--json', 'write only the results as JSON to stdout')
    .addHelpText('after', '\nNeeds SENDGRID_API_KEY: a parent account\'s key with link branding read access (whitelabel.read), and subusers.read to list the sub-users.')
    .action(async (options: { subuser?: string[]; sandbox?: boolean; verification?: string; json?: boolean }) => {
      setExitCode(
        await runReadiness(
          {
            ...(options.subuser ? { subuser: options.subuser } : {}),
            ...(options.sandbox ? { sandbox: true } : {}),
            ...(options.verification ? { verificationFile: options.verification } : {}),
            ...(options.json ? { json: true } : {}),
          },
          context,
        ),
      );
    });

  return program;
}

/**
 * Commander's own exits: asked-for help (`--help`) and version are success; a usage error, and
 * help shown because no command was given, are errors (2), never "not ready".
 */
export function exitCodeOfCommanderError(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ready;
  // `sslclick help setup` is asked for (exit code 0); a bare `sslclick` shows help as an error (1).
  if (error.code === 'commander.help' && error.exitCode === 0) return ExitCode.ready;
  return ExitCode.error;
}
