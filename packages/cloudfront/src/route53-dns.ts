import type { Change, ResourceRecordSet, Route53Client, Route53ClientConfig } from '@aws-sdk/client-route-53';
import {
  SslClickError,
  type DnsProvider,
  type DnsProviderRecord,
  type RunOptions,
  type UpsertCnameOptions,
} from '@sslclick/core';
import { registerAwsCredentials } from './aws-credentials.js';
import {
  invalidInput,
  parentDomains,
  withRedactedErrors,
  type CommonProxySettings,
} from '@sslclick/core/adapter';
import { callAws, defaultAwsTimeoutMs, type AwsCallContext } from './aws-call.js';
import { isAwsError } from './aws-errors.js';
import { route53Sdk } from './aws-sdk.js';

/** Settings of `createRoute53Dns`. */
export interface Route53DnsSettings {
  /**
   * The hosted zone holding the records. Without it, the zone is found by name: the longest
   * public hosted zone that is a parent of the record name.
   */
  hostedZoneId?: string;
  /** The Route 53 endpoint, for tests and the sandbox. @default AWS's */
  endpoint?: string;
  /** A ready-made client (its own retries should be off: `maxAttempts: 1`). Wins over `endpoint` and `credentials`. */
  client?: Route53Client;
  /** Credentials. @default the AWS default credential chain (environment, profile, SSO, instance role…) */
  credentials?: Route53ClientConfig['credentials'];
  /** Bounds of the retries of each call. */
  retry?: CommonProxySettings['retry'];
  /**
   * How long one Route 53 request may go unanswered before it is abandoned and retried, in ms.
   * @default 30000
   */
  timeoutMs?: number;
}

/** A Route 53 public hosted zone. */
export interface Route53Zone {
  /** The id without the `/hostedzone/` prefix. */
  id: string;
  /** The zone name, lower-case, without the trailing dot. */
  name: string;
}

/** `DnsProvider` for Route 53, plus the zone lookup the CloudFront adapter uses to decide whether it manages DNS. */
export interface Route53DnsProvider extends DnsProvider {
  readonly name: 'route53';
  /** The hosted zone that holds `name`, or `undefined` when no zone in this account does. */
  findZone(name: string, options?: RunOptions): Promise<Route53Zone | undefined>;
}

const provider = 'route53';
const recordTtl = 300;

function clean(name: string): string {
  return name.replace(/\\052/g, '*').toLowerCase().replace(/\.$/, '');
}

