import type { Socket as NetSocket } from 'node:net';
import { Packet, TCPServer, UDPServer } from 'dns2';
import type { Packet as DnsPacket, Question, Resource } from 'dns2';
import { DNS_ADDRESS } from './addresses.js';
import type { DnsRecord, DnsRecordType, DnsZone } from './dns-zone.js';
import { normalizeDnsName } from './dns-zone.js';
import { closeNetServer, isAddressInUse, listenNetServer } from './listen.js';

/** One query the sandbox DNS server received. */
export interface DnsQueryLog {
  /** The queried name, lower-case without a trailing dot. */
  readonly name: string;
  /** The queried type, e.g. `A`, `CNAME`, `TXT`, `AAAA`, or `TYPE65` for one without a name. */
  readonly type: string;
  /** Transport the query came over. */
  readonly transport: 'udp' | 'tcp';
  /** Sandbox clock time the query arrived, in milliseconds since the epoch. */
  readonly receivedAt: number;
  /** What the server answered; `DROPPED` while the server is down. */
  readonly responseCode: 'NOERROR' | 'NXDOMAIN' | 'DROPPED';
  /** Number of answer records sent. */
  readonly answerCount: number;
}

/** A running sandbox DNS server. */
export interface SandboxDnsServer {
  /** The address it listens on (UDP and TCP). */
  readonly host: string;
  /** The port it listens on (UDP and TCP). */
  readonly port: number;
  /** `host:port`, ready for `Resolver.setServers([address])`. */
  readonly address: string;
  /** The records it serves; changes take effect on the next query. */
  readonly zone: DnsZone;
  /** Every query received, oldest first. */
  readonly requests: DnsQueryLog[];
  /** While down, queries are logged and dropped unanswered, as if the server were unreachable. */
  setDown(down: boolean): void;
  /** Whether the server is down (see {@link SandboxDnsServer.setDown}). */
  isDown(): boolean;
  /** Stops listening and drops open TCP connections. Idempotent. */
  close(): Promise<void>;
}

/** Options for {@link startDnsServer}. */
export interface DnsServerOptions {
  /** The zone to serve. */
  readonly zone: DnsZone;
  /** Address to listen on; default {@link DNS_ADDRESS}. */
  readonly host?: string;
  /** Clock for the query log; default `Date.now`. */
  readonly now?: () => number;
}

const responseCodeNumbers = { NOERROR: 0, NXDOMAIN: 3 } as const;
const classInternet = Packet.CLASS.IN;
const maximumTextChunkLength = 255;
const listenAttempts = 8;

const typeNamesByNumber = new Map<number, string>(
  Object.entries(Packet.TYPE).map(([typeName, typeNumber]) => [typeNumber, typeName]),
);

function typeName(typeNumber: number): string {
  return typeNamesByNumber.get(typeNumber) ?? `TYPE${typeNumber}`;
}

function toServedType(typeNumber: number): DnsRecordType | undefined {
  if (typeNumber === Packet.TYPE.A) return 'A';
  if (typeNumber === Packet.TYPE.CNAME) return 'CNAME';
  if (typeNumber === Packet.TYPE.TXT) return 'TXT';
  return undefined;
}

function splitText(value: string): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < value.length; start += maximumTextChunkLength) {
    chunks.push(value.slice(start, start + maximumTextChunkLength));
  }
  return chunks.length === 0 ? [''] : chunks;
}

function toResource(question: Question, record: DnsRecord, isFirst: boolean): Resource {
  // Keep the asker's spelling of the first owner name (resolvers may randomise case).
  const name = isFirst ? question.name : record.name;
  const base = { name, class: classInternet, ttl: record.ttl };
  switch (record.type) {
    case 'A':
      return Packet.createResourceFromQuestion(question, { ...base, type: Packet.TYPE.A, address: record.value });
    case 'CNAME':
      return Packet.createResourceFromQuestion(question, { ...base, type: Packet.TYPE.CNAME, domain: record.value });
    case 'TXT':
      return Packet.createResourceFromQuestion(question, { ...base, type: Packet.TYPE.TXT, data: splitText(record.value) });
  }
}

