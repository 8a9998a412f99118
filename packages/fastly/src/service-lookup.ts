import { SslClickError, type RunOptions } from '@sslclick/core';
import type { FastlyClient } from './fastly-client.js';
import type { FastlyPackage, FastlyService, FastlyServiceDetail, FastlyServiceDomain, FastlyVersion } from './fastly-types.js';
import { deployedPackageOf, serviceCommentMarker, serviceName, type FastlyMode, type VersionContents } from './service-configuration.js';

/** sslclick's service for a hostname, as found. */
export interface FoundService {
  service: FastlyServiceDetail;
  /** Whether its comment marks it as sslclick's. */
  owned: boolean;
  active: FastlyVersion | undefined;
  latest: FastlyVersion | undefined;
}

/** Whether Fastly marks the service deleted: such a service is never reused, whatever else it says. */
export function isDeleted(service: { deleted_at?: string | null }): boolean {
  return service.deleted_at !== undefined && service.deleted_at !== null && service.deleted_at !== '';
}

/** How many services one page of `GET /service` asks for (go-fastly's paginator uses 100). */
const servicePageSize = 100;

/**
 * Every live service of the account, page by page. A page shorter than asked is the last, so
 * this works whether or not Fastly sends its `Link` header.
 */
export async function listLiveServices(client: FastlyClient, run: RunOptions | undefined): Promise<FastlyService[]> {
  const services: FastlyService[] = [];
  for (let page = 1; ; page += 1) {
    const listed = (await client.get<FastlyService[]>('/service', { operation: 'service.list', query: { page: String(page), per_page: String(servicePageSize) }, run })) ?? [];
    services.push(...listed.filter((service) => !isDeleted(service)));
    if (listed.length < servicePageSize) return services;
  }
}

/**
 * The live service with this exact name, or `undefined`. `GET /service/search` answers 400 (not
 * 404) for a name no service has (fastly/go-fastly `fastly/service_details.go`); 404 is read the
 * same way in case that changes. When search answers with a deleted service, a live one of the
 * same name may still exist, so the account's list is searched instead.
 */
export async function searchLiveService(client: FastlyClient, name: string, run: RunOptions | undefined): Promise<FastlyService | undefined> {
  const found = await client.get<FastlyService>('/service/search', { operation: 'service.search', query: { name }, absentStatuses: [400, 404], run });
  if (!found) return undefined;
  if (!isDeleted(found)) return found;
  return (await listLiveServices(client, run)).find((service) => service.name === name);
}

/**
 * Finds the live service named `sslclick <hostname>` and reads its details. A service of that name
 * whose comment is not sslclick's is someone else's: `CONFLICT` unless `adopt`. A service whose
 * details say it is deleted counts as absent.
 */
export async function findService(client: FastlyClient, hostname: string, run: RunOptions | undefined): Promise<FoundService | undefined> {
  const service = await searchLiveService(client, serviceName(hostname), run);
  if (!service) return undefined;
  // `details` of an id no service has answers 400 too (go-fastly, same file): deleted meanwhile.
  const details = await client.get<FastlyServiceDetail>(`/service/${encodeURIComponent(service.id)}/details`, { operation: 'service.details', absentStatuses: [400, 404], run });
  if (!details || isDeleted(details)) return undefined;
  const versions = [...details.versions].sort((left, right) => left.number - right.number);
  return {
    service: details,
    owned: details.comment.startsWith(serviceCommentMarker),
    active: versions.find((version) => version.active),
    latest: versions[versions.length - 1],
  };
}

/**
 * The live service, other than `except`, that holds `hostname` on any of its versions, found by
 * reading the services themselves rather than the wording of Fastly's refusal. Services whose id
 * appears in the refusal are looked at first, so a helpful message saves the scan.
 */
export async function findDomainHolder(client: FastlyClient, hostname: string, except: string, hints: readonly string[], run: RunOptions | undefined): Promise<FastlyService | undefined> {
  const holds = async (serviceId: string): Promise<boolean> => {
    const domains = await client.get<FastlyServiceDomain[]>(`/service/${encodeURIComponent(serviceId)}/domain`, { operation: 'service.domains', absentStatuses: [400, 404], run });
    return (domains ?? []).some((domain) => !isDeleted(domain) && domain.name.toLowerCase() === hostname);
  };
  for (const hint of hints) {
    if (hint === except || !(await holds(hint))) continue;
    const service = await client.get<FastlyService>(`/service/${encodeURIComponent(hint)}`, { operation: 'service.get', absentStatuses: [400, 404], run });
    if (service && !isDeleted(service)) return service;
  }
  for (const service of await listLiveServices(client, run)) {
    if (service.id !== except && !hints.includes(service.id) && (await holds(service.id))) return service;
  }
  return undefined;
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

/**
 * Reads what a version holds: domains, backends, snippets and (Compute) the package hash. The
 * package is read unless sslclick's service comment names it for this version and the version is
 * locked: Fastly never edits a locked version (a change needs a clone, with a new number), so the
 * package sslclick uploaded before activating it is still the one it holds. A version made by
 * hand (a clone with another package), or a comment without the mark, is read as before.
 */
export async function readVersionContents(client: FastlyClient, service: FastlyServiceDetail, versionNumber: number, run: RunOptions | undefined): Promise<VersionContents> {
  const base = `/service/${encodeURIComponent(service.id)}`;
  const detail =
    service.active_version?.number === versionNumber
      ? service.active_version
      : service.version?.number === versionNumber
        ? service.version
        : (await client.get<FastlyServiceDetail>(`${base}/details`, { operation: 'service.details', query: { version: String(versionNumber) }, run }))?.version;
  const contents: VersionContents = { domains: detail?.domains ?? [], backends: detail?.backends ?? [], snippets: detail?.snippets ?? [] };
  const deployed = deployedPackageOf(service.comment);
  const locked = service.versions.some((version) => version.number === versionNumber && version.locked);
  if (service.type === 'wasm' && deployed?.version === versionNumber && locked) {
    contents.packageHash = deployed.filesHash;
  } else if (service.type === 'wasm') {
    const uploaded = await client.get<FastlyPackage>(`${base}/version/${versionNumber}/package`, { operation: 'package.get', allowNotFound: true, run });
    const hash = uploaded?.metadata.files_hash;
    if (hash) contents.packageHash = hash;
  }
  return contents;
}
