import { verifyHostname, type CheckResult, type RunOptions, type VerificationSettings, type VerifierCheckId } from '@sslclick/core';

/** What the outside checks of a Fastly host found, for its status. */
export interface EdgeChecks {
  checks: CheckResult[];
  warnings: string[];
  /** The CNAME chain and addresses public DNS gave, when it answered. */
  observed: string[] | undefined;
  pointsToCdn: boolean;
}

/**
 * The status checks of a host of either Fastly mode. Once DNS points at Fastly, clicks go through
 * it whatever the API says, so TLS and the request to SendGrid are always checked then; before the
 * cutover they are checked directly at the edge (as the pre-cutover check does) once the API says
 * the certificate is issued and the service deployed.
 */
export async function checkHostAtEdge(input: { hostname: string; cnameTarget: string; pointing: boolean; apiSaysServing: boolean; verification: VerificationSettings | undefined }, run: RunOptions | undefined): Promise<EdgeChecks> {
  const { hostname, cnameTarget, pointing } = input;
  const serving = pointing || input.apiSaysServing;
  const selected: VerifierCheckId[] = serving ? ['dns-points-to-cdn', 'dns-not-sendgrid', 'tls-valid', 'reaches-sendgrid'] : ['dns-points-to-cdn', 'dns-not-sendgrid'];
  const result = await verifyHostname(hostname, {
    ...input.verification,
    expectedTargets: [cnameTarget],
    checks: selected,
    ...(pointing ? {} : { connectTo: cnameTarget }),
    ...(run?.signal ? { signal: run.signal } : {}),
  });
  return {
    checks: result.checks,
    warnings: result.warnings,
    observed: result.observed.dns ? [...result.observed.dns.cnameChain, ...result.observed.dns.addresses] : undefined,
    pointsToCdn: result.observed.dns ? result.observed.dns.cnameChain.includes(cnameTarget) : pointing,
  };
}
