import Table from 'cli-table3';
import type { SetupStatus } from '@sslclick/core';

const marks = { true: 'pass', false: 'FAIL', null: '—' } as const;

/** The final status of `setup`, `getStatus` or `destroy` as a readable table of checks, then the state, next steps and warnings. */
export function formatStatus(status: SetupStatus): string {
  const summary = new Table({ style: { head: [], border: [] } });
  summary.push(
    { Provider: status.provider },
    { Hostname: status.hostname },
    { State: status.state },
    { Edge: `${status.edge.state}${status.edge.target ? ` → ${status.edge.target}` : ''}` },
    { Certificate: `${status.certificate.state}${status.certificate.notAfter ? ` until ${status.certificate.notAfter}` : ''}` },
    { DNS: `${status.dns.managed ? 'managed by sslclick' : 'published by you'}${status.dns.pointsToCdn === undefined ? '' : status.dns.pointsToCdn ? ', points at the CDN' : ', not at the CDN yet'}` },
  );
  const checks = new Table({ head: ['check', 'result', 'detail'], colWidths: [20, 8, 90], wordWrap: true, style: { head: [], border: [] } });
  for (const check of status.checks) checks.push([check.id, marks[String(check.ok) as keyof typeof marks], check.detail]);
  const sections = [summary.toString(), checks.toString()];
  if (status.nextSteps.length > 0) sections.push(`Next steps:\n${status.nextSteps.map((step, index) => `  ${index + 1}. ${step}`).join('\n')}`);
  if (status.warnings.length > 0) sections.push(`Warnings:\n${status.warnings.map((warning) => `  - ${warning}`).join('\n')}`);
  return sections.join('\n\n');
}
