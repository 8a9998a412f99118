import type { Customizations, DistributionTenant } from '@aws-sdk/client-cloudfront';
import { isAwsError, isAwsNotFound } from './aws-errors.js';
import type { AwsRun } from './aws-run.js';
import { cloudFrontSdk } from './aws-sdk.js';
import { isOwnedBy, ownershipTags } from './ownership.js';

/** What the adapter knows about the hostname's distribution tenant. */
export interface TenantInfo {
  id: string;
  arn: string;
  name: string;
  distributionId: string;
  connectionGroupId: string;
  enabled: boolean;
  /** CloudFront's status: `InProgress` or `Deployed`. */
  status: string;
  /** For `IfMatch` on update and delete. */
  etag: string;
  /** `Customizations.Certificate.Arn`: the ACM certificate the tenant serves. */
  certificateArn?: string;
  /** The other customizations (geo restrictions, web ACL), carried over unchanged on update. */
  customizations: Customizations;
  /** The hostname's domain status (`active`, `inactive`) when the answer named it. */
  domainStatus?: string;
  /** It carries sslclick's tags for this hostname. */
  owned: boolean;
}

async function tagsOf(run: AwsRun, tenant: DistributionTenant): Promise<Array<{ Key?: string; Value?: string }>> {
  // The tenant answer carries its tags (DistributionTenant.Tags); ask only when it came without.
  if (tenant.Tags?.Items && tenant.Tags.Items.length > 0) return tenant.Tags.Items;
  const answer = await run.call('cloudfront:ListTagsForResource', (abortSignal) =>
    run.settings.cloudFront.send(new cloudFrontSdk.ListTagsForResourceCommand({ Resource: tenant.Arn ?? '' }), { abortSignal }),
  );
  return answer.Tags?.Items ?? [];
}

async function toInfo(run: AwsRun, tenant: DistributionTenant, etag: string | undefined): Promise<TenantInfo> {
  const { Certificate: certificate, ...customizations } = tenant.Customizations ?? {};
  // Domains may come back empty when the answer names its members otherwise than the SDK expects:
  // nothing here depends on them but the status shown.
  const domain = tenant.Domains?.find((candidate) => candidate.Domain?.toLowerCase() === run.hostname);
  return {
    id: tenant.Id ?? '',
    arn: tenant.Arn ?? '',
    name: tenant.Name ?? '',
    distributionId: tenant.DistributionId ?? '',
    connectionGroupId: tenant.ConnectionGroupId ?? '',
    enabled: tenant.Enabled !== false,
    status: tenant.Status ?? '',
    etag: etag ?? '',
    ...(certificate?.Arn ? { certificateArn: certificate.Arn } : {}),
    customizations,
    ...(domain?.Status ? { domainStatus: domain.Status } : {}),
    owned: isOwnedBy(await tagsOf(run, tenant), run.hostname),
  };
}

