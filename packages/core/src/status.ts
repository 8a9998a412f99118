import { redactValue } from './redact.js';
import type { CheckResult, ProviderName, ProxyState, ProxyStatus } from './types.js';

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

/**
 * Derives the normalised state the same way for every adapter: `absent` when nothing is there,
 * `failed` when the edge or certificate failed, `ready` only when the edge is deployed, the
 * certificate issued, DNS points at the CDN and no check failed, `degraded` when all that is in
 * place but a check fails, and `provisioning` otherwise.
 */
export function deriveState(parts: Pick<ProxyStatus, 'edge' | 'certificate' | 'dns' | 'resources'> & { checks: CheckResult[] }): ProxyState {
  const { edge, certificate, dns, resources, checks } = parts;
  if (edge.state === 'absent' && certificate.state === 'absent' && !resources.some((resource) => resource.owned)) return 'absent';
  if (edge.state === 'failed' || certificate.state === 'failed') return 'failed';
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

/**
 * Assembles a `ProxyStatus`, with credentials removed from every raw vendor value. A ready status
 * ends its next steps with `readyNextSteps`.
 */
export function buildStatus(parts: StatusParts): ProxyStatus {
  const checks = parts.checks ?? [];
  const state = deriveState({ ...parts, checks });
  const standard = readyNextSteps(parts);
  const nextSteps = (parts.nextSteps ?? []).filter((step) => !standard.includes(step));
  if (state === 'ready') nextSteps.push(...standard);
  return redactValue({
    specificationVersion: 'v1',
    provider: parts.provider,
    hostname: parts.hostname,
    origin: parts.origin,
    state,
    ready: state === 'ready',
    edge: parts.edge,
    certificate: parts.certificate,
    dns: parts.dns,
    resources: parts.resources,
    checks,
    nextSteps,
    warnings: parts.warnings ?? [],
    observedAt: new Date().toISOString(),
  });
}
