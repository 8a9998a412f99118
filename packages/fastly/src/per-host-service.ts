import { SslClickError, type LookupCache, type RunOptions } from '@sslclick/core';
import { throwIfAborted } from '@sslclick/core/adapter';
import type { FastlyBackend, FastlyDomain, FastlyService, FastlyServiceDetail, FastlySnippet, FastlyVersion } from './fastly-types.js';
import { provider, type PerHostContext, type Target } from './per-host-context.js';
import { backendName, deployedPackageOf, diffVersion, passSnippetContent, passSnippetName, serviceComment, serviceName, type DeployedPackage, type VersionChange, type VersionContents } from './service-configuration.js';
import { assertUsable, readVersionContents, searchLiveService, type FoundService } from './service-lookup.js';
import { conflictFromRefusedDomain, fastlyAnswerOf, lockedMeanwhile, lockedVersionConflict } from './version-edit-refusals.js';

/**
 * Builds `ensureService`, which makes the host's service's active version hold what sslclick
 * needs (creating the service when there is none), never editing an active or locked version.
 */
export function createServiceEnsurer(context: PerHostContext): (target: Target, run: RunOptions | undefined, reads: LookupCache | undefined) => Promise<FoundService> {
  const { client, mode, packageUploadTimeoutMs, loadPackage, emit, servicePath, lookService, lookContents, forgetService } = context;

  /**
   * Re-reads one named item of a version (`domain`, `backend`, `snippet`): what a create whose
   * answer was lost made, if it took effect; the list answers in the shape the create does.
   */
  function findOnVersion<Item extends { name: string }>(base: string, collection: 'domain' | 'backend' | 'snippet', name: string, run: RunOptions | undefined): () => Promise<Item | undefined> {
    return async () => {
      const items = await client.get<Item[]>(`${base}/${collection}`, { operation: `${collection}.list`, run });
      return items?.find((item) => item.name.toLowerCase() === name.toLowerCase());
    };
  }

  async function applyVersionChange(service: FastlyService, version: number, change: VersionChange, target: Target, run: RunOptions | undefined): Promise<void> {
    const base = `${servicePath(service.id)}/version/${version}`;
    switch (change.kind) {
      case 'domain':
        await client.write('POST', `${base}/domain`, {
          operation: 'domain.create',
          form: { name: target.hostname, comment: 'sslclick' },
          recover: findOnVersion<FastlyDomain>(base, 'domain', target.hostname, run),
          run,
        });
        return;
      case 'backend': {
        const fields = Object.fromEntries(Object.entries(change.fields).filter(([, value]) => change.action === 'update' || value !== null));
        if (change.action === 'create') {
          await client.write('POST', `${base}/backend`, {
            operation: 'backend.create',
            form: { name: backendName, ...fields },
            recover: findOnVersion<FastlyBackend>(base, 'backend', backendName, run),
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
            recover: findOnVersion<FastlySnippet>(base, 'snippet', passSnippetName, run),
            run,
          });
        } else {
          await client.write('PUT', `${base}/snippet/${passSnippetName}`, { operation: 'snippet.update', form: { type: 'recv', content: passSnippetContent }, run });
        }
        return;
      case 'package': {
        const built = await loadPackage();
        await client.write('PUT', `${base}/package`, {
          operation: 'package.upload',
          multipart: { field: 'package', filename: 'sslclick-edge.tar.gz', bytes: built.bytes },
          timeoutMs: packageUploadTimeoutMs,
          run,
        });
        return;
      }
    }
  }

  /**
   * Names the package of the version just activated in sslclick's service comment (one write,
   * only when the comment does not already say so: never for a new service's version 1), so
   * that status knows the active package without reading it. Only on sslclick's own service: an
   * adopted service's comment is its owner's. The mark saves a read; a failure to write it is not
   * the apply's failure (status then reads the package, as for a service marked before).
   */
  async function markDeployedPackage(found: FoundService, target: Target, deployed: DeployedPackage, run: RunOptions | undefined): Promise<void> {
    if (!found.owned) return;
    const marked = deployedPackageOf(found.service.comment);
    if (marked?.filesHash === deployed.filesHash && marked.version === deployed.version) return;
    try {
      await client.write('PUT', servicePath(found.service.id), { operation: 'service.update', form: { comment: serviceComment(target.hostname, deployed) }, run });
    } catch (error) {
      if (SslClickError.isInstance(error) && error.code === 'ABORTED') throw error;
    }
  }

  /** Makes the service's active version hold what sslclick needs, never editing an active or locked version. */
  async function ensureService(target: Target, run: RunOptions | undefined, reads: LookupCache | undefined): Promise<FoundService> {
    let found = await lookService(target, run, reads);
    if (found) assertUsable(found, mode, target.adopt);
    const packageHash = mode === 'compute' ? (await loadPackage()).filesHash : undefined;
    let createdServiceId: string | undefined;
    if (!found) {
      throwIfAborted(run?.signal, 'apply');
      forgetService(reads);
      const name = serviceName(target.hostname);
      const type = mode === 'compute' ? 'wasm' : 'vcl';
      // A new service comes with editable version 1 (fastly/cli pkg/commands/compute/deploy.go),
      // which this apply fills with the package and activates: the comment names it from the
      // start, so marking it costs no write (checked again after the activation below).
      const comment = serviceComment(target.hostname, packageHash ? { filesHash: packageHash, version: 1 } : undefined);
      const created = await client.write<FastlyService>('POST', '/service', {
        operation: 'service.create',
        form: { name, type, comment },
        // None existed a moment ago: one with this name, type and our comment is the lost create's.
        recover: async () => {
          const existing = await searchLiveService(client, name, run);
          return existing && existing.type === type && existing.comment === comment ? existing : undefined;
        },
        run,
      });
      if (!created) throw new SslClickError({ code: 'PROVIDER', provider, operation: 'service.create', message: 'Fastly returned no service.' });
      createdServiceId = created.id;
      emit(run, { type: 'service-created', hostname: target.hostname, message: `Created the Fastly ${mode} service "${created.name}" (${created.id}).`, detail: { serviceId: created.id } });
      const versions = [...created.versions].sort((left, right) => left.number - right.number);
      const detail: FastlyServiceDetail = { ...created, active_version: null, version: null };
      found = { service: detail, owned: true, active: undefined, latest: versions[versions.length - 1] ?? { number: 1, active: false, locked: false } };
    }
    const desired = { hostname: target.hostname, origin: target.origin, mode, ...(packageHash ? { packageHash } : {}) };
    const base = found.active ?? found.latest;
    const empty: VersionContents = { domains: [], backends: [], snippets: [] };
    const baseContents = base && !createdServiceId ? await lookContents(found.service, base, run, reads) : empty;
    let changes = diffVersion(baseContents, desired);
    if (changes.length === 0 && found.active) return found;
    // From here the service is written: what the run read of it is forgotten (whatever fails next).
    forgetService(reads);

    let editable: FastlyVersion;
    if (found.latest && !found.latest.active && !found.latest.locked) {
      // A draft left by an interrupted run (or a new service's version 1): finish it.
      editable = found.latest;
      if (editable.number !== base?.number) changes = diffVersion(await readVersionContents(client, found.service, editable.number, run), desired);
    } else {
      if (!base) throw new SslClickError({ code: 'PROVIDER', provider, operation: 'apply', message: `The Fastly service ${found.service.id} has no version.` });
      const newest = Math.max(0, ...found.service.versions.map((version) => version.number));
      const serviceId = found.service.id;
      const cloned = await client.write<FastlyVersion>('PUT', `${servicePath(serviceId)}/version/${base.number}/clone`, {
        operation: 'version.clone',
        // A clone is numbered after the newest version: an editable one past it is the lost clone.
        recover: async () => {
          const versions = await client.get<FastlyVersion[]>(`${servicePath(serviceId)}/version`, { operation: 'version.list', run });
          const drafts = (versions ?? []).filter((version) => version.number > newest && !version.active && !version.locked);
          return drafts.sort((left, right) => right.number - left.number)[0];
        },
        run,
      });
      if (!cloned) throw new SslClickError({ code: 'PROVIDER', provider, operation: 'version.clone', message: 'Fastly returned no version.' });
      editable = cloned;
      emit(run, { type: 'version-cloned', hostname: target.hostname, message: `Cloned version ${base.number} of ${found.service.id} into version ${cloned.number}: active and locked versions are never edited.` });
    }
    for (const change of changes) {
      throwIfAborted(run?.signal, 'apply');
      try {
        await applyVersionChange(found.service, editable.number, change, target, run);
      } catch (error) {
        const answer = fastlyAnswerOf(error);
        if (change.kind === 'domain' && answer?.status === 400) {
          const conflict = await conflictFromRefusedDomain(client, answer, found.service.id, target.hostname, run);
          // The service made in this run holds nothing yet: remove it rather than leave a stray.
          if (createdServiceId) await client.write('DELETE', servicePath(createdServiceId), { operation: 'service.delete', allowNotFound: true, run });
          throw conflict;
        }
        // Fastly answers 422 "Version locked" (recorded by go-fastly); whatever the status, the
        // version itself says whether it was locked under us.
        if ((answer?.status === 422 || answer?.status === 400) && (await lockedMeanwhile(client, found.service.id, editable.number, run))) {
          throw lockedVersionConflict(error, answer.status, found.service.id, editable.number, `${change.kind}.${change.action}`);
        }
        throw error;
      }
      emit(run, { type: 'version-changed', hostname: target.hostname, message: change.description, detail: { version: editable.number, kind: change.kind } });
    }
    await client.write('PUT', `${servicePath(found.service.id)}/version/${editable.number}/activate`, { operation: 'version.activate', run });
    emit(run, { type: 'version-activated', hostname: target.hostname, message: `Activated version ${editable.number} of the Fastly service ${found.service.id}.` });
    if (packageHash) await markDeployedPackage(found, target, { filesHash: packageHash, version: editable.number }, run);
    return { ...found, active: { ...editable, active: true, locked: true }, latest: { ...editable, active: true, locked: true } };
  }

  return ensureService;
}
