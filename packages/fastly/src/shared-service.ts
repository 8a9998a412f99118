/**
 * The one Fastly service of the shared mode: found by its name, made when absent, and changed
 * in batches, one version per batch (clone the active version, add and remove the batch's
 * domains, activate). Another writer activating a version meanwhile, or locking the draft
 * (Fastly's 422 "Version locked"), makes the batch start again from the new active version, so
 * nobody's domains are lost by activating a stale copy.
 */
import { SslClickError, type ProgressEvent, type RunOptions } from '@sslclick/core';
import { withRetry } from '@sslclick/core/adapter';
import type { EdgePackage } from './edge-package.js';
import type { FastlyClient } from './fastly-client.js';
import type { FastlyDomain, FastlyService, FastlyServiceDetail, FastlyVersion } from './fastly-types.js';
import type { BatchOutcome } from './domain-batch.js';
import { backendName, diffVersion, passSnippetContent, passSnippetName, serviceCommentMarker, type FastlyMode, type VersionChange, type VersionContents } from './service-configuration.js';
import { isDeleted, readVersionContents, searchLiveService, type FoundService } from './service-lookup.js';
import { conflictFromRefusedDomain, fastlyAnswerOf, lockedMeanwhile } from './version-edit-refusals.js';

/** The default name of the shared service. */
export const defaultSharedServiceName = 'sslclick shared';

/** The comment of the shared service sslclick creates; it starts with the ownership marker. */
export function sharedServiceComment(): string {
  return `${serviceCommentMarker}: one service for many SendGrid branded link hosts (HTTPS click tracking). Domains are added and removed by sslclick; other changes made by hand are reverted by the next apply.`;
}

/** What the batch needs to reach Fastly and describe what it does. */
export interface SharedServiceContext {
  client: FastlyClient;
  mode: FastlyMode;
  serviceName: string;
  origin: string;
  loadPackage: () => Promise<EdgePackage>;
  packageUploadTimeoutMs: number;
  retry: { minDelay?: number; maxDelay?: number } | undefined;
  /** Progress to every call whose change is in the batch. */
  emit: (event: Omit<ProgressEvent, 'provider'>) => void;
}

/** One host to add, with its request's adopt flag. */
export interface DomainAddition {
  hostname: string;
  adopt: boolean;
}

/** What a batch left behind. */
export interface DomainBatchResult {
  outcome: BatchOutcome;
  service: FoundService | undefined;
  /** The domains on the active version after the batch. */
  activeDomains: string[];
}

const servicePath = (serviceId: string): string => `/service/${encodeURIComponent(serviceId)}`;

/** The live shared service, with its details, or `undefined`. */
export async function findSharedService(client: FastlyClient, name: string, run: RunOptions | undefined): Promise<FoundService | undefined> {
  const service = await searchLiveService(client, name, run);
  if (!service) return undefined;
  const details = await client.get<FastlyServiceDetail>(`${servicePath(service.id)}/details`, { operation: 'service.details', absentStatuses: [400, 404], run });
  if (!details || isDeleted(details)) return undefined;
  const versions = [...details.versions].sort((left, right) => left.number - right.number);
  return { service: details, owned: details.comment.startsWith(serviceCommentMarker), active: versions.find((version) => version.active), latest: versions[versions.length - 1] };
}

/** The domains on the service's active version. */
export function activeDomainsOf(found: FoundService | undefined): string[] {
  return (found?.service.active_version?.domains ?? []).map((domain) => domain.name.toLowerCase());
}

/** Marks an attempt that lost a race with another writer: the whole batch runs again. */
class VersionRace extends Error {
  override readonly name = 'VersionRace';
}

/**
 * Adds and removes domains in one new version of the shared service (made when absent and
 * something is to be added). A domain Fastly refuses fails only its own host; the rest go on.
 * When the last domain goes, a service sslclick made is deactivated and deleted.
 */
