import { randomUUID } from 'node:crypto';
import { normalizeDnsName } from '../dns-zone.js';
import { startVendorApiServer } from '../vendor-api-server.js';
import type { Fault, VendorApiServer } from '../vendor-api-server.js';
import { acmRoutes, certificateNames, certificateUsers, settleCertificate } from './acm-api.js';
import { resolveAwsApiOptions } from './aws-api-state.js';
import type {
  AwsApiOptions,
  AwsApiState,
  AwsOperationRecord,
  AwsSandbox,
  AwsServiceName,
  CertificateState,
  ConnectionGroupState,
  DistributionState,
  DistributionTenantState,
  HostedZoneState,
} from './aws-api-state.js';
import { cloneNode, cloudFrontNamespace, jsonErrorFormat, route53Namespace, upperId, xmlErrorFormat } from './aws-wire.js';
import type { XmlNode } from './aws-wire.js';
import { cloudFrontRoutes, createDistribution, minimalDistributionConfig, settleDistribution } from './cloudfront-api.js';
import { createDataPlaneSync } from './cloudfront-data-plane.js';
import { connectionGroupRoutes } from './connection-groups.js';
import { distributionTenantRoutes } from './distribution-tenants-api.js';
import { createTenantDataPlaneSync } from './tenants-data-plane.js';
import { tenantSnapshots, type AwsConnectionGroupSnapshot, type AwsTenantSnapshot } from './tenant-snapshots.js';
import { route53Routes } from './route53-api.js';

/** Static credentials the fakes accept (they do not check signatures, only that there is one). */
export const AWS_TEST_CREDENTIALS = { accessKeyId: 'AKIASANDBOXTEST00000', secretAccessKey: 'sandbox-secret-access-key-0000000000000' };

/** Credentials whose every request the fakes refuse with `AccessDenied` (the default denied key). */
export const AWS_DENIED_CREDENTIALS = { accessKeyId: 'AKIASANDBOXDENIED000', secretAccessKey: 'sandbox-denied-secret-key-000000000000' };

/** Credentials whose session has expired: every request is refused with `ExpiredToken` (the default expired key). */
export const AWS_EXPIRED_CREDENTIALS = { accessKeyId: 'AKIASANDBOXEXPIRED00', secretAccessKey: 'sandbox-expired-secret-key-00000000000' };

/** Credentials of a deleted (revoked) key: every request is refused with `InvalidClientTokenId` (the default revoked key). */
export const AWS_REVOKED_CREDENTIALS = { accessKeyId: 'AKIASANDBOXREVOKED00', secretAccessKey: 'sandbox-revoked-secret-key-00000000000' };

/** A distribution as the fake holds it, for assertions. */
export interface AwsDistributionSnapshot {
  id: string;
  arn: string;
  domainName: string;
  status: 'InProgress' | 'Deployed';
  etag: string;
  enabled: boolean;
  aliases: string[];
  /** The `DistributionConfig` as CloudFront returns it (XML-shaped: lists under `Items`). */
  config: XmlNode;
  tags: Record<string, string>;
  otherAccount: boolean;
}

/** A certificate as the fake holds it, for assertions. */
export interface AwsCertificateSnapshot {
  arn: string;
  domainName: string;
  names: string[];
  status: CertificateState['status'];
  tags: Record<string, string>;
  inUseBy: string[];
  validationRecords: Array<{ name: string; value: string }>;
}

