import { Resolver } from 'node:dns/promises';
import { lookupName, type DnsRecord, type VerificationSettings } from '@sslclick/core';

/** What the public DNS (the verifier's resolver) shows for a branded host. */
export interface PublicView {
  /** The CNAME chain and addresses of the host. */
  observed: string[];
  /** Whether the chain goes through `target`. */
  pointsToTarget: boolean;
  /** Whether the chain goes through `origin` (SendGrid), i.e. DNS points back at SendGrid. */
  pointsToOrigin: boolean;
}

function serversOf(verification: VerificationSettings): string[] {
  const resolver = verification.resolver;
  return resolver === undefined ? [] : Array.isArray(resolver) ? resolver : [resolver];
}

/** The host's public CNAME chain and whether it reaches the CNAME target or SendGrid. A failed lookup is "neither". */
export async function publicViewOf(hostname: string, target: string, origin: string, verification: VerificationSettings): Promise<PublicView> {
  try {
    const lookup = await lookupName(hostname, { servers: serversOf(verification), timeoutMs: verification.timeoutMs ?? 10_000 });
    const observed = [...lookup.cnameChain, ...lookup.addresses];
    const names = lookup.cnameChain.map((name) => name.toLowerCase().replace(/\.$/, ''));
    return { observed, pointsToTarget: names.includes(target), pointsToOrigin: names.includes(origin) && !names.includes(target) };
  } catch {
    return { observed: [], pointsToTarget: false, pointsToOrigin: false };
  }
}

/** Whether the public DNS shows every one of the TXT records (a failed lookup is "not yet"). */
export async function txtRecordsVisible(records: DnsRecord[], verification: VerificationSettings): Promise<boolean> {
  const resolver = new Resolver({ timeout: verification.timeoutMs ?? 10_000, tries: 1 });
  const servers = serversOf(verification);
  if (servers.length > 0) resolver.setServers(servers);
  for (const record of records) {
    try {
      const answers = (await resolver.resolveTxt(record.name)).map((chunks) => chunks.join(''));
      if (!answers.includes(record.value)) return false;
    } catch {
      return false;
    }
  }
  return true;
}
