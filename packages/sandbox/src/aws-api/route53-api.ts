import { normalizeDnsName } from '../dns-zone.js';
import type { DnsRecordType } from '../dns-zone.js';
import type { VendorRequest, VendorResponse, VendorRouter } from '../vendor-api-server.js';
import { logged } from './aws-api-state.js';
import { restXmlService } from './rest-xml-service.js';
import type { AwsApiState, HostedZoneState } from './aws-api-state.js';
import { childNode, childText, isoTime, listMembers, parseXml, requestId, route53Namespace, upperId, xmlError, xmlResponse } from './aws-wire.js';
import type { XmlNode } from './aws-wire.js';

const apiPrefix = '/2013-04-01';
const supportedTypes: readonly string[] = ['A', 'CNAME', 'TXT'];

function error(status: number, code: string, message: string): VendorResponse {
  return xmlError(route53Namespace, status, code, message);
}

/**
 * Route 53's `InvalidChangeBatch`: HTTP 400 with its own root element and one `Message` per
 * refused change, not the `<ErrorResponse><Error><Code>` of its other errors (aws/aws-sdk-go
 * `service/route53/unmarshal_error.go` parses exactly this shape).
 */
function invalidChangeBatch(messages: readonly string[]): VendorResponse {
  return xmlResponse(400, 'InvalidChangeBatch', route53Namespace, { Messages: { Message: [...messages] }, RequestId: requestId() });
}

/** Whether a name is the zone's apex or below it. */
function isInZone(name: string, zoneName: string): boolean {
  return name === zoneName || name.endsWith(`.${zoneName}`);
}

/** Route 53's sort key: labels reversed (`com.example.www`). */
function sortKey(name: string): string {
  return name.split('.').reverse().join('.');
}

/** A record set as Route 53 holds it: one name and type, its TTL and values. */
interface RecordSet {
  name: string;
  type: string;
  ttl: number;
  values: string[];
}

/** The record sets of a hosted zone: the sandbox zone's records below it, plus the apex SOA and NS. */
function recordSetsOf(state: AwsApiState, zone: HostedZoneState): RecordSet[] {
  const grouped = new Map<string, RecordSet>();
  for (const record of state.sandbox.dns.zone.records()) {
    if (!isInZone(record.name, zone.name)) continue;
    const key = `${record.name}|${record.type}`;
    const existing = grouped.get(key);
    const value = record.type === 'CNAME' ? `${record.value}.` : record.type === 'TXT' ? `"${record.value}"` : record.value;
    if (existing) existing.values.push(value);
    else grouped.set(key, { name: record.name, type: record.type, ttl: record.ttl, values: [value] });
  }
  const apex: RecordSet[] = [
    { name: zone.name, type: 'NS', ttl: 172800, values: ['ns-1.awsdns-sandbox.com.', 'ns-2.awsdns-sandbox.net.'] },
    { name: zone.name, type: 'SOA', ttl: 900, values: ['ns-1.awsdns-sandbox.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'] },
  ];
  return [...apex, ...grouped.values()].sort((left, right) => {
    const byName = sortKey(left.name).localeCompare(sortKey(right.name));
    return byName !== 0 ? byName : left.type.localeCompare(right.type);
  });
}

function recordSetXml(set: RecordSet): XmlNode {
  return {
    Name: `${set.name}.`,
    Type: set.type,
    TTL: String(set.ttl),
    ResourceRecords: { ResourceRecord: set.values.map((Value) => ({ Value })) },
  };
}

function hostedZoneXml(state: AwsApiState, zone: HostedZoneState): XmlNode {
  return {
    Id: `/hostedzone/${zone.id}`,
    Name: `${zone.name}.`,
    CallerReference: zone.callerReference,
    Config: { ...(zone.comment ? { Comment: zone.comment } : {}), PrivateZone: 'false' },
    ResourceRecordSetCount: String(recordSetsOf(state, zone).length),
  };
}

