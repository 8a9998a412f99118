import { createHash, randomBytes } from 'node:crypto';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { VendorErrorFormat, VendorRequest, VendorResponse } from '../vendor-api-server.js';

/**
 * A parsed XML element as the AWS fakes hold it: child elements by name, text as strings (never
 * parsed into numbers, so a config round-trips byte for byte), repeated list members as arrays.
 */
export interface XmlNode {
  [name: string]: XmlValue;
}

/** The value of one XML child element. */
export type XmlValue = string | XmlNode | XmlValue[];

/** The XML namespaces of the two REST-XML services. */
export const cloudFrontNamespace = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
export const route53Namespace = 'https://route53.amazonaws.com/doc/2013-04-01/';

// The elements whose children are list members. CloudFront wraps every list in `Items`; Route 53
// names the wrapper after the list. Children of these are always arrays, even with one member.
const listParents = new Set(['Items', 'HostedZones', 'ResourceRecordSets', 'ResourceRecords', 'Changes', 'NameServers', 'Messages']);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  isArray: (_tagName, jPath, _isLeafNode, isAttribute) =>
    !isAttribute && typeof jPath === 'string' && listParents.has(jPath.split('.').at(-2) ?? ''),
});

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

/** Parses an XML request body; throws on a body that is not XML. */
export function parseXml(text: string): XmlNode {
  const parsed: unknown = parser.parse(text, true);
  if (parsed === null || typeof parsed !== 'object') throw new TypeError('The body is not XML.');
  return parsed as XmlNode;
}

/** Builds an XML document with one root element in the given namespace. */
export function buildXml(root: string, namespace: string, body: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: { '@_xmlns': namespace, ...body } }) as string}`;
}

/** A child element as a node (`undefined` when absent or text). */
export function childNode(node: XmlNode | undefined, name: string): XmlNode | undefined {
  const value = node?.[name];
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** The text of a child element, or `undefined`. */
export function childText(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** The members of a list: `node.Items.<member>` for CloudFront, `node.<member>` for Route 53 wrappers. */
export function listMembers(wrapper: XmlNode | undefined, member: string): XmlValue[] {
  const value = wrapper?.[member];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The members of a CloudFront `{ Quantity, Items }` list. */
export function itemsOf(node: XmlNode | undefined, member: string): XmlValue[] {
  return listMembers(childNode(node, 'Items'), member);
}

/** The text members of a CloudFront list (aliases, methods). */
export function itemTexts(node: XmlNode | undefined, member: string): string[] {
  return itemsOf(node, member).filter((value): value is string => typeof value === 'string');
}

/** The node members of a CloudFront list (origins, tags). */
export function itemNodes(node: XmlNode | undefined, member: string): XmlNode[] {
  return itemsOf(node, member).filter((value): value is XmlNode => typeof value === 'object' && !Array.isArray(value));
}

/** A CloudFront `{ Quantity, Items }` list node. */
export function quantityList(member: string, values: XmlValue[]): XmlNode {
  return values.length === 0 ? { Quantity: '0' } : { Quantity: String(values.length), Items: { [member]: values } };
}

/** A deep copy of a node (configs are stored and handed out as copies). */
export function cloneNode<Node extends XmlValue>(node: Node): Node {
  return structuredClone(node);
}

/** A new AWS-style request id. */
export function requestId(): string {
  return randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
}

/** An id of upper-case letters and digits, like CloudFront's `E2QWRUHAPOMQZL`. */
export function upperId(prefix: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(length);
  let id = prefix;
  for (let index = 0; index < length; index += 1) id += alphabet[(bytes[index] ?? 0) % alphabet.length];
  return id;
}

/** A short stable hex digest. */
export function digest(text: string, length = 32): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** An XML response in the AWS REST-XML style. */
export function xmlResponse(status: number, root: string, namespace: string, body: XmlNode, headers: Record<string, string> = {}): VendorResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId(), ...headers },
    body: buildXml(root, namespace, body),
  };
}

/** An AWS REST-XML error (`<ErrorResponse><Error><Code>`), which the SDKs turn into named exceptions. */
export function xmlError(namespace: string, status: number, code: string, message: string): VendorResponse {
  return xmlResponse(status, 'ErrorResponse', namespace, {
    Error: { Type: status >= 500 ? 'Receiver' : 'Sender', Code: code, Message: message },
    RequestId: requestId(),
  });
}

/** An AWS JSON 1.1 error (`{ "__type", "message" }`). */
export function jsonError(status: number, type: string, message: string): VendorResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId() },
    body: { __type: type, message },
  };
}

/** An AWS JSON 1.1 success. */
export function jsonResponse(body: Record<string, unknown>): VendorResponse {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId() }, body };
}

function errorCodeFor(status: number, json: boolean): string {
  if (status === 429) return json ? 'ThrottlingException' : 'Throttling';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return json ? 'InternalFailure' : 'InternalError';
  return json ? 'ValidationException' : 'InvalidArgument';
}

function echoedCode(status: number, json: boolean): string {
  return status === 401 ? (json ? 'UnrecognizedClientException' : 'InvalidClientTokenId') : status === 403 ? (json ? 'AccessDeniedException' : 'AccessDenied') : errorCodeFor(status, json);
}

/**
 * How injected faults look in a REST-XML service. An echo quotes the credential in Type, Message
 * and RequestId; the Code stays a bare exception name, because the SDK makes it the error's
 * `name` as it is (a gateway echoing the request writes text, not AWS exception codes).
 */
export function xmlErrorFormat(namespace: string): VendorErrorFormat {
  return {
    error: (status, message) => xmlError(namespace, status, errorCodeFor(status, false), message),
    echo: (status, quoted) =>
      xmlResponse(status, 'ErrorResponse', namespace, {
        Error: { Type: `${status >= 500 ? 'Receiver' : 'Sender'} ${quoted}`, Code: echoedCode(status, false), Message: `Refused: ${quoted}` },
        RequestId: quoted,
      }),
  };
}

/**
 * How injected faults look in a JSON 1.1 service. An echo quotes the credential in `__type` after
 * a colon (the SDKs read only what precedes it as the exception name, as with
 * `aws.protocoldocs#Name:http://…` type strings), in `message` and in `Message`.
 */
export const jsonErrorFormat: VendorErrorFormat = {
  error: (status, message) => jsonError(status, errorCodeFor(status, true), message),
  echo: (status, quoted) => ({
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId() },
    body: { __type: `${echoedCode(status, true)}:${quoted}`, message: `Refused: ${quoted}`, Message: `Refused: ${quoted}` },
  }),
};

/** The access key id in a SigV4 `Authorization` header, or `undefined`. */
export function accessKeyIdOf(request: VendorRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  return /Credential=([^/,\s]+)\//.exec(header)?.[1];
}

/** Text as an ISO 8601 timestamp, the way REST-XML services write times. */
export function isoTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}
