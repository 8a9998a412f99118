/**
 * `@sslclick/core/testing`: the conformance suite every adapter runs against the sandbox (apply
 * from nothing, apply again without writes, status, adopt rules, conflict, destroy twice, faults,
 * the end-to-end check through the edge). It needs `vitest`, an optional peer dependency.
 *
 * @packageDocumentation
 * @module @sslclick/core/testing
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SslClickError } from '../errors.js';
import type { ProxyAdapter, ProxyStatus } from '../types.js';
import { verifyHostname } from '../verifier/verify-hostname.js';

/** What the conformance suite needs of the local sandbox (`@sslclick/sandbox` satisfies it). */
export interface ConformanceSandbox {
  /** The sandbox DNS server. */
  dns: {
    /** Its address, as `host:port`. */
    address: string;
  };
  /** The sandbox certificate authority. */
  ca: {
    /** Its root certificate (PEM), trusted by the end-to-end check. */
    certificate: string;
  };
  /** The ports the edge and the origin share. */
  ports: {
    /** The HTTPS port. */
    https: number;
    /** The plain HTTP port. */
    http: number;
  };
  /** The fake SendGrid origin. */
  origin: {
    /** Every request the origin received. */
    requests: ReadonlyArray<{
      /** The `Host` header it came with. */
      host: string;
      /** The request path. */
      path: string;
    }>;
    /** Registers a tracked link for a host; following `clickUrl` redirects to `destination`. */
    createLink(
      hostname: string,
      destination: string,
    ): {
      /** The tracked link to click. */
      clickUrl: string;
    };
  };
  /** Stops every server of the sandbox. */
  close(): Promise<void>;
}

/** How an adapter's test file plugs into the conformance suite. */
export interface ProxyConformanceOptions<World extends ConformanceSandbox> {
  /** The adapter's name in the test titles. */
  name: string;
  /** Starts the sandbox (with the vendor's fake API); closed after the suite. */
  sandbox: () => Promise<World>;
  /** Creates the adapter under test, pointed at the sandbox. */
  createAdapter: (world: World) => ProxyAdapter;
  /**
   * Seeds a fresh branded host in its realistic starting state (a zone, the DNS-only CNAME to
   * sendgrid.net, the branding known to the fake SendGrid) and returns it. Each case gets its own.
   */
  prepareHostname: (world: World) => Promise<string>;
  /** The number of write requests (POST, PUT, PATCH, DELETE) the vendor's fake API has received. */
  countWrites: (world: World) => number;
  /**
   * Publishes records the user must publish by hand (adapters that do not manage DNS), as a user
   * would; `apply` runs again afterwards. Omit for adapters that write DNS themselves.
   */
  publishRecords?: (world: World, status: ProxyStatus) => Promise<void>;
  /**
   * For adapters that do not manage DNS: points the hostname back at SendGrid, as the user would
   * before removing the proxy. With it, the destroy case first expects `destroy` to refuse with
   * `UNSAFE` and no write while the host still points at the CDN.
   */
  restoreDns?: (world: World, hostname: string) => void | Promise<void>;
  /**
   * Puts a resource that sslclick did not create on the hostname (a CDN config of someone else's)
   * and returns a function that snapshots it, to prove `apply` and `destroy` leave it as found.
   */
  createForeignResource?: (world: World, hostname: string) => Promise<() => Promise<unknown>>;
}

const applyTimeout = 120_000;

/**
 * Registers the vitest cases every adapter must pass against the sandbox: apply from nothing
 * reaches ready; apply again writes nothing; status is read-only; a click through the edge reaches
 * SendGrid with the branded Host; a foreign resource is left alone without `adopt`; destroy, and
 * destroy again, succeed and leave nothing owned behind.
 */