function zoneIdOf(value: string): string {
  return value.replace(/^\/?hostedzone\//, '');
}

function stripValue(type: string, value: string): string {
  if (type === 'CNAME') return normalizeDnsName(value);
  if (type === 'TXT') return value.replace(/^"(.*)"$/, '$1');
  return value;
}

/** Applies a change batch atomically: every change is checked against the result of the ones before it. */
function applyChanges(state: AwsApiState, zone: HostedZoneState, changes: XmlNode[]): VendorResponse | undefined {
  const working = new Map<string, Map<string, RecordSet>>();
  const setsAt = (name: string): Map<string, RecordSet> => {
    let sets = working.get(name);
    if (!sets) {
      sets = new Map(recordSetsOf(state, zone).filter((set) => set.name === name).map((set) => [set.type, { ...set, values: [...set.values] }]));
      working.set(name, sets);
    }
    return sets;
  };
  const messages: string[] = [];
  for (const change of changes) {
    const action = childText(change, 'Action');
    const set = childNode(change, 'ResourceRecordSet');
    const name = normalizeDnsName((childText(set, 'Name') ?? '').replace(/\\052/g, '*'));
    const type = childText(set, 'Type') ?? '';
    const ttl = Number.parseInt(childText(set, 'TTL') ?? '', 10);
    const values = listMembers(childNode(set, 'ResourceRecords'), 'ResourceRecord').map((record) =>
      typeof record === 'object' && !Array.isArray(record) ? (childText(record, 'Value') ?? '') : '',
    );
    const label = `[name='${name}.', type='${type}']`;
    if (!isInZone(name, zone.name)) {
      messages.push(`RRSet with DNS name ${name}. is not permitted in zone ${zone.name}.`);
      continue;
    }
    if (!supportedTypes.includes(type) || (name === zone.name && ['NS', 'SOA'].includes(type))) {
      messages.push(`The sandbox's Route 53 accepts only A, CNAME and TXT record changes, not ${type}.`);
      continue;
    }
    if (childNode(set, 'AliasTarget') !== undefined) {
      messages.push('The sandbox Route 53 does not support alias records.');
      continue;
    }
    if (values.length === 0 || Number.isNaN(ttl)) {
      messages.push(`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change with ${label}`);
      continue;
    }
    if (type === 'CNAME' && values.length > 1) {
      messages.push(`RRSet of type CNAME with DNS name ${name}. has more than one value.`);
      continue;
    }
    const sets = setsAt(name);
    const current = sets.get(type);
    if (action === 'DELETE') {
      const same = current && current.ttl === ttl && [...current.values].sort().join('\n') === [...values].sort().join('\n');
      if (!current) messages.push(`Tried to delete resource record set ${label} but it was not found`);
      else if (!same) messages.push(`Tried to delete resource record set ${label} but the values provided do not match the current values`);
      else sets.delete(type);
      continue;
    }
    if (action === 'CREATE' && current) {
      messages.push(`Tried to create resource record set ${label} but it already exists`);
      continue;
    }
    if (action !== 'CREATE' && action !== 'UPSERT') {
      messages.push(`Invalid action ${String(action)}.`);
      continue;
    }
    const others = [...sets.keys()].filter((other) => other !== type);
    if (type === 'CNAME' && others.length > 0) {
      messages.push(`RRSet of type CNAME with DNS name ${name}. is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}.`);
      continue;
    }
    if (type !== 'CNAME' && sets.has('CNAME')) {
      messages.push(`RRSet of type ${type} with DNS name ${name}. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zone.name}.`);
      continue;
    }
    sets.set(type, { name, type, ttl, values });
  }
  if (messages.length > 0) return invalidChangeBatch(messages);
  const dnsZone = state.sandbox.dns.zone;
  for (const [name, sets] of working) {
    dnsZone.deleteRecord(name);
    for (const set of sets.values()) {
      if (set.type === 'NS' || set.type === 'SOA') continue;
      dnsZone.setRecord({ name, type: set.type as DnsRecordType, value: set.values.map((value) => stripValue(set.type, value)), ttl: set.ttl });
    }
  }
  return undefined;
}

/**
 * The fake Route 53 API, REST-XML 2013-04-01: hosted zones by name, get a zone, list and change
 * record sets, change status. A hosted zone's records are the sandbox DNS zone's records below
 * its name, so what Route 53 holds is what the sandbox DNS server answers.
 */
export function route53Routes(state: AwsApiState): (router: VendorRouter) => void {
  const { gate, finish } = restXmlService(state, 'route53', route53Namespace);
  const zoneFor = (id: string | undefined): HostedZoneState | undefined => state.hostedZones.get(zoneIdOf(id ?? ''));

  return (router) => {
    router.add('GET', `${apiPrefix}/hostedzonesbyname`, async (request) => {
      const denied = gate(request, 'ListHostedZonesByName');
      if (denied) return logged(state, 'route53', 'ListHostedZonesByName', false, denied);
      const dnsName = normalizeDnsName(request.query.get('dnsname') ?? '');
      const maxItems = Math.max(1, Math.min(100, Number.parseInt(request.query.get('maxitems') ?? '100', 10) || 100));
      const zones = [...state.hostedZones.values()].sort((left, right) => sortKey(left.name).localeCompare(sortKey(right.name)));
      const start = dnsName === '' ? 0 : zones.findIndex((zone) => sortKey(zone.name).localeCompare(sortKey(dnsName)) >= 0);
      const page = start < 0 ? [] : zones.slice(start, start + maxItems);
      const next = start < 0 ? undefined : zones[start + maxItems];
      const body: XmlNode = {
        HostedZones: page.length > 0 ? { HostedZone: page.map((zone) => hostedZoneXml(state, zone)) } : '',
        ...(dnsName ? { DNSName: `${dnsName}.` } : {}),
        IsTruncated: String(next !== undefined),
        MaxItems: String(maxItems),
        ...(next ? { NextDNSName: `${next.name}.`, NextHostedZoneId: `/hostedzone/${next.id}` } : {}),
      };
      return finish('ListHostedZonesByName', false, xmlResponse(200, 'ListHostedZonesByNameResponse', route53Namespace, body));
    });

    router.add('GET', `${apiPrefix}/hostedzone/:id`, async (request) => {
      const denied = gate(request, 'GetHostedZone');
      if (denied) return logged(state, 'route53', 'GetHostedZone', false, denied);
      const zone = zoneFor(request.params.id);
      if (!zone) return finish('GetHostedZone', false, error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${request.params.id ?? ''}`));
      const body: XmlNode = {
        HostedZone: hostedZoneXml(state, zone),
        DelegationSet: { NameServers: { NameServer: ['ns-1.awsdns-sandbox.com', 'ns-2.awsdns-sandbox.net'] } },
      };
      return finish('GetHostedZone', false, xmlResponse(200, 'GetHostedZoneResponse', route53Namespace, body), zone.id);
    });

    router.add('GET', `${apiPrefix}/hostedzone/:id/rrset`, async (request) => {
      const denied = gate(request, 'ListResourceRecordSets');
      if (denied) return logged(state, 'route53', 'ListResourceRecordSets', false, denied);
      const zone = zoneFor(request.params.id);
      if (!zone) return finish('ListResourceRecordSets', false, error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${request.params.id ?? ''}`));
      const startName = normalizeDnsName(request.query.get('name') ?? '');
      const startType = request.query.get('type') ?? '';
      if (startType !== '' && startName === '') return finish('ListResourceRecordSets', false, error(400, 'InvalidInput', 'The type parameter requires the name parameter.'));
      const maxItems = Math.max(1, Math.min(300, Number.parseInt(request.query.get('maxitems') ?? '300', 10) || 300));
      const sets = recordSetsOf(state, zone);
      const start =
        startName === ''
          ? 0
          : sets.findIndex((set) => {
              const byName = sortKey(set.name).localeCompare(sortKey(startName));
              return byName > 0 || (byName === 0 && set.type.localeCompare(startType) >= 0);
            });
      const page = start < 0 ? [] : sets.slice(start, start + maxItems);
      const next = start < 0 ? undefined : sets[start + maxItems];
      const body: XmlNode = {
        ResourceRecordSets: page.length > 0 ? { ResourceRecordSet: page.map(recordSetXml) } : '',
        IsTruncated: String(next !== undefined),
        MaxItems: String(maxItems),
        ...(next ? { NextRecordName: `${next.name}.`, NextRecordType: next.type } : {}),
      };
      return finish('ListResourceRecordSets', false, xmlResponse(200, 'ListResourceRecordSetsResponse', route53Namespace, body), zone.id);
    });

    router.add('POST', `${apiPrefix}/hostedzone/:id/rrset`, async (request) => {
      const denied = gate(request, 'ChangeResourceRecordSets');
      if (denied) return logged(state, 'route53', 'ChangeResourceRecordSets', true, denied);
      const zone = zoneFor(request.params.id);
      if (!zone) return finish('ChangeResourceRecordSets', true, error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${request.params.id ?? ''}`));
      let body: XmlNode;
      try {
        body = parseXml(request.text());
      } catch {
        return finish('ChangeResourceRecordSets', true, error(400, 'InvalidInput', 'The request body is not XML.'), zone.id);
      }
      const batch = childNode(childNode(body, 'ChangeResourceRecordSetsRequest'), 'ChangeBatch');
      const changes = listMembers(childNode(batch, 'Changes'), 'Change').filter(
        (change): change is XmlNode => typeof change === 'object' && !Array.isArray(change),
      );
      if (changes.length === 0) return finish('ChangeResourceRecordSets', true, error(400, 'InvalidInput', 'The change batch has no changes.'), zone.id);
      const failed = applyChanges(state, zone, changes);
      if (failed) return finish('ChangeResourceRecordSets', true, failed, zone.id);
      // Route 53's change ids: `C` and 13 upper-case letters and digits (`/change/C2682N5HXP0BZ4`).
      const id = upperId('C', 13);
      const submittedAt = state.now();
      state.changes.set(id, { submittedAt });
      const changeInfo: XmlNode = {
        Id: `/change/${id}`,
        Status: state.options.changePropagationDelayMs > 0 ? 'PENDING' : 'INSYNC',
        SubmittedAt: isoTime(submittedAt),
        ...(childText(batch, 'Comment') ? { Comment: childText(batch, 'Comment') ?? '' } : {}),
      };
      return finish('ChangeResourceRecordSets', true, xmlResponse(200, 'ChangeResourceRecordSetsResponse', route53Namespace, { ChangeInfo: changeInfo }), zone.id);
    });

    router.add('GET', `${apiPrefix}/change/:id`, async (request) => {
      const denied = gate(request, 'GetChange');
      if (denied) return logged(state, 'route53', 'GetChange', false, denied);
      const id = (request.params.id ?? '').replace(/^\/?change\//, '');
      const change = state.changes.get(id);
      if (!change) return finish('GetChange', false, error(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`));
      const insync = state.now() >= change.submittedAt + state.options.changePropagationDelayMs;
      const changeInfo: XmlNode = { Id: `/change/${id}`, Status: insync ? 'INSYNC' : 'PENDING', SubmittedAt: isoTime(change.submittedAt) };
      return finish('GetChange', false, xmlResponse(200, 'GetChangeResponse', route53Namespace, { ChangeInfo: changeInfo }));
    });
  };
}
