import { SslClickError, type RunOptions } from '@sslclick/core';
import type { FastlyClient } from './fastly-client.js';
import type { FastlyPackage, FastlyService, FastlyServiceDetail, FastlyVersion } from './fastly-types.js';
import { serviceCommentMarker, serviceName, type FastlyMode, type VersionContents } from './service-configuration.js';

/** sslclick's service for a hostname, as found. */
export interface FoundService {
  service: FastlyServiceDetail;
  /** Whether its comment marks it as sslclick's. */
  owned: boolean;
  active: FastlyVersion | undefined;
  latest: FastlyVersion | undefined;
}

/**
 * Finds the service named `sslclick <hostname>` and reads its details. A service of that name
 * whose comment is not sslclick's is someone else's: `CONFLICT` unless `adopt`.
 */
export async function findService(client: FastlyClient, hostname: string, run: RunOptions | undefined): Promise<FoundService | undefined> {
  const name = serviceName(hostname);
  const service = await client.get<FastlyService>('/service/search', { operation: 'service.search', query: { name }, allowNotFound: true, run });
  if (!service) return undefined;
  const details = await client.get<FastlyServiceDetail>(`/service/${encodeURIComponent(service.id)}/details`, { operation: 'service.details', run });
  if (!details) throw new SslClickError({ code: 'PROVIDER', provider: 'fastly', operation: 'service.details', message: `Fastly returned no details for service ${service.id}.` });
  const versions = [...details.versions].sort((left, right) => left.number - right.number);
  return {
    service: details,
    owned: details.comment.startsWith(serviceCommentMarker),
    active: versions.find((version) => version.active),
    latest: versions[versions.length - 1],
  };
}

/** Checks that a found service may be used in this mode; a service of the other type is a `CONFLICT`. */
export function assertUsable(found: FoundService, mode: FastlyMode, adopt: boolean): void {
  if (!found.owned && !adopt) {
    throw new SslClickError({
      code: 'CONFLICT',
      provider: 'fastly',
      operation: 'apply',
      message: `A Fastly service named "${found.service.name}" (${found.service.id}) exists but was not created by sslclick; pass adopt: true to take it over, or rename it.`,
    });
  }
  const wanted = mode === 'compute' ? 'wasm' : 'vcl';
  if (found.service.type !== wanted) {
    throw new SslClickError({
      code: 'CONFLICT',
      provider: 'fastly',
      operation: 'apply',
      message: `The Fastly service ${found.service.id} is a ${found.service.type === 'wasm' ? 'Compute' : 'VCL'} service but the adapter runs in ${mode} mode; destroy it first or use mode "${found.service.type === 'wasm' ? 'compute' : 'vcl'}".`,
    });
  }
}

/** Reads what a version holds: domains, backends, snippets and (Compute) the package hash. */
export async function readVersionContents(client: FastlyClient, service: FastlyServiceDetail, versionNumber: number, run: RunOptions | undefined): Promise<VersionContents> {
  const base = `/service/${encodeURIComponent(service.id)}`;
  const detail =
    service.active_version?.number === versionNumber
      ? service.active_version
      : service.version?.number === versionNumber
        ? service.version
        : (await client.get<FastlyServiceDetail>(`${base}/details`, { operation: 'service.details', query: { version: String(versionNumber) }, run }))?.version;
  const contents: VersionContents = { domains: detail?.domains ?? [], backends: detail?.backends ?? [], snippets: detail?.snippets ?? [] };
  if (service.type === 'wasm') {
    const uploaded = await client.get<FastlyPackage>(`${base}/version/${versionNumber}/package`, { operation: 'package.get', allowNotFound: true, run });
    const hash = uploaded?.metadata.files_hash;
    if (hash) contents.packageHash = hash;
  }
  return contents;
}
