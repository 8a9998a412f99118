import type { PlannedChange } from '@sslclick/core';
import type { FastlyBackend, FastlyDomain, FastlySnippet } from './fastly-types.js';

/** The two ways sslclick runs on Fastly. */
export type FastlyMode = 'compute' | 'vcl';

/** The backend name the Compute program sends to (edge/handler.ts `backendName`). */
export const backendName = 'sendgrid';

/** The VCL snippet that passes every request in vcl mode. */
export const passSnippetName = 'sslclick-pass';

/** Its content: SendGrid's click redirects and open pixels must reach SendGrid every time. */
export const passSnippetContent = '# sslclick: never cache SendGrid click redirects or open pixels\nreturn(pass);';

/** The marker at the start of the comment of every service sslclick creates. */
export const serviceCommentMarker = 'Managed by sslclick';

/** The name of the service sslclick creates for a hostname. */
export function serviceName(hostname: string): string {
  return `sslclick ${hostname}`;
}

/** The Compute package sslclick deployed on a service: its `files_hash` and the version holding it. */
export interface DeployedPackage {
  filesHash: string;
  version: number;
}

/**
 * The comment of the service sslclick creates for a hostname. In compute mode it also names the
 * package sslclick put on the version it activated (`deployed`), so that reading the service
 * tells which package its active version holds without a request for the package: Fastly's
 * service details carry the comment but no package (fastly/go-fastly
 * fixtures/services/compute/details.yaml; fastly/fastly-js docs/VersionDetail.md).
 */
export function serviceComment(hostname: string, deployed?: DeployedPackage): string {
  const base = `${serviceCommentMarker}: SendGrid HTTPS click tracking for ${hostname}. Changes made by hand are reverted by the next apply.`;
  return deployed ? `${base} Package files_hash ${deployed.filesHash} deployed as version ${deployed.version}.` : base;
}

/**
 * The package sslclick's comment says the service's version holds, or `undefined` (no comment of
 * sslclick's, or one from before the comment named it). Trusted only for a locked version (see
 * `readVersionContents`): a version sslclick activated with that package, never edited since.
 */
export function deployedPackageOf(comment: string | undefined): DeployedPackage | undefined {
  if (!comment?.startsWith(serviceCommentMarker)) return undefined;
  const match = / Package files_hash ([0-9a-f]+) deployed as version (\d+)\.$/.exec(comment);
  return match ? { filesHash: match[1] as string, version: Number(match[2]) } : undefined;
}

/** What a service version holds, as far as sslclick cares. */
export interface VersionContents {
  domains: FastlyDomain[];
  backends: FastlyBackend[];
  snippets: FastlySnippet[];
  /** The uploaded package's `files_hash` (compute mode), `undefined` when there is none. */
  packageHash?: string;
}

/** One change to make to an editable version. */
export type VersionChange =
  | { kind: 'domain'; action: 'create'; description: string }
  | { kind: 'backend'; action: 'create' | 'update'; description: string; fields: Record<string, string | number | boolean | null> }
  | { kind: 'snippet'; action: 'create' | 'update'; description: string }
  | { kind: 'package'; action: 'create' | 'update'; description: string };

/** The backend fields sslclick sets: SendGrid over TLS, with SNI and certificate name = origin, and no Host override. */
export function desiredBackend(origin: string): Record<string, string | number | boolean | null> {
  return {
    address: origin,
    port: 443,
    use_ssl: true,
    ssl_cert_hostname: origin,
    ssl_sni_hostname: origin,
    ssl_check_cert: true,
    // Any override would replace the branded Host, and SendGrid routes clicks by that Host.
    override_host: null,
  };
}

function backendDifferences(backend: FastlyBackend, origin: string): string[] {
  const differences: string[] = [];
  const address = backend.address ?? backend.hostname ?? null;
  if (address !== origin) differences.push(`address ${address ?? '(none)'} → ${origin}`);
  if (backend.port !== 443) differences.push(`port ${backend.port} → 443`);
  if (!backend.use_ssl) differences.push('use_ssl false → true');
  if (backend.ssl_cert_hostname !== origin) differences.push(`ssl_cert_hostname ${backend.ssl_cert_hostname ?? '(none)'} → ${origin}`);
  if (backend.ssl_sni_hostname !== origin) differences.push(`ssl_sni_hostname ${backend.ssl_sni_hostname ?? '(none)'} → ${origin}`);
  if (backend.ssl_check_cert === false) differences.push('ssl_check_cert false → true');
  if (backend.override_host) differences.push(`override_host "${backend.override_host}" removed (it replaces the branded Host, so SendGrid would answer 404)`);
  return differences;
}

/**
 * The changes that make a version serve the hostname through SendGrid: its domain, the
 * `sendgrid` backend, and the pass snippet (vcl) or the current package (compute). Anything else
 * on the version (other domains, backends, snippets) is left as found.
 */
export function diffVersion(contents: VersionContents, target: { hostname: string; origin: string; mode: FastlyMode; packageHash?: string }): VersionChange[] {
  const changes: VersionChange[] = [];
  if (!contents.domains.some((domain) => domain.name.toLowerCase() === target.hostname)) {
    changes.push({ kind: 'domain', action: 'create', description: `Add the domain ${target.hostname}.` });
  }
  const backend = contents.backends.find((candidate) => candidate.name === backendName);
  if (!backend) {
    changes.push({ kind: 'backend', action: 'create', description: `Add the backend "${backendName}" → ${target.origin}:443 over TLS.`, fields: desiredBackend(target.origin) });
  } else {
    const differences = backendDifferences(backend, target.origin);
    if (differences.length > 0) {
      changes.push({ kind: 'backend', action: 'update', description: `Repair the backend "${backendName}": ${differences.join('; ')}.`, fields: desiredBackend(target.origin) });
    }
  }
  if (target.mode === 'vcl') {
    const snippet = contents.snippets.find((candidate) => candidate.name === passSnippetName);
    if (!snippet) changes.push({ kind: 'snippet', action: 'create', description: `Add the recv snippet "${passSnippetName}" that passes every request (nothing cached).` });
    else if (snippet.type !== 'recv' || snippet.content !== passSnippetContent) {
      changes.push({ kind: 'snippet', action: 'update', description: `Restore the recv snippet "${passSnippetName}" that passes every request.` });
    }
  } else if (contents.packageHash !== target.packageHash) {
    changes.push({
      kind: 'package',
      action: contents.packageHash === undefined ? 'create' : 'update',
      description: contents.packageHash === undefined ? 'Upload the sslclick Compute package.' : 'Upload the current sslclick Compute package (the one on the service differs).',
    });
  }
  return changes;
}

/** A version change as a plan entry. */
export function plannedVersionChange(change: VersionChange, serviceId: string | undefined): PlannedChange {
  const names = { domain: 'domain', backend: backendName, snippet: passSnippetName, package: 'package' } as const;
  return { resource: { kind: `fastly-${change.kind}`, name: names[change.kind], ...(serviceId ? { id: serviceId } : {}) }, action: change.action, description: change.description };
}
