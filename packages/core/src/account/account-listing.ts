import { SslClickError } from '../errors.js';
import type { LinkBranding, LinkBrandingSource } from '../link-branding.js';
import type { RunOptions } from '../types.js';

/** One SendGrid account to work on (the parent or a sub-user) with the brandings it lists. */
export interface ListedAccount {
  /** The sub-user, or undefined for the parent. */
  subuser: string | undefined;
  /** The source acting for it. */
  source: LinkBrandingSource;
  /** Its link brandings, read once for the whole run. */
  brandings: LinkBranding[];
}

/**
 * The parent's brandings and, with `subusers`, each enabled sub-user's (asked on its behalf), read
 * once. `INVALID_INPUT` when sub-users are asked for and the source cannot list or act for them.
 */
export async function listAccounts(source: LinkBrandingSource, subusers: boolean, options: RunOptions): Promise<ListedAccount[]> {
  const sources: Array<{ subuser: string | undefined; source: LinkBrandingSource }> = [{ subuser: source.subuser, source }];
  if (subusers) {
    if (!source.listSubusers || !source.forSubuser) {
      throw new SslClickError({
        code: 'INVALID_INPUT',
        provider: 'core',
        operation: 'setupAccount',
        message: 'subusers: true needs a link branding source that lists sub-users and acts for them (listSubusers and forSubuser), such as createSendGridLinks() from @sslclick/sendgrid.',
      });
    }
    const forSubuser = source.forSubuser.bind(source);
    for (const subuser of await source.listSubusers(options)) {
      if (subuser.disabled) {
        options.onProgress?.({ type: 'subuser-skipped', provider: 'core', message: `The sub-user "${subuser.username}" is disabled and sends nothing: skipped.` });
        continue;
      }
      sources.push({ subuser: subuser.username, source: forSubuser(subuser.username) });
    }
  }
  return Promise.all(
    sources.map(async (entry) => {
      const brandings = await entry.source.list(options);
      options.onProgress?.({
        type: 'brandings-listed',
        provider: 'sendgrid',
        message: `${brandings.length} link branding${brandings.length === 1 ? '' : 's'} in ${entry.subuser ? `the sub-user "${entry.subuser}"` : 'the account'}.`,
        detail: { subuser: entry.subuser ?? null, count: brandings.length },
      });
      return { ...entry, brandings };
    }),
  );
}

/**
 * A source answering `list` and `findByHostname` from the brandings read once for the run, so
 * `setup` does not list the whole account again for every host; `validate` still goes to SendGrid.
 */
export function listedSource(account: ListedAccount): LinkBrandingSource {
  const { source, brandings } = account;
  return {
    subuser: source.subuser,
    list: () => Promise.resolve(brandings),
    findByHostname: (hostname) => {
      const matching = brandings.filter((branding) => branding.hostname === hostname);
      return Promise.resolve(matching.find((branding) => branding.valid) ?? matching[0]);
    },
    validate: (id, options) => source.validate(id, options),
  };
}
