import type { VendorRequest, VendorResponse } from '../vendor-api-server.js';
import { authorize, logged } from './aws-api-state.js';
import type { AwsApiState, AwsServiceName } from './aws-api-state.js';
import { xmlError } from './aws-wire.js';

/**
 * What the REST-XML services (CloudFront, Route 53) share: the IAM gate that answers like AWS for
 * a missing, denied, expired or revoked key, and the step that syncs the data plane and logs.
 */
export function restXmlService(state: AwsApiState, service: AwsServiceName, namespace: string) {
  const error = (status: number, code: string, message: string): VendorResponse => xmlError(namespace, status, code, message);
  return {
    gate: (request: VendorRequest, action: string): VendorResponse | undefined =>
      authorize(state, request, `${service}:${action}`, {
        missing: () => error(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token'),
        denied: (message) => error(403, 'AccessDenied', message),
        expired: () => error(403, 'ExpiredToken', 'The security token included in the request is expired'),
        revoked: () => error(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'),
      }),
    finish: async (operation: string, write: boolean, response: VendorResponse, resource?: string): Promise<VendorResponse> => {
      await state.syncDataPlane();
      return logged(state, service, operation, write, response, resource);
    },
  };
}
