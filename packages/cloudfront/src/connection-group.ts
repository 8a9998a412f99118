import { isAwsNotFound } from './aws-errors.js';
import type { AwsRun } from './aws-run.js';
import { cloudFrontSdk } from './aws-sdk.js';

/** What the adapter knows about a tenant's connection group. */
export interface ConnectionGroupInfo {
  id: string;
  /** `dxxxx.cloudfront.net`: where the hostname's CNAME points. */
  routingEndpoint: string;
  /** CloudFront's status: `InProgress` or `Deployed`. */
  status: string;
  enabled: boolean;
  /** The account's default group, which CloudFront created with the first tenant. */
  isDefault: boolean;
}

/**
 * Reads a connection group by id (GetConnectionGroup); `undefined` when it does not exist. Its
 * routing endpoint is the CNAME target of every tenant in it
 * (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ConnectionGroup.html).
 */
export async function getConnectionGroup(run: AwsRun, id: string): Promise<ConnectionGroupInfo | undefined> {
  try {
    const answer = await run.call('cloudfront:GetConnectionGroup', (abortSignal) =>
      run.settings.cloudFront.send(new cloudFrontSdk.GetConnectionGroupCommand({ Identifier: id }), { abortSignal }),
    );
    const group = answer.ConnectionGroup;
    if (!group) return undefined;
    return {
      id: group.Id ?? id,
      routingEndpoint: (group.RoutingEndpoint ?? '').toLowerCase().replace(/\.$/, ''),
      status: group.Status ?? '',
      enabled: group.Enabled !== false,
      isDefault: group.IsDefault === true,
    };
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}
