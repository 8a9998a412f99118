import type { EdgeRoute } from '../edge.js';
import type { Sandbox } from '../sandbox.js';
import { activeVersion } from './fastly-state.js';
import { servedDomains } from './shared-subscriptions.js';
import type { FastlyService, FastlyState } from './fastly-state.js';

// What this fake put on the edge, per sandbox (several fakes may share one edge), so that it only
// changes and removes its own routes and certificates.
const installedBySandbox = new WeakMap<Sandbox, Map<string, { route: string; certificate: boolean }>>();

/** Whether a VCL snippet makes `vcl_recv` pass every request (so nothing is cached). */
function passesEveryRequest(service: FastlyService): boolean {
  return activeVersion(service)?.snippets.some((snippet) => snippet.type === 'recv' && /return\s*\(\s*pass\s*\)/.test(snippet.content)) ?? false;
}

function routeFor(hostname: string, service: FastlyService): EdgeRoute {
  const version = activeVersion(service);
  // A Compute program forwards to the backend it names; sslclick's names `sendgrid`.
  const backend = service.type === 'wasm' ? version?.backends.find((candidate) => candidate.name === 'sendgrid') : version?.backends[0];
  if (!backend) {
    return { hostname, provider: 'fastly', originHost: 'backend.invalid', originProtocol: 'https', hostHeader: 'viewer', failure: '503' };
  }
  return {
    hostname,
    provider: 'fastly',
    originHost: backend.address,
    originProtocol: backend.use_ssl ? 'https' : 'http',
    hostHeader: backend.override_host ? backend.override_host : 'viewer',
    verifyOriginCertificate: false,
    cache: service.type === 'vcl' && !passesEveryRequest(service),
    // Compute services listen on 443 only and redirect plain HTTP to HTTPS.
    http: service.type !== 'wasm',
  };
}

/**
 * Makes the sandbox edge match the fake Fastly state: a hostname on an active version whose TLS
 * subscription is issued (or renewing) gets a certificate and a route to its backend; anything
 * else this fake installed before is removed.
 */
export async function syncFastlyDataPlane(sandbox: Sandbox, state: FastlyState): Promise<void> {
  let installed = installedBySandbox.get(sandbox);
  if (!installed) {
    installed = new Map();
    installedBySandbox.set(sandbox, installed);
  }
  // The service serving each domain on its active version, per customer (the first one, in the
  // account's order), indexed once: searching every service for every subscribed domain made
  // each sync cost the square of a fleet's hosts.
  const serving = new Map<string, FastlyService>();
  for (const candidate of state.services) {
    if (candidate.deleted_at !== undefined) continue;
    for (const domain of activeVersion(candidate)?.domains ?? []) {
      const key = `${candidate.customer_id} ${domain.name}`;
      if (!serving.has(key)) serving.set(key, candidate);
    }
  }
  const wanted = new Map<string, EdgeRoute | undefined>();
  for (const subscription of state.subscriptions) {
    for (const hostname of servedDomains(subscription)) {
      const service = serving.get(`${subscription.customer_id} ${hostname}`);
      wanted.set(hostname, service ? routeFor(hostname, service) : undefined);
    }
  }
  for (const [hostname, route] of wanted) {
    const previous = installed.get(hostname);
    const entry = { route: route ? JSON.stringify(route) : '', certificate: true };
    if (!previous?.certificate || !sandbox.edge.getCertificate(hostname)) await sandbox.edge.setCertificate(hostname);
    // Setting a route empties that host's cache, so it is only set when it changes.
    if (route && previous?.route !== entry.route) sandbox.edge.setRoute(route);
    if (!route && previous?.route) sandbox.edge.removeRoute(hostname);
    installed.set(hostname, entry);
  }
  for (const [hostname, previous] of installed) {
    if (wanted.has(hostname)) continue;
    if (previous.route) sandbox.edge.removeRoute(hostname);
    if (previous.certificate) sandbox.edge.removeCertificate(hostname);
    installed.delete(hostname);
  }
}
