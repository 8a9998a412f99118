/// <reference types="@fastly/js-compute" />
/**
 * The Compute entry point: every request goes through `handle` to the static backend, with the
 * cache passed so that each click and open reaches SendGrid, and the viewer's address (which
 * Compute does not forward by itself) in `X-Forwarded-For`.
 */
import { CacheOverride } from 'fastly:cache-override';
import { handle } from './handler.js';

addEventListener('fetch', (event) =>
  event.respondWith(
    handle(
      event.request,
      (request, options) => fetch(request, { backend: options.backend, cacheOverride: new CacheOverride(options.cache) }),
      { address: event.client.address },
    ),
  ),
);
