import { describe, expect, it } from 'vitest';
import { cachedLookup, createLookupCache } from './lookup-cache.js';

describe('createLookupCache', () => {
  it('finds a key once, sharing a lookup under way', async () => {
    const cache = createLookupCache();
    let calls = 0;
    const find = async (): Promise<string> => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 'zone-1';
    };
    const [first, second] = await Promise.all([cache.get('zone:a', find), cache.get('zone:a', find)]);
    expect([first, second, await cache.get('zone:a', find)]).toEqual(['zone-1', 'zone-1', 'zone-1']);
    expect(calls).toBe(1);
  });

  it('remembers neither a failure nor "not found"', async () => {
    const cache = createLookupCache();
    await expect(cache.get('zone:a', () => Promise.reject(new Error('lost')))).rejects.toThrow('lost');
    expect(await cache.get('zone:a', async () => undefined)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(await cache.get('zone:a', async () => 'found')).toBe('found');
  });

  it('forgets a key and the keys under it, and nothing else', async () => {
    const cache = createLookupCache();
    await cache.get('s:service:a', async () => 1);
    await cache.get('s:service:a:version', async () => 2);
    await cache.get('s:service:ab', async () => 3);
    cache.invalidate('s:service:a');
    expect(await cache.get('s:service:a', async () => 10)).toBe(10);
    expect(await cache.get('s:service:a:version', async () => 20)).toBe(20);
    expect(await cache.get('s:service:ab', async () => 30)).toBe(3);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('without a cache, every lookup runs', async () => {
    let calls = 0;
    const find = async (): Promise<number> => (calls += 1);
    await cachedLookup(undefined, 'k', find);
    await cachedLookup(undefined, 'k', find);
    expect(calls).toBe(2);
  });
});

describe('cachedLookup', () => {
  it('keeps an absent answer only when asked to', async () => {
    const cache = createLookupCache();
    let calls = 0;
    const find = async (): Promise<string | undefined> => {
      calls += 1;
      return undefined;
    };
    await cachedLookup(cache, 'a', find);
    await cachedLookup(cache, 'a', find);
    expect(calls).toBe(2);
    expect(await cachedLookup(cache, 'b', find, { rememberAbsent: true })).toBeUndefined();
    expect(await cachedLookup(cache, 'b', find, { rememberAbsent: true })).toBeUndefined();
    expect(calls).toBe(3);
  });
});