type QueryHandler = (request: DnsPacket, send: (response: DnsPacket) => Promise<Buffer>, transport: 'udp' | 'tcp') => void;

interface BoundTransports {
  readonly udpServer: UDPServer;
  readonly tcpServer: TCPServer;
  readonly tcpConnections: Set<NetSocket>;
  readonly port: number;
}

function closeUdpServer(udpServer: UDPServer): Promise<void> {
  return new Promise<void>((resolve) => {
    try {
      udpServer.close(() => resolve());
    } catch {
      resolve(); // not running
    }
  });
}

/** Binds UDP on an OS-chosen port, then TCP on the same port; retries if TCP's is taken. */
async function bindTransports(host: string, handle: QueryHandler): Promise<BoundTransports> {
  for (let attempt = 1; ; attempt += 1) {
    const udpServer = new UDPServer({ type: 'udp4' });
    udpServer.on('request', (request, send) => handle(request, send, 'udp'));
    udpServer.on('requestError', () => undefined);
    const tcpServer = new TCPServer();
    const tcpConnections = new Set<NetSocket>();
    tcpServer.on('connection', (socket: NetSocket) => {
      tcpConnections.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => tcpConnections.delete(socket));
    });
    tcpServer.on('request', (request, send) => handle(request, send, 'tcp'));
    tcpServer.on('requestError', () => undefined);

    await new Promise<void>((resolve, reject) => {
      udpServer.once('error', reject);
      udpServer.bind({ port: 0, address: host, exclusive: true }, () => {
        udpServer.off('error', reject);
        resolve();
      });
    });
    udpServer.on('error', () => undefined);
    const port = udpServer.address().port;
    try {
      await listenNetServer(tcpServer, port, host);
      return { udpServer, tcpServer, tcpConnections, port };
    } catch (error) {
      await closeUdpServer(udpServer);
      if (!isAddressInUse(error) || attempt >= listenAttempts) throw error;
    }
  }
}

/**
 * Starts the sandbox DNS server on UDP and TCP (same port, chosen by the OS) and serves
 * `options.zone` like a recursive resolver would: CNAME chains are followed inside the zone and
 * returned with the final records; an unknown name is NXDOMAIN.
 */
export async function startDnsServer(options: DnsServerOptions): Promise<SandboxDnsServer> {
  const zone = options.zone;
  const host = options.host ?? DNS_ADDRESS;
  const now = options.now ?? Date.now;
  const requests: DnsQueryLog[] = [];
  let down = false;

  const handle: QueryHandler = (request, send, transport) => {
    const response = Packet.createResponseFromRequest(request);
    response.header.aa = 1;
    response.header.ra = 1;
    let responseCode: 'NOERROR' | 'NXDOMAIN' = 'NOERROR';
    for (const question of request.questions) {
      const servedType = toServedType(question.type);
      // For a type the zone does not hold, still follow (and return) the CNAME chain.
      const result = zone.lookup(question.name, servedType ?? 'A');
      const answers = servedType === undefined ? result.answers.filter((record) => record.type === 'CNAME') : result.answers;
      if (result.responseCode === 'NXDOMAIN') responseCode = 'NXDOMAIN';
      answers.forEach((record, index) => response.answers.push(toResource(question, record, index === 0)));
      requests.push({
        name: normalizeDnsName(question.name),
        type: typeName(question.type),
        transport,
        receivedAt: now(),
        responseCode: down ? 'DROPPED' : result.responseCode,
        answerCount: down ? 0 : answers.length,
      });
    }
    if (down) return;
    response.header.rcode = responseCodeNumbers[responseCode];
    send(response).catch(() => undefined);
  };

  const { udpServer, tcpServer, tcpConnections, port } = await bindTransports(host, handle);

  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    address: `${host}:${port}`,
    zone,
    requests,
    setDown(value: boolean): void {
      down = value;
    },
    isDown(): boolean {
      return down;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await Promise.all([closeUdpServer(udpServer), closeNetServer(tcpServer, tcpConnections)]);
      })();
      return closing;
    },
  };
}
