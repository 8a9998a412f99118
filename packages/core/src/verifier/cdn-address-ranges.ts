/**
 * The address ranges the CDNs publish for their edge servers, to tell that a name which resolves
 * to addresses only (a proxied Cloudflare record, an apex alias) leads to a CDN.
 *
 * Data, not logic: refresh it from the sources named below, and keep the date. Each list is the
 * vendor's own, copied without aggregation; an address outside every list is "not decided", never
 * "not a CDN", since the lists change.
 *
 * @packageDocumentation
 */

import { invalidInput } from '../errors.js';
import { isIP } from '../ip.js';
import { shorten } from './text.js';

/** A CDN whose published address ranges the verifier knows. */
export type RangeCdn = 'cloudflare' | 'fastly' | 'cloudfront';

/** CIDR ranges per CDN, IPv4 and IPv6 together (`"104.16.0.0/13"`, `"2606:4700::/32"`). */
export type CdnAddressRanges = Readonly<Record<RangeCdn, readonly string[]>>;

/** The names people know the CDNs by, for messages. */
export const cdnDisplayNames: Readonly<Record<RangeCdn, string>> = { cloudflare: 'Cloudflare', fastly: 'Fastly', cloudfront: 'CloudFront' };

/**
 * The published ranges, read on 2026-12-02:
 * - Cloudflare: https://www.cloudflare.com/ips-v4 and https://www.cloudflare.com/ips-v6 (the
 *   current 15 IPv4 and 7 IPv6 ranges, with 104.16.0.0/13 and 104.24.0.0/14).
 * - Fastly: `addresses` and `ipv6_addresses` of https://api.fastly.com/public-ip-list (documented
 *   at https://developer.fastly.com/reference/api/utils/public-ip-list/), as of June 2023.
 * - CloudFront: `CLOUDFRONT_GLOBAL_IP_LIST` of
 *   https://d7uri8nf7uskq.cloudfront.net/tools/list-cloudfront-ips, the edge (viewer-facing) part
 *   of the `CLOUDFRONT` service in https://ip-ranges.amazonaws.com/ip-ranges.json, plus that
 *   file's `CLOUDFRONT` IPv6 prefix 2600:9000::/28. The regional edge caches are left out: a
 *   viewer never resolves to them.
 */
export const publishedCdnAddressRanges: CdnAddressRanges = {
  cloudflare: [
    '173.245.48.0/20', '103.21.244.0/22', '103.22.200.0/22', '103.31.4.0/22', '141.101.64.0/18',
    '108.162.192.0/18', '190.93.240.0/20', '188.114.96.0/20', '197.234.240.0/22', '198.41.128.0/17',
    '162.158.0.0/15', '104.16.0.0/13', '104.24.0.0/14', '172.64.0.0/13', '131.0.72.0/22',
    '2400:cb00::/32', '2606:4700::/32', '2803:f800::/32', '2405:b500::/32', '2405:8100::/32',
    '2a06:98c0::/29', '2c0f:f248::/32',
  ],
  fastly: [
    '23.235.32.0/20', '43.249.72.0/22', '103.244.50.0/24', '103.245.222.0/23', '103.245.224.0/24',
    '104.156.80.0/20', '140.248.64.0/18', '140.248.128.0/17', '146.75.0.0/17', '151.101.0.0/16',
    '157.52.64.0/18', '167.82.0.0/17', '167.82.128.0/20', '167.82.160.0/20', '167.82.224.0/20',
    '172.111.64.0/18', '185.31.16.0/22', '199.27.72.0/21', '199.232.0.0/16',
    '2a04:4e40::/32', '2a04:4e42::/32',
  ],
  cloudfront: [
    '120.52.22.96/27', '205.251.249.0/24', '180.163.57.128/26', '204.246.168.0/22', '18.160.0.0/15',
    '205.251.252.0/23', '54.192.0.0/16', '204.246.173.0/24', '54.230.200.0/21', '120.253.240.192/26',
    '116.129.226.128/26', '130.176.0.0/17', '108.156.0.0/14', '99.86.0.0/16', '205.251.200.0/21',
    '223.71.71.128/25', '13.32.0.0/15', '120.253.245.128/26', '13.224.0.0/14', '70.132.0.0/18',
    '15.158.0.0/16', '13.249.0.0/16', '18.238.0.0/15', '18.244.0.0/15', '205.251.208.0/20',
    '65.9.128.0/18', '130.176.128.0/18', '58.254.138.0/25', '54.230.208.0/20', '116.129.226.0/25',
    '52.222.128.0/17', '18.164.0.0/15', '64.252.128.0/18', '205.251.254.0/24', '54.230.224.0/19',
    '71.152.0.0/17', '216.137.32.0/19', '204.246.172.0/24', '18.172.0.0/15', '120.52.39.128/27',
    '118.193.97.64/26', '223.71.71.96/27', '18.154.0.0/15', '54.240.128.0/18', '205.251.250.0/23',
    '180.163.57.0/25', '52.46.0.0/18', '223.71.11.0/27', '52.82.128.0/19', '54.230.0.0/17',
    '54.230.128.0/18', '54.239.128.0/18', '130.176.224.0/20', '36.103.232.128/26', '52.84.0.0/15',
    '143.204.0.0/16', '144.220.0.0/16', '120.52.153.192/26', '119.147.182.0/25', '120.232.236.0/25',
    '54.182.0.0/16', '58.254.138.128/26', '120.253.245.192/27', '54.239.192.0/19', '18.64.0.0/14',
    '120.52.12.64/26', '99.84.0.0/16', '130.176.192.0/19', '52.124.128.0/17', '204.246.164.0/22',
    '13.35.0.0/16', '204.246.174.0/23', '36.103.232.0/25', '119.147.182.128/26', '118.193.97.128/25',
    '120.232.236.128/26', '204.246.176.0/20', '65.8.0.0/16', '65.9.0.0/17', '108.138.0.0/15',
    '120.253.241.160/27', '64.252.64.0/18',
    '2600:9000::/28',
  ],
};

