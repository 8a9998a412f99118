import { redactValue } from './redact.js';
import type { CheckResult, DnsRecord, ProviderName, ProxyState, ProxyStatus } from './types.js';

/** The parts an adapter reads; `buildStatus` derives `state` and `ready` from them. */
export type StatusParts = Omit<ProxyStatus, 'specificationVersion' | 'state' | 'ready' | 'observedAt' | 'warnings' | 'nextSteps' | 'checks'> & {
  /** The CDN reporting the status. */
  provider: ProviderName;
  /** The checks made so far. @default [] */
  checks?: CheckResult[];
  /** The adapter's own next steps; the standard ones for a ready host are added. @default [] */
  nextSteps?: string[];
  /** Things worth knowing that do not stop the proxy from working. @default [] */
  warnings?: string[];
};

/** The checks that prove the CDN serves the hostname: while DNS points at the CDN, their failure is every click's. */
const servingCheckIds: ReadonlySet<string> = new Set(['tls-valid', 'reaches-sendgrid']);

/**
 * Whether DNS points at a CDN that fails the checks: the hostname resolves to the CDN and TLS or
 * the request to SendGrid through it failed, so clicks fail now (a cutover whose edge broke, and
 * whose run died before it could put DNS back).
 */
export function pointsAtFailingCdn(parts: Pick<ProxyStatus, 'dns'> & { checks: CheckResult[] }): boolean {
  return parts.dns.pointsToCdn === true && parts.checks.some((check) => servingCheckIds.has(check.id) && check.ok === false);
}

/**
 * Derives the normalised state the same way for every adapter: `absent` when nothing is there,
 * `failed` when the edge or certificate failed or DNS points at a CDN that fails the checks,
 * `ready` only when the edge is deployed, the certificate issued, DNS points at the CDN and no
 * check failed, `degraded` when all that is in place but another check fails, and `provisioning`
 * otherwise.
 */
export function deriveState(parts: Pick<ProxyStatus, 'edge' | 'certificate' | 'dns' | 'resources'> & { checks: CheckResult[] }): ProxyState {
  const { edge, certificate, dns, resources, checks } = parts;
  if (edge.state === 'absent' && certificate.state === 'absent' && !resources.some((resource) => resource.owned)) return 'absent';
  if (edge.state === 'failed' || certificate.state === 'failed') return 'failed';
  if (pointsAtFailingCdn({ dns, checks })) return 'failed';
  const inPlace = edge.state === 'deployed' && certificate.state === 'issued' && dns.pointsToCdn === true;
  if (!inPlace) return 'provisioning';
  return checks.some((check) => check.ok === false) ? 'degraded' : 'ready';
}

/**
 * What to do once a host is ready, the same whatever the CDN: ask SendGrid support (naming the
 * account or sub-user when known), and never re-validate the branding.
 */
export function readyNextSteps(status: { provider: string; hostname: string }, account?: string): string[] {
  return [
    `Ask SendGrid support to enable SSL click tracking for ${account ?? 'the account that sends with this branding'} (each sub-user is enabled separately): ${status.hostname} now serves HTTPS through ${status.provider}.`,
    `Never re-validate the link branding of ${status.hostname} in SendGrid from now on: its DNS no longer points straight at SendGrid, so validation would fail and break the branding.`,
  ];
}

// What repairSteps and brokenCutoverStep write, recognised so that a rebuilt status can drop its stale steps.
const repairStepPatterns = [/^DNS points at a CDN that fails the checks: /, /^Fix [a-z0-9-]+: /, /^The (CDN configuration|certificate) for \S+ failed at \S+: see warnings/, /^Then run setup for \S+ again \(it is idempotent\) and check with status\.$/];

function isRepairStep(step: string): boolean {
  return repairStepPatterns.some((pattern) => pattern.test(step));
}

/**
 * What to do about a degraded or failed status whose adapter named no step, so that one never
 * comes back with `nextSteps: []`: each failed check, or the part that failed, then run again.
 */
function repairSteps(parts: Pick<ProxyStatus, 'provider' | 'hostname' | 'edge' | 'certificate' | 'checks'>): string[] {
  const steps = parts.checks.filter((check) => check.ok === false).map((check) => `Fix ${check.id}: ${check.detail}`);
  for (const [part, state] of [['CDN configuration', parts.edge.state], ['certificate', parts.certificate.state]] as const) {
    if (state === 'failed') steps.push(`The ${part} for ${parts.hostname} failed at ${parts.provider}: see warnings and the raw vendor state, fix or remove it, then run setup again.`);
  }
  steps.push(`Then run setup for ${parts.hostname} again (it is idempotent) and check with status.`);
  return steps;
}

/**
 * Assembles a `ProxyStatus`, with credentials removed from every raw vendor value. A ready status
 * ends its next steps with `readyNextSteps`; a degraded or failed one always has at least one.
 */
export function buildStatus(parts: StatusParts): ProxyStatus {
  const checks = parts.checks ?? [];
  const state = deriveState({ ...parts, checks });
  const standard = readyNextSteps(parts);
  const { restore: restoreHint, ...dnsParts } = parts.dns;
  const restore: DnsRecord | undefined = pointsAtFailingCdn({ dns: parts.dns, checks })
    ? { name: parts.hostname, type: 'CNAME', value: parts.origin, purpose: 'the SendGrid link branding CNAME, as before the cutover', ...restoreHint }
    : undefined;
  const urgent = restore ? [brokenCutoverStep(parts, restore, checks)] : [];
  // Steps this function added to an earlier status of the same host are dropped, so a status
  // rebuilt with new checks (setup's outside view) never keeps a stale one.
  const nextSteps = [...urgent, ...(parts.nextSteps ?? []).filter((step) => !standard.includes(step) && !urgent.includes(step) && !isRepairStep(step))];
  if (state === 'ready') nextSteps.push(...standard);
  else if ((state === 'degraded' || state === 'failed') && nextSteps.length === 0) nextSteps.push(...repairSteps({ ...parts, checks }));
  return redactValue({
    specificationVersion: 'v1',
    provider: parts.provider,
    hostname: parts.hostname,
    origin: parts.origin,
    state,
    ready: state === 'ready',
    edge: parts.edge,
    certificate: parts.certificate,
    dns: restore ? { ...dnsParts, restore } : dnsParts,
    resources: parts.resources,
    checks,
    nextSteps,
    warnings: parts.warnings ?? [],
    observedAt: new Date().toISOString(),
  });
}

/** A DNS record as one line: `url1234.example.com CNAME sendgrid.net`. */
export function describeDnsRecord(record: DnsRecord): string {
  return `${record.name} ${record.type} ${record.value}`;
}

/**
 * The first next step when DNS points at a CDN that fails the checks: say so, and name the record
 * that makes links work again. Stable for a given status, so rebuilding a status (as `setup` does)
 * does not repeat it.
 */
function brokenCutoverStep(parts: StatusParts, restore: DnsRecord, checks: CheckResult[]): string {
  const failing = checks.filter((check) => servingCheckIds.has(check.id) && check.ok === false).map((check) => check.detail).join(' ');
  const how = restore.purpose ? ` (${restore.purpose})` : '';
  return (
    `DNS points at a CDN that fails the checks: ${parts.hostname} resolves to ${parts.provider}, which does not serve it (${failing}), so clicks fail now. ` +
    `Restore the record ${describeDnsRecord(restore)}${how} by hand at once${parts.dns.managed ? ', or run apply, which puts it back before anything else' : ''}; then fix the CDN and run apply again.`
  );
}
