import { describe, expect, it } from 'vitest';
import { assertCdnAddressRanges, findCdnAddress } from './cdn-address-ranges.js';

describe('CDN address ranges', () => {
  it('places addresses in the ranges Cloudflare, Fastly and CloudFront publish', async () => {
    expect(await findCdnAddress(['104.16.132.229'])).toEqual({ cdn: 'cloudflare', address: '104.16.132.229', range: '104.16.0.0/13' });
    expect(await findCdnAddress(['2606:4700::6810:84e5'])).toEqual({ cdn: 'cloudflare', address: '2606:4700::6810:84e5', range: '2606:4700::/32' });
    expect(await findCdnAddress(['151.101.1.57'])).toEqual({ cdn: 'fastly', address: '151.101.1.57', range: '151.101.0.0/16' });
    expect(await findCdnAddress(['13.32.99.1'])).toEqual({ cdn: 'cloudfront', address: '13.32.99.1', range: '13.32.0.0/15' });
    expect(await findCdnAddress(['2600:9000:2000::1'])).toMatchObject({ cdn: 'cloudfront' });
    expect(await findCdnAddress(['127.0.0.1', '192.0.2.1'])).toBeUndefined();
  });

  it('lets a CDN\'s list be replaced, for a test edge on loopback', async () => {
    expect(await findCdnAddress(['127.0.0.1'], { fastly: ['127.0.0.0/8'] })).toEqual({ cdn: 'fastly', address: '127.0.0.1', range: '127.0.0.0/8' });
    expect(await findCdnAddress(['151.101.1.57'], { fastly: ['127.0.0.0/8'] })).toBeUndefined();
    expect(() => assertCdnAddressRanges({ cloudflare: ['10.0.0.0/33'] })).toThrow(/not a CIDR range/);
    expect(() => assertCdnAddressRanges({ akamai: ['10.0.0.0/8'] } as never)).toThrow(/cloudflare, fastly and cloudfront/);
  });
});