/** The tenant serving the hostname (GetDistributionTenantByDomain); `undefined` when there is none. */
export async function findTenantByDomain(run: AwsRun): Promise<TenantInfo | undefined> {
  try {
    const answer = await run.call('cloudfront:GetDistributionTenantByDomain', (abortSignal) =>
      run.settings.cloudFront.send(new cloudFrontSdk.GetDistributionTenantByDomainCommand({ Domain: run.hostname }), { abortSignal }),
    );
    return answer.DistributionTenant ? toInfo(run, answer.DistributionTenant, answer.ETag) : undefined;
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/** A tenant by id or name (GetDistributionTenant); `undefined` when it is gone. */
export async function getTenant(run: AwsRun, identifier: string): Promise<TenantInfo | undefined> {
  try {
    const answer = await run.call('cloudfront:GetDistributionTenant', (abortSignal) =>
      run.settings.cloudFront.send(new cloudFrontSdk.GetDistributionTenantCommand({ Identifier: identifier }), { abortSignal }),
    );
    return answer.DistributionTenant ? toInfo(run, answer.DistributionTenant, answer.ETag) : undefined;
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Creates the hostname's tenant on the shared distribution: named after the hostname (a name is
 * unique in the account, so a retried create cannot make a second one: `EntityAlreadyExists`
 * then finds the first), the hostname as its one domain, its ACM certificate as a customization,
 * sslclick's tags, enabled.
 */
export async function createTenant(run: AwsRun, options: { distributionId: string; certificateArn: string; connectionGroupId?: string | undefined }): Promise<TenantInfo> {
  try {
    const answer = await run.call('cloudfront:CreateDistributionTenant', (abortSignal) =>
      run.settings.cloudFront.send(
        new cloudFrontSdk.CreateDistributionTenantCommand({
          DistributionId: options.distributionId,
          Name: run.hostname,
          Domains: [{ Domain: run.hostname }],
          Tags: { Items: ownershipTags(run.hostname, run.settings.tags) },
          Customizations: { Certificate: { Arn: options.certificateArn } },
          ...(options.connectionGroupId ? { ConnectionGroupId: options.connectionGroupId } : {}),
          Enabled: true,
        }),
        { abortSignal },
      ),
    );
    if (!answer.DistributionTenant) throw new Error('CloudFront returned no DistributionTenant.');
    return await toInfo(run, answer.DistributionTenant, answer.ETag);
  } catch (error) {
    if (!isAwsError(error, 'EntityAlreadyExists')) throw error;
    const existing = await getTenant(run, run.hostname);
    if (!existing) throw error;
    return existing;
  }
}

/**
 * Replaces the tenant's settings (UpdateDistributionTenant with `IfMatch`), carrying over what
 * sslclick does not manage; returns the tenant as CloudFront answered.
 */
export async function updateTenant(
  run: AwsRun,
  tenant: TenantInfo,
  changes: { enabled?: boolean; certificateArn?: string; distributionId?: string; connectionGroupId?: string },
): Promise<TenantInfo> {
  const certificateArn = changes.certificateArn ?? tenant.certificateArn;
  const answer = await run.call('cloudfront:UpdateDistributionTenant', (abortSignal) =>
    run.settings.cloudFront.send(
      new cloudFrontSdk.UpdateDistributionTenantCommand({
        Id: tenant.id,
        IfMatch: tenant.etag,
        DistributionId: changes.distributionId ?? tenant.distributionId,
        Domains: [{ Domain: run.hostname }],
        Customizations: { ...tenant.customizations, ...(certificateArn ? { Certificate: { Arn: certificateArn } } : {}) },
        ConnectionGroupId: changes.connectionGroupId ?? tenant.connectionGroupId,
        Enabled: changes.enabled ?? tenant.enabled,
      }),
      { abortSignal },
    ),
  );
  if (!answer.DistributionTenant) throw new Error('CloudFront returned no DistributionTenant.');
  return { ...(await toInfo(run, answer.DistributionTenant, answer.ETag)), owned: tenant.owned };
}

/** Adds sslclick's tags to an adopted tenant. */
export async function tagTenant(run: AwsRun, arn: string): Promise<void> {
  await run.call('cloudfront:TagResource', (abortSignal) =>
    run.settings.cloudFront.send(new cloudFrontSdk.TagResourceCommand({ Resource: arn, Tags: { Items: ownershipTags(run.hostname, run.settings.tags) } }), { abortSignal }),
  );
}

/** Deletes a disabled, deployed tenant; `false` when it was already gone. */
export async function deleteTenant(run: AwsRun, id: string, etag: string): Promise<boolean> {
  try {
    await run.call('cloudfront:DeleteDistributionTenant', (abortSignal) =>
      run.settings.cloudFront.send(new cloudFrontSdk.DeleteDistributionTenantCommand({ Id: id, IfMatch: etag }), { abortSignal }),
    );
    return true;
  } catch (error) {
    if (isAwsNotFound(error)) return false;
    throw error;
  }
}

/** How many tenants a distribution has (ListDistributionTenants with its association filter, paged). */
export async function countTenantsOf(run: AwsRun, distributionId: string): Promise<number> {
  let count = 0;
  let marker: string | undefined;
  do {
    const current = marker;
    const page = await run.call('cloudfront:ListDistributionTenants', (abortSignal) =>
      run.settings.cloudFront.send(
        new cloudFrontSdk.ListDistributionTenantsCommand({ AssociationFilter: { DistributionId: distributionId }, MaxItems: 100, ...(current ? { Marker: current } : {}) }),
        { abortSignal },
      ),
    );
    count += page.DistributionTenantList?.length ?? 0;
    marker = page.NextMarker || undefined;
  } while (marker);
  return count;
}
