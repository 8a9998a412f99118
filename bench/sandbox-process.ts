/**
 * The sandbox for the verification throughput, in a process of its own (forked by
 * verify-throughput.ts), so that its DNS server, edge and origin do not take CPU from the client
 * being measured. It prepares `count` branded hosts on the edge, sends what a client needs (the
 * resolver, the root certificate, the ports, the hosts and their tracked links) over IPC, and
 * serves until its parent tells it to stop or goes away.
 */
import { EDGE_ADDRESS, startSandbox, type Sandbox } from '@sslclick/sandbox';

/** What the sandbox process sends once it serves. */
export interface SandboxProcessReady {
  type: 'ready';
  verification: { resolver: string; ca: string; ports: { https: number; http: number } };
  edgeAddress: string;
  /** The CNAME target of every host: an A record on the edge address. */
  edgeName: string;
  hostnames: string[];
  sampleLinks: Record<string, string>;
}

const edgeName = 'edge.bench.sandbox.test';

async function prepareHosts(sandbox: Sandbox, count: number): Promise<Pick<SandboxProcessReady, 'hostnames' | 'sampleLinks'>> {
  sandbox.dns.zone.setRecord({ name: edgeName, type: 'A', value: EDGE_ADDRESS });
  const hostnames: string[] = [];
  const sampleLinks: Record<string, string> = {};
  for (let index = 0; index < count; index += 1) {
    const hostname = `url${index}.bench${Math.floor(index / 100)}.example.com`;
    sandbox.origin.addBrandedHost(hostname);
    sandbox.dns.zone.setRecord({ name: hostname, type: 'CNAME', value: edgeName });
    await sandbox.edge.setCertificate(hostname);
    sandbox.edge.setRoute({ hostname, provider: 'fastly', originHost: 'sendgrid.net', originProtocol: 'https', hostHeader: 'viewer' });
    // A tracked link per host, so each verification proves the redirect as a real one would.
    sampleLinks[hostname] = sandbox.origin.createLink(hostname, 'https://shop.example.org/bench', { protocol: 'https' }).clickUrl;
    hostnames.push(hostname);
  }
  return { hostnames, sampleLinks };
}

if (!process.send) throw new Error('bench/sandbox-process.ts runs as a forked child (see verify-throughput.ts).');
const count = Number(process.argv[2] ?? 1_000);
const sandbox = await startSandbox();
const hosts = await prepareHosts(sandbox, count);
const ready: SandboxProcessReady = {
  type: 'ready',
  verification: { resolver: sandbox.verification.resolver, ca: sandbox.verification.ca, ports: { ...sandbox.verification.ports } },
  edgeAddress: EDGE_ADDRESS,
  edgeName,
  ...hosts,
};
const stop = async (): Promise<void> => {
  await sandbox.close();
  process.exit(0);
};
process.on('message', (message: { type?: string }) => {
  if (message?.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());
process.send(ready);