export async function applyDomainBatch(context: SharedServiceContext, additions: readonly DomainAddition[], removals: readonly string[], run: RunOptions | undefined): Promise<DomainBatchResult> {
  return withRetry(() => attemptBatch(context, additions, removals, run), {
    operation: 'service.domains',
    provider: 'fastly',
    maxAttempts: 4,
    minDelay: context.retry?.minDelay ?? 250,
    maxDelay: context.retry?.maxDelay ?? 5_000,
    classify: (error) => ({ retryable: error instanceof VersionRace }),
    ...(run?.signal ? { signal: run.signal } : {}),
  }).catch((error: unknown) => {
    if (error instanceof VersionRace) {
      throw new SslClickError({
        code: 'CONFLICT',
        provider: 'fastly',
        operation: 'service.domains',
        cause: error,
        message: `Someone else kept activating or locking versions of the Fastly service "${context.serviceName}" while sslclick changed its domains; nothing of theirs was overwritten. Run again when they are done.`,
      });
    }
    throw error;
  });
}

async function attemptBatch(context: SharedServiceContext, additions: readonly DomainAddition[], removals: readonly string[], run: RunOptions | undefined): Promise<DomainBatchResult> {
  const { client } = context;
  const outcome: BatchOutcome = new Map();
  let found = await findSharedService(client, context.serviceName, run);
  const wantedType = context.mode === 'compute' ? 'wasm' : 'vcl';
  if (found && found.service.type !== wantedType) {
    const error = new SslClickError({
      code: 'CONFLICT',
      provider: 'fastly',
      operation: 'apply',
      message: `The shared Fastly service "${context.serviceName}" (${found.service.id}) is a ${found.service.type === 'wasm' ? 'Compute' : 'VCL'} service but the adapter runs in ${context.mode} mode; use mode "${found.service.type === 'wasm' ? 'compute' : 'vcl'}" or another serviceName.`,
    });
    for (const addition of additions) outcome.set(addition.hostname, error);
    additions = [];
  }
  if (found && !found.owned) {
    // Someone else's service of that name is used only for the hosts that ask to adopt it.
    const refused = additions.filter((addition) => !addition.adopt);
    for (const addition of refused) {
      outcome.set(
        addition.hostname,
        new SslClickError({
          code: 'CONFLICT',
          provider: 'fastly',
          operation: 'apply',
          message: `A Fastly service named "${found.service.name}" (${found.service.id}) exists but was not created by sslclick; pass adopt: true to add hosts to it, or choose another serviceName.`,
        }),
      );
    }
    additions = additions.filter((addition) => addition.adopt);
  }
  const before = activeDomainsOf(found);
  const toAdd = additions.filter((addition) => !before.includes(addition.hostname));
  const toRemove = removals.filter((hostname) => before.includes(hostname));
  const packageHash = context.mode === 'compute' ? (await context.loadPackage()).filesHash : undefined;
  const desired = { hostname: '', origin: context.origin, mode: context.mode, ...(packageHash ? { packageHash } : {}) };
  const baseContents: VersionContents | undefined = found?.active ? await readVersionContents(client, found.service, found.active.number, run) : undefined;
  const repairs = baseContents ? diffVersion(baseContents, desired).filter((change) => change.kind !== 'domain') : [];
  if (toAdd.length === 0 && toRemove.length === 0 && repairs.length === 0 && (found?.active || additions.length === 0)) {
    return { outcome, service: found, activeDomains: before };
  }
  let createdServiceId: string | undefined;
  if (!found) {
    if (toAdd.length === 0) return { outcome, service: undefined, activeDomains: [] };
    const created = await client.write<FastlyService>('POST', '/service', {
      operation: 'service.create',
      form: { name: context.serviceName, type: wantedType, comment: sharedServiceComment() },
      recover: async () => {
        const existing = await searchLiveService(client, context.serviceName, run);
        return existing && existing.type === wantedType && existing.comment === sharedServiceComment() ? existing : undefined;
      },
      run,
    });
    if (!created) throw new SslClickError({ code: 'PROVIDER', provider: 'fastly', operation: 'service.create', message: 'Fastly returned no service.' });
    createdServiceId = created.id;
    context.emit({ type: 'service-created', message: `Created the shared Fastly ${context.mode} service "${created.name}" (${created.id}).`, detail: { serviceId: created.id } });
    found = await findSharedService(client, context.serviceName, run);
    if (!found) throw new VersionRace('The service made a moment ago is gone.');
  }
  const service = found.service;
  const base = `${servicePath(service.id)}/version`;
  const activeNumber = found.active?.number;
  const remaining = before.filter((hostname) => !toRemove.includes(hostname));
  if (remaining.length === 0 && toAdd.length === 0) {
    // The last domain goes: a version without domains cannot be activated, so the service goes
    // too when sslclick made it; someone else's is left holding its last domain.
    if (!found.owned) {
      for (const hostname of toRemove) outcome.set(hostname, undefined);
      return { outcome, service: found, activeDomains: before };
    }
    if (activeNumber !== undefined) await client.write('PUT', `${base}/${activeNumber}/deactivate`, { operation: 'version.deactivate', recover: async () => {
      const version = await client.get<FastlyVersion>(`${base}/${activeNumber}`, { operation: 'version.get', run });
      return version && !version.active ? version : undefined;
    }, run });
    await client.write('DELETE', servicePath(service.id), { operation: 'service.delete', allowNotFound: true, run });
    context.emit({ type: 'service-deleted', message: `Deactivated and deleted the shared Fastly service ${service.id}: no branded host is left on it.` });
    return { outcome, service: undefined, activeDomains: [] };
  }

  // A draft newer than the active version is someone's unfinished edit (or ours, interrupted):
  // it is left alone and a fresh clone of the active version is edited instead.
  let editable: number;
  if (activeNumber === undefined) {
    const draft = found.latest && !found.latest.active && !found.latest.locked ? found.latest : undefined;
    if (!draft) throw new SslClickError({ code: 'PROVIDER', provider: 'fastly', operation: 'apply', message: `The Fastly service ${service.id} has no editable version.` });
    editable = draft.number;
  } else {
    const newest = Math.max(0, ...service.versions.map((version) => version.number));
    const cloned = await client.write<FastlyVersion>('PUT', `${base}/${activeNumber}/clone`, {
      operation: 'version.clone',
      recover: async () => {
        const versions = await client.get<FastlyVersion[]>(base, { operation: 'version.list', run });
        return (versions ?? []).filter((version) => version.number > newest && !version.active && !version.locked).sort((left, right) => right.number - left.number)[0];
      },
      run,
    });
    if (!cloned) throw new SslClickError({ code: 'PROVIDER', provider: 'fastly', operation: 'version.clone', message: 'Fastly returned no version.' });
    editable = cloned.number;
  }
  const draftContents = activeNumber === undefined ? await readVersionContents(client, service, editable, run) : baseContents;
  const changes = draftContents ? diffVersion(draftContents, desired).filter((change) => change.kind !== 'domain') : diffVersion({ domains: [], backends: [], snippets: [] }, desired).filter((change) => change.kind !== 'domain');
  const onDraft = new Set((draftContents?.domains ?? []).map((domain) => domain.name.toLowerCase()));
  try {
    for (const change of changes) await applyChange(context, service.id, editable, change, run);
    for (const addition of toAdd) {
      if (onDraft.has(addition.hostname)) continue;
      try {
        await client.write<FastlyDomain>('POST', `${base}/${editable}/domain`, {
          operation: 'domain.create',
          form: { name: addition.hostname, comment: 'sslclick' },
          recover: async () => (await client.get<FastlyDomain[]>(`${base}/${editable}/domain`, { operation: 'domain.list', run }))?.find((domain) => domain.name.toLowerCase() === addition.hostname),
          run,
        });
        onDraft.add(addition.hostname);
      } catch (error) {
        const answer = fastlyAnswerOf(error);
        if (answer?.status === 400 && !(await lockedMeanwhile(client, service.id, editable, run))) {
          // Taken by another service, or Fastly's domain limit ("Exceeding max number of domains"):
          // this host fails, the others go on.
          outcome.set(addition.hostname, /Exceeding max number of domains/i.test(`${answer.title ?? ''} ${answer.detail ?? ''}`) ? domainLimitError(addition.hostname, answer) : await conflictFromRefusedDomain(client, answer, service.id, addition.hostname, run));
          continue;
        }
        throw error;
      }
    }
    for (const hostname of toRemove) {
      if (!onDraft.has(hostname)) continue;
      await client.write('DELETE', `${base}/${editable}/domain/${encodeURIComponent(hostname)}`, { operation: 'domain.delete', allowNotFound: true, run });
      onDraft.delete(hostname);
    }
  } catch (error) {
    const answer = fastlyAnswerOf(error);
    if ((answer?.status === 422 || answer?.status === 400) && (await lockedMeanwhile(client, service.id, editable, run))) throw new VersionRace(`Version ${editable} was locked meanwhile.`);
    throw error;
  }
  if (onDraft.size === 0) {
    // Every addition was refused on a service made just now: it holds nothing, so it goes.
    if (createdServiceId) await client.write('DELETE', servicePath(createdServiceId), { operation: 'service.delete', allowNotFound: true, run });
    return { outcome, service: createdServiceId ? undefined : found, activeDomains: before };
  }
  // Activating a copy of a version that is no longer the active one would drop whatever the
  // newer one added: check just before, and start again from the new one if so.
  const versionsNow = await client.get<FastlyVersion[]>(base, { operation: 'version.list', run });
  const activeNow = versionsNow?.find((version) => version.active)?.number;
  if (activeNow !== activeNumber) throw new VersionRace(`Version ${activeNow ?? 'none'} was activated meanwhile.`);
  try {
    await client.write('PUT', `${base}/${editable}/activate`, { operation: 'version.activate', run });
  } catch (error) {
    const answer = fastlyAnswerOf(error);
    if ((answer?.status === 422 || answer?.status === 400) && (await lockedMeanwhile(client, service.id, editable, run))) throw new VersionRace(`Version ${editable} was locked meanwhile.`);
    throw error;
  }
  const added = toAdd.filter((addition) => onDraft.has(addition.hostname)).map((addition) => addition.hostname);
  context.emit({
    type: 'version-activated',
    message: `Activated version ${editable} of the shared Fastly service ${service.id}${added.length ? `, adding ${added.join(', ')}` : ''}${toRemove.length ? `, removing ${toRemove.join(', ')}` : ''}.`,
    detail: { serviceId: service.id, version: editable, added: added.length, removed: toRemove.length },
  });
  const after = await findSharedService(client, context.serviceName, run);
  return { outcome, service: after, activeDomains: activeDomainsOf(after) };
}