const cidrPattern = /^([0-9a-f.:]+)\/(\d{1,3})$/i;

/** Throws `INVALID_INPUT` naming the first entry of `ranges` that is not a CIDR range. */
export function assertCdnAddressRanges(ranges: Partial<CdnAddressRanges>): void {
  for (const [cdn, list] of Object.entries(ranges)) {
    if (!(cdn in publishedCdnAddressRanges)) {
      throw invalidInput(`cdnAddressRanges names "${shorten(cdn)}"; the CDNs it can hold are cloudflare, fastly and cloudfront.`);
    }
    for (const range of list ?? []) {
      const match = cidrPattern.exec(range);
      const family = match ? isIP(match[1] ?? '') : 0;
      if (!match || family === 0 || Number(match[2]) > (family === 4 ? 32 : 128)) {
        throw invalidInput(`cdnAddressRanges.${cdn} holds "${shorten(range)}", which is not a CIDR range such as "104.16.0.0/13".`);
      }
    }
  }
}

/** Which CDN's published range holds an address. */
export interface CdnAddressMatch {
  cdn: RangeCdn;
  address: string;
  range: string;
}

/**
 * The first of `addresses` inside a CDN's ranges, with the CDN and range, or undefined. `ranges`
 * replaces the published list of each CDN it names (the sandbox's loopback edge, for instance).
 * Matching uses `node:net`'s BlockList, loaded on the first call.
 */
export async function findCdnAddress(addresses: readonly string[], ranges: Partial<CdnAddressRanges> = {}): Promise<CdnAddressMatch | undefined> {
  if (addresses.length === 0) return undefined;
  const lists = { ...publishedCdnAddressRanges, ...ranges };
  for (const cdn of Object.keys(lists) as RangeCdn[]) {
    for (const { range, family, block } of await blocksOf(lists[cdn])) {
      const address = addresses.find((candidate) => isIP(candidate) === family && block.check(candidate, family === 4 ? 'ipv4' : 'ipv6'));
      if (address) return { cdn, address, range };
    }
  }
  return undefined;
}

type RangeBlock = { range: string; family: number; block: import('node:net').BlockList };

// node:net is loaded on the first call, and each list of ranges is turned into BlockLists once
// (the published lists are the same arrays on every call): verifying many hosts costs no more.
let netModule: Promise<typeof import('node:net')> | undefined;
const blocksByList = new WeakMap<readonly string[], RangeBlock[]>();

async function blocksOf(list: readonly string[]): Promise<RangeBlock[]> {
  const known = blocksByList.get(list);
  if (known) return known;
  const { BlockList } = await (netModule ??= import('node:net'));
  const blocks: RangeBlock[] = [];
  for (const range of list) {
    const [prefix = '', bits = ''] = range.split('/');
    const family = isIP(prefix);
    if (family === 0 || !/^\d+$/.test(bits)) continue;
    const block = new BlockList();
    block.addSubnet(prefix, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    blocks.push({ range, family, block });
  }
  // A caller's array may be changed after the call: only frozen or published lists are kept.
  if (Object.isFrozen(list) || Object.values(publishedCdnAddressRanges).includes(list)) blocksByList.set(list, blocks);
  return blocks;
}
