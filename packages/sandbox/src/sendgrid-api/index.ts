export { startSendGridApi } from './sendgrid-api.js';
export type { SendGridApi, SendGridApiBehaviour, SendGridApiKeyInput, SendGridApiOptions } from './sendgrid-api.js';
export type { SendGridScope } from './sendgrid-routes.js';
export type {
  AddLinkBrandingInput,
  SendGridDnsRecordResource,
  SendGridLinkBrandingResource,
  SendGridRecordValidation,
  SendGridRegion,
  SendGridUser,
  SendGridValidationResource,
} from './sendgrid-state.js';
