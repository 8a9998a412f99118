const ipv4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * `net.isIP` without loading `node:net` (and the stream modules behind it) when
 * `@sslclick/core` is imported: 4 for an IPv4 address, 6 for an IPv6 one, else 0.
 */
export function isIP(value: string): 0 | 4 | 6 {
  if (ipv4.test(value)) return 4;
  if (value.includes(':') && !/[\s/[\]]/.test(value) && URL.canParse(`http://[${value.replace(/%.*$/, '')}]/`)) return 6;
  return 0;
}
