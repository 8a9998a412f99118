import { describe, expect, it } from 'vitest';
import { SslClickError } from '@sslclick/core';
import { createDomainBatch, type DomainChange } from '../src/domain-batch.js';

describe('createDomainBatch', () => {
  it('runs the changes submitted within the window as one batch, and those arriving during it as the next', async () => {
    const batches: string[][] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const batch = createDomainBatch<null>({
      windowMs: 20,
      run: async (changes) => {
        batches.push(changes.map((change) => `${change.action} ${change.hostname}`));
        if (batches.length === 1) await held;
        return new Map();
      },
    });
    const first = ['a', 'b', 'c'].map((hostname) => batch.submit({ hostname, action: 'add', request: null }));
    await new Promise((resolve) => setTimeout(resolve, 40));
    const later = [batch.submit({ hostname: 'd', action: 'add', request: null }), batch.submit({ hostname: 'a', action: 'remove', request: null })];
    release();
    await Promise.all([...first, ...later]);
    expect(batches).toEqual([['add a', 'add b', 'add c'], ['add d', 'remove a']]);
    expect(batch.batches()).toBe(2);
  });

  it('fails only the host the batch says failed; a throw fails them all', async () => {
    const refused = new SslClickError({ code: 'CONFLICT', provider: 'fastly', operation: 'domain.create', message: 'taken' });
    const batch = createDomainBatch<null>({ windowMs: 5, run: async (changes: ReadonlyArray<DomainChange<null>>) => new Map(changes.filter((change) => change.hostname === 'b').map((change) => [change.hostname, refused])) });
    const results = await Promise.allSettled(['a', 'b'].map((hostname) => batch.submit({ hostname, action: 'add', request: null })));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    const failing = createDomainBatch<null>({ windowMs: 5, run: () => Promise.reject(new Error('down')) });
    await expect(failing.submit({ hostname: 'a', action: 'add', request: null })).rejects.toThrow('down');
  });

  it('a call aborted while queued leaves the queue with ABORTED; the others still run', async () => {
    const seen: string[] = [];
    const batch = createDomainBatch<null>({ windowMs: 30, run: async (changes) => (seen.push(...changes.map((change) => change.hostname)), new Map()) });
    const controller = new AbortController();
    const aborted = batch.submit({ hostname: 'a', action: 'add', request: null }, controller.signal);
    const kept = batch.submit({ hostname: 'b', action: 'add', request: null });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    await kept;
    expect(seen).toEqual(['b']);
  });

  it('a later change of the same host replaces an earlier opposite one, which is told so', async () => {
    const batch = createDomainBatch<null>({ windowMs: 10, run: async () => new Map() });
    const added = batch.submit({ hostname: 'a', action: 'add', request: null });
    const removed = batch.submit({ hostname: 'a', action: 'remove', request: null });
    await expect(added).rejects.toMatchObject({ code: 'CONFLICT' });
    await removed;
  });
});