/** The running AWS fakes: CloudFront, ACM and Route 53 on their own ports, sharing one state. */
export interface AwsApi {
  /** Pass these as the SDK clients' `endpoint`. */
  readonly endpoints: { readonly cloudfront: string; readonly acm: string; readonly route53: string };
  /** The underlying servers: request logs (`requests`) and fault injection (`injectFault`). */
  readonly servers: { readonly cloudfront: VendorApiServer; readonly acm: VendorApiServer; readonly route53: VendorApiServer };
  /** Every operation the fakes handled, oldest first (faulted requests never reach them). */
  readonly operations: readonly AwsOperationRecord[];
  /** How many state-changing operations were handled (of one service, when given). ACM reads are POSTs but not writes. */
  writes(service?: AwsServiceName): number;
  /** How many read operations were handled (of one service, when given). */
  reads(service?: AwsServiceName): number;
  /** The operation names handled, in order, optionally of one service: `['ListDistributions', …]`. */
  operationNames(service?: AwsServiceName): string[];
  /** Empties the operation log and the servers' request logs. */
  clearLog(): void;
  /** Injects a fault into one service's next matching request(s). */
  injectFault(service: AwsServiceName, fault: Fault): void;
  /** Removes every pending fault. */
  clearFaults(): void;
  /** Refuses an IAM action (`cloudfront:UpdateDistribution`) with `AccessDenied` for every key, until `allowAction`. */
  denyAction(action: string): void;
  allowAction(action: string): void;
  /** Creates a public hosted zone (its records are the sandbox DNS zone's records below `name`). */
  addHostedZone(name: string): { id: string; name: string };
  /** Deletes a hosted zone from Route 53 (its records stay in sandbox DNS). */
  removeHostedZone(id: string): boolean;
  /**
   * Creates a distribution sslclick did not create, holding `alias`: in this account (visible in
   * ListDistributions, untagged, with its own issued certificate), or in another account
   * (invisible, but its alias still makes a create fail with `CNAMEAlreadyExists`). It is `Deployed` from the start.
   */
  addForeignDistribution(options: {
    alias: string;
    otherAccount?: boolean;
    originDomainName?: string;
    originRequestPolicyId?: string;
  }): Promise<AwsDistributionSnapshot>;
  /** The distribution with this id (including other accounts'), or `undefined`. */
  getDistribution(id: string): AwsDistributionSnapshot | undefined;
  /** Every distribution. */
  distributions(): AwsDistributionSnapshot[];
  /** Every certificate. */
  certificates(): AwsCertificateSnapshot[];
  /** Every distribution tenant (CloudFront SaaS Manager). */
  tenants(): AwsTenantSnapshot[];
  /** Every connection group (the account's default one appears with the first tenant). */
  connectionGroups(): AwsConnectionGroupSnapshot[];
  /** Creates a connection group that is not the default one (as a user would for a second routing endpoint). */
  addConnectionGroup(name: string): AwsConnectionGroupSnapshot;
  /**
   * Makes the next UpdateDistribution or DeleteDistribution of `id` find its ETag changed, as if
   * someone else had updated the distribution between the caller's read and write (412 PreconditionFailed).
   */
  simulateConcurrentChange(id: string): void;
  /** Forces a certificate's status (e.g. `FAILED` with a reason), as ACM might report it. */
  setCertificateStatus(arn: string, status: CertificateState['status'], failureReason?: string): void;
  /** Re-evaluates slow transitions now and pushes them to the data plane. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

function distributionSnapshot(state: AwsApiState, distribution: DistributionState): AwsDistributionSnapshot {
  const config = cloneNode(distribution.config);
  const aliasItems = (config.Aliases as XmlNode | undefined)?.Items as XmlNode | undefined;
  const aliasValues = aliasItems?.CNAME;
  return {
    id: distribution.id,
    arn: distribution.arn,
    domainName: distribution.domainName,
    status: settleDistribution(state, distribution),
    etag: distribution.etag,
    enabled: config.Enabled === 'true',
    aliases: (Array.isArray(aliasValues) ? aliasValues : []).filter((value): value is string => typeof value === 'string'),
    config,
    tags: Object.fromEntries(distribution.tags),
    otherAccount: distribution.otherAccount,
  };
}

function certificateSnapshot(state: AwsApiState, certificate: CertificateState): AwsCertificateSnapshot {
  settleCertificate(state, certificate);
  return {
    arn: certificate.arn,
    domainName: certificate.domainName,
    names: certificateNames(certificate),
    status: certificate.status,
    tags: Object.fromEntries(certificate.tags),
    inUseBy: certificateUsers(state, certificate.arn),
    validationRecords: [...certificate.validationRecords.values()],
  };
}

/**
 * Starts the sandbox's AWS control planes on 127.0.0.1: CloudFront (REST-XML 2020-05-31), ACM
 * (JSON 1.1) and Route 53 (REST-XML 2013-04-01), stateful and in the real wire formats, so the
 * official `@aws-sdk/client-*` clients work against `endpoints` unchanged. They drive the sandbox
 * data plane: a deployed distribution's domain resolves to the edge, which serves the issued ACM
 * certificate for each alias and forwards as the config says; Route 53 records are sandbox DNS.
 * Slow things (deploys, issuance) follow the sandbox clock.
 */
export async function startAwsApi(sandbox: AwsSandbox, options: AwsApiOptions = {}): Promise<AwsApi> {
  const base = {
    sandbox,
    options: resolveAwsApiOptions(options),
    certificates: new Map<string, CertificateState>(),
    distributions: new Map<string, DistributionState>(),
    hostedZones: new Map<string, HostedZoneState>(),
    tenants: new Map<string, DistributionTenantState>(),
    connectionGroups: new Map<string, ConnectionGroupState>(),
    changes: new Map<string, { submittedAt: number }>(),
    operations: [] as AwsOperationRecord[],
    deniedActions: new Set<string>(),
    concurrentChanges: new Set<string>(),
    now: () => sandbox.clock.now(),
  };
  const distributionSync = createDataPlaneSync(base);
  const tenantSync = createTenantDataPlaneSync(base);
  let tenantSyncing: Promise<void> = Promise.resolve();
  const state: AwsApiState = {
    ...base,
    // Tenants after distributions, serialised like the distributions' own sync.
    syncDataPlane: async () => {
      await distributionSync();
      tenantSyncing = tenantSyncing.then(tenantSync, tenantSync);
      await tenantSyncing;
    },
  };

  const started: VendorApiServer[] = [];
  try {
    const cloudFrontAll = [cloudFrontRoutes(state), distributionTenantRoutes(state), connectionGroupRoutes(state)];
    started.push(await startVendorApiServer({ format: xmlErrorFormat(cloudFrontNamespace), routes: (router) => cloudFrontAll.forEach((add) => add(router)) }));
    started.push(await startVendorApiServer({ format: jsonErrorFormat, routes: acmRoutes(state) }));
    started.push(await startVendorApiServer({ format: xmlErrorFormat(route53Namespace), routes: route53Routes(state) }));
  } catch (error) {
    await Promise.all(started.map((server) => server.close()));
    throw error;
  }
  const [cloudfront, acm, route53] = started as [VendorApiServer, VendorApiServer, VendorApiServer];
  const servers = { cloudfront, acm, route53 };

  // Deploys and issuance finish on the clock without any request: keep the edge in step.
  const sync = (): Promise<void> => state.syncDataPlane();
  const onAdvance = (): void => void sync().catch(() => undefined);
  sandbox.clock.on('advance', onAdvance);
  const timer = setInterval(onAdvance, state.options.syncIntervalMs);
  timer.unref();

  const count = (write: boolean, service?: AwsServiceName): number =>
    state.operations.filter((operation) => operation.write === write && (service === undefined || operation.service === service)).length;

  let closing: Promise<void> | undefined;
  return {
    endpoints: { cloudfront: cloudfront.url, acm: acm.url, route53: route53.url },
    servers,
    operations: state.operations,
    writes: (service) => count(true, service),
    reads: (service) => count(false, service),
    operationNames: (service) =>
      state.operations.filter((operation) => service === undefined || operation.service === service).map((operation) => operation.operation),
    clearLog: () => {
      state.operations.length = 0;
      for (const server of started) server.clearRequests();
    },
    injectFault: (service, fault) => servers[service].injectFault(fault),
    clearFaults: () => {
      for (const server of started) server.clearFaults();
    },
    denyAction: (action) => void state.deniedActions.add(action),
    allowAction: (action) => void state.deniedActions.delete(action),
    addHostedZone: (name) => {
      const zoneName = normalizeDnsName(name);
      const existing = [...state.hostedZones.values()].find((zone) => zone.name === zoneName);
      if (existing) return { id: existing.id, name: existing.name };
      const id = upperId('Z', 19);
      state.hostedZones.set(id, { id, name: zoneName, callerReference: randomUUID() });
      return { id, name: zoneName };
    },
    removeHostedZone: (id) => state.hostedZones.delete(id),
    addForeignDistribution: async (foreign) => {
      const alias = normalizeDnsName(foreign.alias);
      let certificateArn: string | undefined;
      if (!foreign.otherAccount) {
        // Someone else in this account requested and validated their own certificate.
        certificateArn = `arn:aws:acm:us-east-1:${state.options.accountId}:certificate/${randomUUID()}`;
        const now = state.now();
        state.certificates.set(certificateArn, {
          arn: certificateArn,
          domainName: alias,
          subjectAlternativeNames: [],
          status: 'ISSUED',
          validationMethod: 'DNS',
          validationRecords: new Map(),
          tags: new Map(),
          createdAt: now,
          issuedAt: now,
          notBefore: now,
          notAfter: now + 395 * 86_400_000,
        });
      }
      const config = minimalDistributionConfig({
        aliases: [alias],
        ...(certificateArn ? { certificateArn } : {}),
        ...(foreign.originDomainName ? { originDomainName: foreign.originDomainName } : {}),
        ...(foreign.originRequestPolicyId ? { originRequestPolicyId: foreign.originRequestPolicyId } : {}),
      });
      const result = createDistribution(state, config, new Map([['owner', 'someone-else']]), { otherAccount: foreign.otherAccount ?? false });
      if (!('id' in result)) throw new Error(`The sandbox could not create the foreign distribution: ${String(result.body)}`);
      // Someone else's distribution has usually been deployed long since: one still deploying
      // would change under a test's "left alone" snapshot as the sandbox clock moves.
      result.deployAt = state.now();
      await sync();
      return distributionSnapshot(state, result);
    },
    getDistribution: (id) => {
      const distribution = state.distributions.get(id);
      return distribution ? distributionSnapshot(state, distribution) : undefined;
    },
    distributions: () => [...state.distributions.values()].map((distribution) => distributionSnapshot(state, distribution)),
    certificates: () => [...state.certificates.values()].map((certificate) => certificateSnapshot(state, certificate)),
    ...tenantSnapshots(state),
    simulateConcurrentChange: (id) => void state.concurrentChanges.add(id),
    setCertificateStatus: (arn, status, failureReason) => {
      const certificate = state.certificates.get(arn);
      if (!certificate) throw new Error(`No certificate ${arn} in the sandbox's ACM.`);
      certificate.status = status;
      if (failureReason === undefined) delete certificate.failureReason;
      else certificate.failureReason = failureReason;
    },
    sync,
    close: () => {
      closing ??= (async () => {
        clearInterval(timer);
        sandbox.clock.off('advance', onAdvance);
        await Promise.all(started.map((server) => server.close()));
      })();
      return closing;
    },
  };
}
