import type { Resolver } from 'node:dns/promises';
import { isIP } from '../ip.js';

/** What DNS says about a name: the CNAME chain followed, then the addresses at its end. */
export interface DnsLookup {
  /** CNAME targets in order, lower-case, without trailing dots. */
  cnameChain: string[];
  /** IPv4 and IPv6 addresses at the end of the chain. */
  addresses: string[];
  /** Set when resolution failed: `NXDOMAIN`, `TIMEOUT`, `SERVFAIL`, … */
  errorCode?: string;
  /** A sentence for a person when resolution failed. */
  error?: string;
}

/** Options for `lookupName`. */
export interface DnsLookupOptions {
  /** DNS servers to ask (`"127.0.0.1:5300"`); the system's when empty. */
  servers?: string[];
  /** Per-query time-out, in ms. */
  timeoutMs: number;
}

const maximumChainLength = 8;

// A resolver channel reads the system configuration when created, so one is kept per distinct
// server list and time-out and shared by every lookup (many hosts verified at once).
const resolvers = new Map<string, Resolver>();
// c-ares (1.32 and later, in Node 20.20 and 22) takes `timeout` only for a server's first queries:
// afterwards each try waits five times the server's average latency, at least 250 ms and at most
// 5 s (deps/cares/src/lib/ares_metrics.c in nodejs/node). A resolver that answers in a
// millisecond thus gets 250 ms, and with a single try one late or lost datagram (a busy machine
// verifying many hosts at once) was reported as "did not answer". Tries are repeated, as stub
// resolvers do; the caller's time-out bounds each query (`withinTimeout`).
const triesPerQuery = 4;
const maximumCachedResolvers = 16;

// node:dns/promises is loaded on the first lookup, not when @sslclick/core is imported.
let dnsModule: Promise<typeof import('node:dns/promises')> | undefined;

async function resolverFor(options: DnsLookupOptions): Promise<Resolver> {
  const { Resolver: ResolverClass } = await (dnsModule ??= import('node:dns/promises'));
  const timeout = Math.max(1, Math.round(options.timeoutMs));
  const key = `${timeout}|${(options.servers ?? []).join(',')}`;
  let resolver = resolvers.get(key);
  if (!resolver) {
    if (resolvers.size >= maximumCachedResolvers) resolvers.clear();
    resolver = new ResolverClass({ timeout, tries: triesPerQuery });
    if (options.servers && options.servers.length > 0) resolver.setServers(options.servers);
    resolvers.set(key, resolver);
  }
  return resolver;
}

/** The query's answer, or an `ETIMEOUT` error once `timeoutMs` has passed (c-ares may still be retrying). */
function withinTimeout<Answer>(query: Promise<Answer>, timeoutMs: number): Promise<Answer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('DNS query timed out'), { code: 'ETIMEOUT' })), timeoutMs);
  });
  return Promise.race([query, deadline]).finally(() => clearTimeout(timer));
}

function clean(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function describeDnsError(name: string, code: string | undefined): string {
  switch (code) {
    case 'ENOTFOUND':
      return `${name} does not exist in DNS (NXDOMAIN).`;
    case 'ETIMEOUT':
    case 'ECONNREFUSED':
      return `The DNS server did not answer for ${name}; check the resolver and try again.`;
    case 'ESERVFAIL':
      return `The DNS server failed to resolve ${name} (SERVFAIL).`;
    default:
      return `DNS lookup of ${name} failed (${code ?? 'unknown error'}).`;
  }
}

type AddressAnswer = { addresses: string[]; error?: unknown };

/** The name's addresses as a recursive resolver gives them (it follows the CNAME chain itself): A, else AAAA. */
async function addressesOf(resolver: Resolver, name: string, timeoutMs: number): Promise<AddressAnswer> {
  let lastError: unknown;
  // AAAA is asked only when there is no A record: one query fewer per host in the common case.
  for (const family of ['resolve4', 'resolve6'] as const) {
    try {
      const addresses = await withinTimeout(resolver[family](name), timeoutMs);
      if (addresses.length > 0) return { addresses };
    } catch (error) {
      lastError = error;
    }
  }
  return { addresses: [], error: lastError };
}

/**
 * Follows a name's CNAME chain (at most eight hops) and collects the addresses at its end, the
 * way a browser's resolver would see it. Never throws: failures are reported in the result.
 *
 * The addresses are asked for the name itself, at the same time as the chain is walked: the
 * resolver follows the chain for an A query, as it does for a browser, so the lookup takes the
 * chain's round trips rather than one more after them. A chain that cannot be read fails the
 * lookup as before, whatever the address query answered.
 */
export async function lookupName(name: string, options: DnsLookupOptions): Promise<DnsLookup> {
  if (isIP(name) !== 0) return { cnameChain: [], addresses: [name] };
  const resolver = await resolverFor(options);
  const timeoutMs = Math.max(1, Math.round(options.timeoutMs));
  const addressQuery = addressesOf(resolver, name, timeoutMs);
  const cnameChain: string[] = [];
  let current = name;
  try {
    for (let hop = 0; hop < maximumChainLength; hop += 1) {
      let targets: string[];
      try {
        targets = await withinTimeout(resolver.resolveCname(current), timeoutMs);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'ENODATA') break;
        throw error;
      }
      const target = targets[0];
      if (!target) break;
      current = clean(target);
      cnameChain.push(current);
    }
    const { addresses, error: lastError } = await addressQuery;
    if (addresses.length === 0) {
      const code = (lastError as { code?: string } | undefined)?.code;
      const noAddress = code === 'ENODATA' ? 'ENODATA' : code;
      return {
        cnameChain,
        addresses,
        errorCode: noAddress === 'ENOTFOUND' ? 'NXDOMAIN' : noAddress === 'ETIMEOUT' ? 'TIMEOUT' : (noAddress ?? 'NOADDRESS'),
        error: noAddress === 'ENODATA' ? `${current} has no A or AAAA record.` : describeDnsError(current, noAddress),
      };
    }
    return { cnameChain, addresses };
  } catch (error) {
    // The address query was started with the chain: wait for it, so no query outlives the lookup.
    await addressQuery;
    const code = (error as { code?: string }).code;
    return {
      cnameChain,
      addresses: [],
      errorCode: code === 'ENOTFOUND' ? 'NXDOMAIN' : code === 'ETIMEOUT' ? 'TIMEOUT' : (code ?? 'ERROR'),
      error: describeDnsError(current, code),
    };
  }
}
