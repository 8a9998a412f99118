import { ORIGIN_ADDRESS } from './addresses.js';
import { createCertificateAuthority } from './certificate-authority.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { SandboxClock } from './clock.js';
import { startDnsServer } from './dns-server.js';
import type { SandboxDnsServer } from './dns-server.js';
import { DnsZone } from './dns-zone.js';
import { createEdge } from './edge.js';
import type { Edge } from './edge.js';
import { closeNetServer } from './listen.js';
import { createSendGridOrigin } from './sendgrid-origin.js';
import type { SendGridOrigin } from './sendgrid-origin.js';
import { listenOnSharedPorts } from './shared-ports.js';
import type { SharedPorts } from './shared-ports.js';

/** The running local world: DNS, a certificate authority, a CDN edge and a fake SendGrid origin. */
export interface Sandbox {
  /** The controllable clock every log and slow process in the sandbox uses. */
  readonly clock: SandboxClock;
  /** The DNS server (UDP and TCP on `dns.address`) and its zone. */
  readonly dns: SandboxDnsServer;
  /** The sandbox root authority; trust `ca.certificate` to trust the edge and origin certificates. */
  readonly ca: CertificateAuthority;
  /** HTTPS and HTTP port numbers, the same on the edge (127.0.0.1) and the origin (127.0.0.2). */
  readonly ports: SharedPorts;
  /** The CDN edge on 127.0.0.1. */
  readonly edge: Edge;
  /** The fake SendGrid origin on 127.0.0.2. */
  readonly origin: SendGridOrigin;
  /**
   * What the verifier needs to check hosts in this sandbox: its DNS server, its root certificate
   * and its ports. Pass it as an adapter's `verification` setting or spread it into
   * `verifyHostname` options.
   */
  readonly verification: { readonly resolver: string; readonly ca: string; readonly ports: SharedPorts };
  /** Closes every server and connection. Idempotent. */
  close(): Promise<void>;
}

/** Options for {@link startSandbox}. */
export interface SandboxOptions {
  /** Clock to use; default a new {@link SandboxClock} at real time. */
  readonly clock?: SandboxClock;
  /** How long the edge waits for the origin; default 5000 ms. */
  readonly originTimeoutMilliseconds?: number;
}

/** Names that resolve to the SendGrid origin when the sandbox starts. */
export const SENDGRID_ORIGIN_NAMES: readonly string[] = ['sendgrid.net', 'eu.sendgrid.net', 'click.sendgrid.net'];

/**
 * Starts the sandbox data plane on loopback, every port chosen by the OS: DNS on 127.0.0.1, the
 * edge on 127.0.0.1 and the origin on 127.0.0.2 (sharing HTTPS and HTTP port numbers), with a
 * fresh root certificate authority. The zone starts with {@link SENDGRID_ORIGIN_NAMES} A 127.0.0.2.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = options.clock ?? new SandboxClock();
  const now = (): number => clock.now();
  const zone = new DnsZone();
  for (const name of SENDGRID_ORIGIN_NAMES) zone.setRecord({ name, type: 'A', value: ORIGIN_ADDRESS });

  const authority = await createCertificateAuthority();
  const originInstance = await createSendGridOrigin({ authority, now });
  let ports: SharedPorts = { https: 0, http: 0 };
  const edgeInstance = createEdge({
    zone,
    authority,
    now,
    originPorts: () => ports,
    ...(options.originTimeoutMilliseconds === undefined ? {} : { originTimeoutMilliseconds: options.originTimeoutMilliseconds }),
  });

  const dns = await startDnsServer({ zone, now });
  try {
    ports = await listenOnSharedPorts(edgeInstance, originInstance);
  } catch (error) {
    await dns.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    clock,
    dns,
    ca: authority,
    ports,
    edge: edgeInstance.edge,
    origin: originInstance.origin,
    verification: { resolver: dns.address, ca: authority.certificate, ports },
    close(): Promise<void> {
      closing ??= (async () => {
        edgeInstance.abortForwarding();
        await Promise.all([
          dns.close(),
          closeNetServer(edgeInstance.httpsServer),
          closeNetServer(edgeInstance.httpServer),
          closeNetServer(originInstance.httpsServer),
          closeNetServer(originInstance.httpServer),
        ]);
      })();
      return closing;
    },
  };
}
