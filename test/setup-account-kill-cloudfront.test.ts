/** setupAccount() killed mid-way in a child process and resumed, over the sandbox account with CloudFront (see account-kill.ts). */
import { describeKilledAccountRun } from './account-kill.js';

describeKilledAccountRun('cloudfront');