function domainLimitError(hostname: string, cause: unknown): SslClickError {
  return new SslClickError({
    code: 'CONFLICT',
    provider: 'fastly',
    operation: 'domain.create',
    cause,
    message: `Fastly refused to add ${hostname}: the shared service has reached the account's limit of domains per service. Ask Fastly support to raise it (https://docs.fastly.com/en/guides/common-service-and-domain-errors), then run apply again.`,
  });
}

/** Sets the backend, the pass snippet (VCL) or the package (Compute) on the draft. */
async function applyChange(context: SharedServiceContext, serviceId: string, version: number, change: VersionChange, run: RunOptions | undefined): Promise<void> {
  const { client } = context;
  const base = `${servicePath(serviceId)}/version/${version}`;
  switch (change.kind) {
    case 'domain':
      return;
    case 'backend': {
      const fields = Object.fromEntries(Object.entries(change.fields).filter(([, value]) => change.action === 'update' || value !== null));
      if (change.action === 'create') {
        await client.write('POST', `${base}/backend`, {
          operation: 'backend.create',
          form: { name: backendName, ...fields },
          recover: async () => (await client.get<Array<{ name: string }>>(`${base}/backend`, { operation: 'backend.list', run }))?.find((backend) => backend.name === backendName),
          run,
        });
      } else await client.write('PUT', `${base}/backend/${backendName}`, { operation: 'backend.update', form: fields, run });
      return;
    }
    case 'snippet':
      if (change.action === 'create') {
        await client.write('POST', `${base}/snippet`, {
          operation: 'snippet.create',
          form: { name: passSnippetName, type: 'recv', content: passSnippetContent, dynamic: 0, priority: 100 },
          recover: async () => (await client.get<Array<{ name: string }>>(`${base}/snippet`, { operation: 'snippet.list', run }))?.find((snippet) => snippet.name === passSnippetName),
          run,
        });
      } else await client.write('PUT', `${base}/snippet/${passSnippetName}`, { operation: 'snippet.update', form: { type: 'recv', content: passSnippetContent }, run });
      return;
    case 'package': {
      const built = await context.loadPackage();
      await client.write('PUT', `${base}/package`, {
        operation: 'package.upload',
        multipart: { field: 'package', filename: 'sslclick-edge.tar.gz', bytes: built.bytes },
        timeoutMs: context.packageUploadTimeoutMs,
        run,
      });
      return;
    }
  }
}