function isWithin(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

function recordsOf(set: ResourceRecordSet): DnsProviderRecord[] {
  const name = clean(set.Name ?? '');
  const type = set.Type ?? '';
  if (set.AliasTarget?.DNSName) return [{ name, type, value: clean(set.AliasTarget.DNSName), id: `${name}|${type}` }];
  return (set.ResourceRecords ?? []).map((record) => ({
    name,
    type,
    value: type === 'CNAME' ? clean(record.Value ?? '') : type === 'TXT' ? (record.Value ?? '').replace(/^"(.*)"$/, '$1') : (record.Value ?? ''),
    id: `${name}|${type}`,
  }));
}

/**
 * Route 53 as a `DnsProvider`: reads records, makes a name a CNAME only when it is absent or holds
 * an expected value (anything else is a `CONFLICT`, never overwritten without `adopt`), and deletes
 * only a CNAME that still holds our value. Writes are single `UPSERT`/`DELETE` change batches, so
 * a re-run that finds the record in place writes nothing. Every call goes through core's retry.
 *
 * @example
 * const dns = createRoute53Dns({ hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
 * const fastly = createFastlyProxy({ apiToken, dns });
 */
export function createRoute53Dns(settings: Route53DnsSettings = {}): Route53DnsProvider {
  if (settings.hostedZoneId !== undefined && !/^(\/hostedzone\/)?[A-Z0-9]{1,32}$/.test(settings.hostedZoneId)) {
    throw invalidInput(`hostedZoneId "${settings.hostedZoneId}" is not a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ".`, { provider, operation: 'createRoute53Dns' });
  }
  if (settings.timeoutMs !== undefined && (typeof settings.timeoutMs !== 'number' || !Number.isFinite(settings.timeoutMs) || settings.timeoutMs < 1 || settings.timeoutMs > 600_000)) {
    throw invalidInput(`timeoutMs must be a number of milliseconds between 1 and 600000, not ${JSON.stringify(settings.timeoutMs)}.`, { provider, operation: 'createRoute53Dns' });
  }
  if (settings.endpoint !== undefined && !URL.canParse(settings.endpoint)) {
    throw invalidInput(`endpoint "${settings.endpoint}" is not a URL.`, { provider, operation: 'createRoute53Dns' });
  }
  // Without a client of the caller's, our client signs with these (or the default chain's) keys.
  const credentials = settings.client ? settings.credentials : registerAwsCredentials(settings.credentials);
  const client =
    settings.client ??
    new route53Sdk.Route53Client({
      region: 'us-east-1',
      maxAttempts: 1,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    });
  return createRoute53DnsOnClient(client, { hostedZoneId: settings.hostedZoneId?.replace(/^\/hostedzone\//, ''), retry: settings.retry, timeoutMs: settings.timeoutMs ?? defaultAwsTimeoutMs });
}

/** The implementation behind `createRoute53Dns`, on a given client (the CloudFront adapter shares its own). */
export function createRoute53DnsOnClient(
  client: Route53Client,
  options: { hostedZoneId?: string | undefined; retry?: CommonProxySettings['retry']; timeoutMs?: number },
): Route53DnsProvider {
  const zonesFound = new Map<string, Route53Zone>();
  let givenZone: Route53Zone | undefined;

  const context = (run: RunOptions | undefined, hostname?: string): AwsCallContext => ({
    provider,
    retry: options.retry,
    timeoutMs: options.timeoutMs ?? defaultAwsTimeoutMs,
    ...(run?.signal ? { signal: run.signal } : {}),
    ...(run?.onProgress ? { onProgress: run.onProgress } : {}),
    ...(run?.budget ? { budget: run.budget } : {}),
    ...(hostname ? { hostname } : {}),
  });

  async function findZone(nameInput: string, run?: RunOptions): Promise<Route53Zone | undefined> {
    const name = clean(nameInput);
    if (options.hostedZoneId !== undefined) {
      if (!givenZone) {
        const zoneId = options.hostedZoneId;
        const answer = await callAws(context(run), 'route53:GetHostedZone', (abortSignal) =>
          client.send(new route53Sdk.GetHostedZoneCommand({ Id: zoneId }), { abortSignal }),
        );
        givenZone = { id: zoneId, name: clean(answer.HostedZone?.Name ?? '') };
      }
      if (!isWithin(name, givenZone.name)) {
        throw invalidInput(`${name} is not in the hosted zone ${givenZone.id} (${givenZone.name}).`, { provider, operation: 'route53:GetHostedZone' });
      }
      return givenZone;
    }
    const candidates = parentDomains(name);
    const cached = candidates.map((candidate) => zonesFound.get(candidate)).find((zone) => zone !== undefined);
    if (cached) return cached;
    for (const candidate of candidates) {
      const answer = await callAws(context(run), 'route53:ListHostedZonesByName', (abortSignal) =>
        client.send(new route53Sdk.ListHostedZonesByNameCommand({ DNSName: candidate, MaxItems: 1 }), { abortSignal }),
      );
      const zone = answer.HostedZones?.[0];
      if (zone && clean(zone.Name ?? '') === candidate && zone.Config?.PrivateZone !== true) {
        const found = { id: (zone.Id ?? '').replace(/^\/hostedzone\//, ''), name: candidate };
        zonesFound.set(candidate, found);
        return found;
      }
    }
    return undefined;
  }

  async function requireZone(name: string, run?: RunOptions): Promise<Route53Zone> {
    const zone = await findZone(name, run);
    if (!zone) {
      throw new SslClickError({
        code: 'NOT_FOUND',
        message: `No public Route 53 hosted zone in this account holds ${name}; create one, or pass hostedZoneId.`,
        provider,
        operation: 'route53:ListHostedZonesByName',
      });
    }
    return zone;
  }

  async function readSets(zone: Route53Zone, name: string, run?: RunOptions): Promise<ResourceRecordSet[]> {
    // Record sets are sorted by name, so starting at the name returns its sets first.
    const answer = await callAws(context(run, name), 'route53:ListResourceRecordSets', (abortSignal) =>
      client.send(new route53Sdk.ListResourceRecordSetsCommand({ HostedZoneId: zone.id, StartRecordName: name, MaxItems: 20 }), { abortSignal }),
    );
    return (answer.ResourceRecordSets ?? []).filter((set) => clean(set.Name ?? '') === name);
  }

  async function change(zone: Route53Zone, name: string, changes: Change[], comment: string | undefined, run?: RunOptions): Promise<void> {
    await callAws(context(run, name), 'route53:ChangeResourceRecordSets', (abortSignal) =>
      client.send(
        new route53Sdk.ChangeResourceRecordSetsCommand({ HostedZoneId: zone.id, ChangeBatch: { Changes: changes, ...(comment ? { Comment: comment.slice(0, 256) } : {}) } }),
        { abortSignal },
      ),
    );
  }

  return withRedactedErrors({
    name: provider,
    findZone,

    async getRecords(nameInput, type, run) {
      const name = clean(nameInput);
      const zone = await requireZone(name, run);
      const records = (await readSets(zone, name, run)).flatMap(recordsOf);
      return type === undefined ? records : records.filter((record) => record.type === type);
    },

    async upsertCname(nameInput: string, valueInput: string, run: UpsertCnameOptions = {}) {
      const name = clean(nameInput);
      const value = clean(valueInput);
      const zone = await requireZone(name, run);
      const sets = await readSets(zone, name, run);
      const cname = sets.find((set) => set.Type === 'CNAME');
      const current = cname ? recordsOf(cname)[0]?.value : undefined;
      const record: DnsProviderRecord = { name, type: 'CNAME', value, id: `${name}|CNAME` };
      if (current === value) return { changed: false, record };
      const replaceable = (run.replaceable ?? []).map(clean);
      const others = sets.filter((set) => set.Type !== 'CNAME');
      const blocking = cname ? (current !== undefined && replaceable.includes(current) ? [] : [cname]) : others;
      if (blocking.length > 0 && !run.adopt) {
        const found = blocking.flatMap(recordsOf).map((existing) => `${existing.type} ${existing.value}`).join(', ');
        throw new SslClickError({
          code: 'CONFLICT',
          message: `${name} already holds ${found} in Route 53 zone ${zone.name}, which sslclick did not write; it was left alone. Remove it, or pass adopt: true to replace it with a CNAME to ${value}.`,
          provider,
          operation: 'route53:ChangeResourceRecordSets',
        });
      }
      const changes: Change[] = [
        // With adopt, records of other types at the name must go: a CNAME excludes them.
        ...(cname ? [] : others.map((set): Change => ({ Action: 'DELETE', ResourceRecordSet: set }))),
        { Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: 'CNAME', TTL: cname?.TTL ?? recordTtl, ResourceRecords: [{ Value: value }] } },
      ];
      await change(zone, name, changes, run.comment, run);
      run.onProgress?.({ type: 'dns-record-written', provider, hostname: name, message: `Route 53: ${name} is now a CNAME to ${value}.`, detail: { zone: zone.name, previous: current ?? null } });
      return { changed: true, record };
    },

    // TXT values share one record set per name (Route 53 keeps a name's TXT strings together):
    // sslclick's value is added to the set or taken out of it, the others stay as they are.
    async upsertTxt(nameInput, value, run = {}) {
      const name = clean(nameInput);
      const zone = await requireZone(name, run);
      const set = (await readSets(zone, name, run)).find((candidate) => candidate.Type === 'TXT');
      const values = set ? recordsOf(set).map((record) => record.value) : [];
      if (values.includes(value)) return { changed: false };
      const records = [...values, value].map((text) => ({ Value: `"${text}"` }));
      await change(zone, name, [{ Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: 'TXT', TTL: set?.TTL ?? recordTtl, ResourceRecords: records } }], run.comment, run);
      run.onProgress?.({ type: 'dns-record-written', provider, hostname: name, message: `Route 53: ${name} now holds the TXT value sslclick needs.`, detail: { zone: zone.name } });
      return { changed: true };
    },

    async deleteTxt(nameInput, value, run) {
      const name = clean(nameInput);
      const zone = await findZone(name, run);
      if (!zone) return { changed: false };
      const set = (await readSets(zone, name, run)).find((candidate) => candidate.Type === 'TXT');
      const values = set ? recordsOf(set).map((record) => record.value) : [];
      if (!set || !values.includes(value)) return { changed: false };
      const kept = values.filter((text) => text !== value);
      try {
        await change(
          zone,
          name,
          [kept.length === 0 ? { Action: 'DELETE', ResourceRecordSet: set } : { Action: 'UPSERT', ResourceRecordSet: { ...set, ResourceRecords: kept.map((text) => ({ Value: `"${text}"` })) } }],
          undefined,
          run,
        );
      } catch (error) {
        // Changed between the read and the write: not ours to delete any more.
        if (isAwsError(error, 'InvalidChangeBatch')) return { changed: false };
        throw error;
      }
      return { changed: true };
    },

    async deleteCname(nameInput, valueInput, run) {
      const name = clean(nameInput);
      const value = clean(valueInput);
      const zone = await findZone(name, run);
      if (!zone) return { changed: false };
      const cname = (await readSets(zone, name, run)).find((set) => set.Type === 'CNAME');
      if (!cname || recordsOf(cname)[0]?.value !== value) return { changed: false };
      try {
        await change(zone, name, [{ Action: 'DELETE', ResourceRecordSet: cname }], undefined, run);
      } catch (error) {
        // Someone deleted or changed it between the read and the write: it is not ours to delete any more.
        if (isAwsError(error, 'InvalidChangeBatch')) return { changed: false };
        throw error;
      }
      run?.onProgress?.({ type: 'dns-record-deleted', provider, hostname: name, message: `Route 53: deleted the CNAME ${name} → ${value}.` });
      return { changed: true };
    },
  });
}
