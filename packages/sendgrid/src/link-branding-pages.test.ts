import { SslClickError } from '@sslclick/core';
import { describe, expect, it } from 'vitest';
import type { LinkBrandingResource } from './link-branding.js';
import { readAllLinkBrandingPages } from './link-branding-pages.js';

// The paging rules alone, over a list held in memory; the same rules against the fake SendGrid
// API (offset honoured and ignored) are in sendgrid-links.test.ts.
function branding(id: number): LinkBrandingResource {
  return { id, domain: `d${id}.example`, subdomain: 'url1', username: 'acme', user_id: 7, default: false, valid: true, legacy: false, dns: { domain_cname: { valid: true, type: 'cname', host: `url1.d${id}.example`, data: 'sendgrid.net' } } };
}

describe('readAllLinkBrandingPages', () => {
  it('stops with PROVIDER, not a loop, when every page brings new brandings forever', async () => {
    let requests = 0;
    const endless = async (limit: number, offset: number): Promise<LinkBrandingResource[]> => {
      requests += 1;
      return Array.from({ length: limit }, (_, index) => branding(offset + index + 1));
    };
    const error = await readAllLinkBrandingPages(endless, 1, 'links.list').catch((caught: unknown) => caught);
    expect(SslClickError.isInstance(error) && error.code).toBe('PROVIDER');
    expect((error as Error).message).toContain('rather than loop on');
    expect(requests).toBe(10_000);
  });

  it('keeps going through a page that overlaps the previous one (a branding added meanwhile)', async () => {
    const pages = [[branding(1), branding(2)], [branding(2), branding(3)], [branding(4)]];
    let index = 0;
    const shifting = async (): Promise<LinkBrandingResource[]> => pages[index++] ?? [];
    expect((await readAllLinkBrandingPages(shifting, 2, 'links.list')).map((resource) => resource.id)).toEqual([1, 2, 3, 4]);
  });
});