export function runProxyConformance<World extends ConformanceSandbox>(options: ProxyConformanceOptions<World>): void {
  describe(`${options.name} conformance`, () => {
    let world: World;
    let adapter: ProxyAdapter;

    beforeAll(async () => {
      world = await options.sandbox();
      adapter = options.createAdapter(world);
    }, applyTimeout);

    afterAll(async () => {
      await world?.close();
    });

    async function applyToReady(hostname: string): Promise<ProxyStatus> {
      let status = await adapter.apply({ hostname });
      if (!status.ready && options.publishRecords && status.dns.required.length > 0) {
        await options.publishRecords(world, status);
        status = await adapter.apply({ hostname });
      }
      return status;
    }

    function verifyThroughSandbox(hostname: string, status: ProxyStatus, sampleLink: string) {
      return verifyHostname(hostname, {
        resolver: world.dns.address,
        ca: world.ca.certificate,
        ports: world.ports,
        sampleLink,
        timeoutMs: 5_000,
        ...(status.edge.target ? { expectedTargets: [status.edge.target, ...(status.dns.observed ?? [])] } : {}),
      });
    }

    it('applies from nothing to ready, with the uniform status', async () => {
      const hostname = await options.prepareHostname(world);
      const status = await applyToReady(hostname);
      expect(status).toMatchObject({ specificationVersion: 'v1', provider: adapter.provider, hostname, origin: 'sendgrid.net' });
      expect(status.state).toBe('ready');
      expect(status.ready).toBe(true);
      expect(status.certificate.state).toBe('issued');
      expect(status.edge.state).toBe('deployed');
      expect(status.resources.some((resource) => resource.owned)).toBe(true);
      expect(status.checks.every((check) => check.ok !== false)).toBe(true);
      expect(Number.isNaN(Date.parse(status.observedAt))).toBe(false);
    }, applyTimeout);

    it('makes no write when apply runs again, and status is read-only', async () => {
      const hostname = await options.prepareHostname(world);
      await applyToReady(hostname);
      const writesBefore = options.countWrites(world);
      const again = await adapter.apply({ hostname });
      expect(again.ready).toBe(true);
      expect(options.countWrites(world)).toBe(writesBefore);
      const status = await adapter.status({ hostname });
      expect(status.ready).toBe(true);
      expect(status.state).toBe('ready');
      expect(options.countWrites(world)).toBe(writesBefore);
    }, applyTimeout);

    it('forwards a click through the sandbox edge to SendGrid with the branded Host', async () => {
      const hostname = await options.prepareHostname(world);
      const status = await applyToReady(hostname);
      const link = world.origin.createLink(hostname, 'https://shop.example.org/welcome');
      const requestsBefore = world.origin.requests.length;
      const result = await verifyThroughSandbox(hostname, status, link.clickUrl);
      expect(result.checks.find((check) => check.id === 'tls-valid')?.ok).toBe(true);
      expect(result.checks.find((check) => check.id === 'reaches-sendgrid')?.ok).toBe(true);
      expect(result.observed.https?.location).toBe('https://shop.example.org/welcome');
      expect(result.ok).toBe(true);
      const seen = world.origin.requests.slice(requestsBefore);
      expect(seen.some((request) => request.host === hostname && request.path === '/ls/click')).toBe(true);
    }, applyTimeout);

    if (options.createForeignResource) {
      const createForeignResource = options.createForeignResource;
      it('leaves a foreign resource on the hostname alone without adopt', async () => {
        const hostname = await options.prepareHostname(world);
        const snapshot = await createForeignResource(world, hostname);
        const before = await snapshot();
        const error = await adapter.apply({ hostname }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(SslClickError.isInstance(error)).toBe(true);
        expect((error as SslClickError).code).toBe('CONFLICT');
        await adapter.destroy({ hostname });
        expect(await snapshot()).toEqual(before);
      }, applyTimeout);
    }

    it('destroys, and destroys again, leaving nothing owned', async () => {
      const hostname = await options.prepareHostname(world);
      await applyToReady(hostname);
      if (options.restoreDns) {
        const writesBefore = options.countWrites(world);
        const refusal = await adapter.destroy({ hostname }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(SslClickError.isInstance(refusal), 'destroy while DNS still points at the CDN must refuse').toBe(true);
        expect((refusal as SslClickError).code).toBe('UNSAFE');
        expect(options.countWrites(world)).toBe(writesBefore);
        await options.restoreDns(world, hostname);
      }
      const first = await adapter.destroy({ hostname });
      expect(first.resources.filter((resource) => resource.owned)).toEqual([]);
      expect(first.ready).toBe(false);
      const writesAfterFirst = options.countWrites(world);
      const second = await adapter.destroy({ hostname });
      expect(second.resources.filter((resource) => resource.owned)).toEqual([]);
      expect(options.countWrites(world)).toBe(writesAfterFirst);
      const status = await adapter.status({ hostname });
      expect(status.resources.filter((resource) => resource.owned)).toEqual([]);
      expect(status.ready).toBe(false);
    }, applyTimeout);
  });
}

export { findSecrets, type SecretSighting } from './secret-scan.js';
export { createEchoSweepRecord, recordingRunOptions, secretsInSweep, sweepEchoFaults, type EchoSweepRecord, type EchoingServer } from './echo-sweep.js';
export { createCountingWriteBudget, type CountingWriteBudget } from './counting-budget.js';
