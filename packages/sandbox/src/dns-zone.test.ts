import { describe, expect, it } from 'vitest';
import { DnsZone, normalizeDnsName } from './dns-zone.js';
import { SandboxClock } from './clock.js';

describe('DnsZone', () => {
  it('normalises names and replaces records of the same name and type', () => {
    const zone = new DnsZone();
    zone.setRecord({ name: 'Host.Example.COM.', type: 'A', value: '127.0.0.5' });
    zone.setRecord({ name: 'host.example.com', type: 'A', value: ['127.0.0.6', '127.0.0.7'], ttl: 60 });
    zone.setRecord({ name: 'host.example.com', type: 'TXT', value: 'hello' });
    expect(zone.getRecords('HOST.example.com')).toEqual([
      { name: 'host.example.com', type: 'A', value: '127.0.0.6', ttl: 60 },
      { name: 'host.example.com', type: 'A', value: '127.0.0.7', ttl: 60 },
      { name: 'host.example.com', type: 'TXT', value: 'hello', ttl: 300 },
    ]);
    expect(normalizeDnsName('A.B.')).toBe('a.b');
  });

  it('lets a CNAME exclude every other type at its name', () => {
    const zone = new DnsZone();
    zone.setRecord({ name: 'link.example.com', type: 'A', value: '127.0.0.5' });
    zone.setRecord({ name: 'link.example.com', type: 'CNAME', value: 'Target.Example.NET.' });
    expect(zone.getRecords('link.example.com')).toEqual([
      { name: 'link.example.com', type: 'CNAME', value: 'target.example.net', ttl: 300 },
    ]);
    expect(() => zone.setRecord({ name: 'link.example.com', type: 'TXT', value: 'x' })).toThrow(/CNAME/);
    expect(() => zone.setRecord({ name: 'bad.example.com', type: 'A', value: 'not-an-address' })).toThrow(TypeError);
  });

  it('follows CNAME chains and tells NXDOMAIN from no data', () => {
    const zone = new DnsZone();
    zone.setRecord({ name: 'a.example.com', type: 'CNAME', value: 'b.example.net' });
    zone.setRecord({ name: 'b.example.net', type: 'CNAME', value: 'c.example.org' });
    zone.setRecord({ name: 'c.example.org', type: 'A', value: '127.0.0.9' });
    const result = zone.lookup('a.example.com', 'A');
    expect(result.responseCode).toBe('NOERROR');
    expect(result.answers.map((record) => `${record.type} ${record.value}`)).toEqual([
      'CNAME b.example.net',
      'CNAME c.example.org',
      'A 127.0.0.9',
    ]);
    expect(zone.lookup('a.example.com', 'CNAME').answers).toHaveLength(1);
    expect(zone.resolveAddresses('a.example.com')).toEqual(['127.0.0.9']);
    expect(zone.lookup('missing.example.com', 'A').responseCode).toBe('NXDOMAIN');
    // An empty non-terminal exists: no data, not NXDOMAIN.
    expect(zone.lookup('example.com', 'A')).toEqual({ responseCode: 'NOERROR', answers: [] });
    expect(zone.lookup('c.example.org', 'TXT')).toEqual({ responseCode: 'NOERROR', answers: [] });
  });

  it('stops on CNAME loops', () => {
    const zone = new DnsZone();
    zone.setRecord({ name: 'x.test', type: 'CNAME', value: 'y.test' });
    zone.setRecord({ name: 'y.test', type: 'CNAME', value: 'x.test' });
    expect(zone.lookup('x.test', 'A').answers).toHaveLength(2);
  });

  it('deletes by name, or by name and type', () => {
    const zone = new DnsZone();
    zone.setRecord({ name: 'd.test', type: 'A', value: '127.0.0.1' });
    zone.setRecord({ name: 'd.test', type: 'TXT', value: 'v' });
    expect(zone.deleteRecord('d.test', 'TXT')).toBe(1);
    expect(zone.records()).toHaveLength(1);
    expect(zone.deleteRecord('d.test')).toBe(1);
    expect(zone.deleteRecord('d.test')).toBe(0);
    expect(zone.records()).toEqual([]);
  });
});

describe('SandboxClock', () => {
  it('advances and emits', () => {
    const clock = new SandboxClock();
    const steps: number[] = [];
    clock.on('advance', (milliseconds) => steps.push(milliseconds));
    const before = clock.now();
    clock.advance(60_000);
    expect(clock.now() - before).toBeGreaterThanOrEqual(60_000);
    expect(clock.offsetMilliseconds).toBe(60_000);
    expect(steps).toEqual([60_000]);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
