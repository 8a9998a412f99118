import { redactValue } from './redact.js';
import type { CheckResult, ProviderName, ProxyState, ProxyStatus } from './types.js';

/** The parts an adapter reads; `buildStatus` derives `state` and `ready` from them. */
export type StatusParts = Omit<ProxyStatus, 'specificationVersion' | 'state' | 'ready' | 'observedAt' | 'warnings' | 'nextSteps' | 'checks'> & {
  provider: ProviderName;
  checks?: CheckResult[];
  nextSteps?: string[];
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

/** Assembles a `ProxyStatus`, with credentials removed from every raw vendor value. */
export function buildStatus(parts: StatusParts): ProxyStatus {
  const checks = parts.checks ?? [];
  const state = deriveState({ ...parts, checks });
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
    nextSteps: parts.nextSteps ?? [],
    warnings: parts.warnings ?? [],
    observedAt: new Date().toISOString(),
  });
}
