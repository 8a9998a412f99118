/**
 * Loopback addresses of the sandbox world.
 *
 * On the internet, a client that resolved `sendgrid.net` reaches a different server than one
 * that resolved a CDN edge name. The sandbox models that with two loopback addresses that share
 * port numbers: the CDN edge listens on {@link EDGE_ADDRESS}, the fake SendGrid origin on
 * {@link ORIGIN_ADDRESS}, both on the same HTTPS and HTTP ports.
 *
 * @packageDocumentation
 */

/** Address of the CDN edge (and of the sandbox DNS server). */
export const EDGE_ADDRESS = '127.0.0.1';

/** Address of the fake SendGrid origin; `sendgrid.net` resolves here in the sandbox zone. */
export const ORIGIN_ADDRESS = '127.0.0.2';

/** Address the sandbox DNS server listens on. */
export const DNS_ADDRESS = '127.0.0.1';
