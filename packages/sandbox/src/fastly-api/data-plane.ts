import type { EdgeRoute } from '../edge.js';
import type { Sandbox } from '../sandbox.js';
import { activeVersion } from './fastly-state.js';
import { servedDomains } from './shared-subscriptions.js';
import type { FastlyBackend, FastlyService, FastlySnippet, FastlyState, FastlyVersion } from './fastly-state.js';

// What this fake put on the edge, per sandbox (several fakes may share one edge), so that it only
// changes and removes its own routes and certificates.
const installedBySandbox = new WeakMap<Sandbox, Map<string, { route: string; certificate: boolean }>>();

/** Whether a VCL snippet makes `vcl_recv` pass every request (so nothing is cached). */
function passesEveryRequest(service: FastlyService): boolean {
  return activeVersion(service)?.snippets.some((snippet) => snippet.type === 'recv' && /return\s*\(\s*pass\s*\)/.test(snippet.content)) ?? false;
}

/** A service's route without its hostname (the same for every domain of the service), and its key. */
interface ServiceRoute {
  route: Omit<EdgeRoute, 'hostname'>;
  key: string;
}

/**
 * Each active version's route, kept while what it was made from is the same (the backend and the
 * snippet list; an active version is locked, so the API cannot change them, but a test may).
 */
const routeStore = new WeakMap<FastlyVersion, { type: string; backend: FastlyBackend | undefined; snippets: FastlySnippet[]; snippetCount: number; route: ServiceRoute }>();

function serviceRoute(service: FastlyService): ServiceRoute {
  const version = activeVersion(service);
  // A Compute program forwards to the backend it names; sslclick's names `sendgrid`.
  const backend = service.type === 'wasm' ? version?.backends.find((candidate) => candidate.name === 'sendgrid') : version?.backends[0];
  if (!version) return routeFrom(service, backend);
  const kept = routeStore.get(version);
  if (kept && kept.type === service.type && kept.backend === backend && kept.snippets === version.snippets && kept.snippetCount === version.snippets.length) return kept.route;
  const route = routeFrom(service, backend);
  routeStore.set(version, { type: service.type, backend, snippets: version.snippets, snippetCount: version.snippets.length, route });
  return route;
}

function routeFrom(service: FastlyService, backend: FastlyBackend | undefined): ServiceRoute {
  const route: Omit<EdgeRoute, 'hostname'> = !backend
    ? { provider: 'fastly', originHost: 'backend.invalid', originProtocol: 'https', hostHeader: 'viewer', failure: '503' }
    : {
        provider: 'fastly',
        originHost: backend.address,
        originProtocol: backend.use_ssl ? 'https' : 'http',
        hostHeader: backend.override_host ? backend.override_host : 'viewer',
        verifyOriginCertificate: false,
        cache: service.type === 'vcl' && !passesEveryRequest(service),
        // Compute services listen on 443 only and redirect plain HTTP to HTTPS.
        http: service.type !== 'wasm',
      };
  return { route, key: JSON.stringify(route) };
}

/**
 * Makes the sandbox edge match the fake Fastly state: a hostname on an active version whose TLS
 * subscription is issued (or renewing) gets a certificate and a route to its backend; anything
 * else this fake installed before is removed.
 *
 * It runs after every write (and whenever time moves a subscription on), so its cost per run is
 * kept to a few map look-ups per served domain: a shared service holds a whole fleet's domains,
 * and work per domain per run that was more than that (a search of the subscription's list per
 * domain, a route serialised per domain) made a 1,000-host fleet's setup grow with the square of
 * its hosts.
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
  const serving = new Map<string, Map<string, FastlyService>>();
  for (const candidate of state.services) {
    if (candidate.deleted_at !== undefined) continue;
    let domains = serving.get(candidate.customer_id);
    if (!domains) {
      domains = new Map();
      serving.set(candidate.customer_id, domains);
    }
    for (const domain of activeVersion(candidate)?.domains ?? []) {
      if (!domains.has(domain.name)) domains.set(domain.name, candidate);
    }
  }
  // One route per service, for all of its domains.
  const routes = new Map<FastlyService, ServiceRoute>();
  const routeOf = (service: FastlyService): ServiceRoute => {
    let route = routes.get(service);
    if (!route) {
      route = serviceRoute(service);
      routes.set(service, route);
    }
    return route;
  };
  const wanted = new Map<string, ServiceRoute | undefined>();
  for (const subscription of state.subscriptions) {
    const domains = serving.get(subscription.customer_id);
    for (const hostname of servedDomains(subscription)) {
      const service = domains?.get(hostname);
      wanted.set(hostname, service ? routeOf(service) : undefined);
    }
  }
  for (const [hostname, route] of wanted) {
    const previous = installed.get(hostname);
    const key = route ? route.key : '';
    if (!previous?.certificate || !sandbox.edge.getCertificate(hostname)) await sandbox.edge.setCertificate(hostname);
    // Setting a route empties that host's cache, so it is only set when it changes.
    if (route && previous?.route !== key) sandbox.edge.setRoute({ ...route.route, hostname });
    if (!route && previous?.route) sandbox.edge.removeRoute(hostname);
    if (previous?.route !== key || previous.certificate !== true) installed.set(hostname, { route: key, certificate: true });
  }
  for (const [hostname, previous] of installed) {
    if (wanted.has(hostname)) continue;
    if (previous.route) sandbox.edge.removeRoute(hostname);
    if (previous.certificate) sandbox.edge.removeCertificate(hostname);
    installed.delete(hostname);
  }
}
