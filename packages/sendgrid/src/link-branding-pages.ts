import { SslClickError } from '@sslclick/core';
import { sendGridProvider } from './error-translation.js';
import type { LinkBrandingResource } from './link-branding.js';

/**
 * The largest `limit` sslclick asks `GET /v3/whitelabel/links` for, and the largest `pageSize`
 * it accepts. SendGrid documents no maximum; 500 is the common ceiling of its v3 list endpoints.
 */
export const MAXIMUM_LINK_BRANDING_PAGE_SIZE = 500;

/**
 * A bound on the pages of one listing, so a misbehaving API (a new id on every page, forever)
 * cannot keep the loop going. 10 000 pages of even 1 branding is far above any real account.
 */
const maximumPages = 10_000;

/** Reads one page: `GET /v3/whitelabel/links?limit=&offset=`. */
export type LinkBrandingPageReader = (limit: number, offset: number) => Promise<LinkBrandingResource[]>;

function cannotPage(operation: string, message: string): SslClickError {
  return new SslClickError({ code: 'PROVIDER', provider: sendGridProvider, operation, retryable: false, message });
}

/**
 * Reads every page of the link branding list, correct whether SendGrid honours `offset` or not.
 *
 * SendGrid's spec (twilio/sendgrid-oai `spec/yaml/tsg_link_branding_v3.yaml`) documents only
 * `limit` for this path; its general v3 pagination page shows `limit` + `offset`. So: ask with
 * `limit` and `offset`, advance `offset` by what each page held, and end at a page shorter than
 * the limit. A page holding no branding not seen before means `offset` was ignored: then read the
 * list once with the largest limit, and fail (never return a short list silently) when that page
 * is full too. Assumes SendGrid honours `limit` up to the maximum (a shorter page is the last).
 */
export async function readAllLinkBrandingPages(readPage: LinkBrandingPageReader, pageSize: number, operation: string): Promise<LinkBrandingResource[]> {
  const byId = new Map<number, LinkBrandingResource>();
  for (let pageNumber = 0, offset = 0; pageNumber < maximumPages; pageNumber += 1) {
    const page = await readPage(pageSize, offset);
    let added = 0;
    for (const resource of page) {
      if (!byId.has(resource.id)) added += 1;
      byId.set(resource.id, resource);
    }
    if (page.length < pageSize) return sorted(byId);
    if (pageNumber > 0 && added === 0) {
      return sorted(await readInOnePage(readPage, byId, pageSize, offset, operation));
    }
    offset += page.length;
  }
  throw cannotPage(operation, `SendGrid kept answering new link brandings after ${maximumPages} pages of ${pageSize}; stopped reading the list rather than loop on.`);
}

async function readInOnePage(
  readPage: LinkBrandingPageReader,
  byId: Map<number, LinkBrandingResource>,
  pageSize: number,
  offset: number,
  operation: string,
): Promise<Map<number, LinkBrandingResource>> {
  const repeated = `SendGrid answered GET /v3/whitelabel/links with offset ${offset} with the same ${pageSize} link brandings as with offset 0: it ignores "offset"`;
  if (pageSize >= MAXIMUM_LINK_BRANDING_PAGE_SIZE) {
    throw cannotPage(operation, `${repeated}, and the account has at least ${pageSize} brandings, more than one page can hold, so the full list cannot be read.`);
  }
  const whole = await readPage(MAXIMUM_LINK_BRANDING_PAGE_SIZE, 0);
  if (whole.length >= MAXIMUM_LINK_BRANDING_PAGE_SIZE) {
    throw cannotPage(operation, `${repeated}, and the account has at least ${MAXIMUM_LINK_BRANDING_PAGE_SIZE} brandings, more than one page can hold, so the full list cannot be read.`);
  }
  for (const resource of whole) byId.set(resource.id, resource);
  return byId;
}

function sorted(byId: Map<number, LinkBrandingResource>): LinkBrandingResource[] {
  return [...byId.values()].sort((left, right) => left.id - right.id);
}
