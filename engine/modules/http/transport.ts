// HTTP exchanges on undici with k6's connection semantics: every VU owns its connections (Go's
// http.Transport per VU in k6), one undici Client per connection, kept alive across the VU's
// iterations; a raw dispatch handler stamps every k6 timing phase; one timer per request bounds
// the whole exchange (k6's `timeout`, error 1050); the loopback guard.
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { type ConnectionOptions, createSecureContext } from 'node:tls';
import { buildConnector, Client } from 'undici';
import { isLoopbackHost } from '../../loopback.ts';
import type { Tags } from '../../metrics/types.ts';
import { batchOptions } from './batch-limits.ts';
import { classifyError, ERROR_CODES } from './errors.ts';
import { type IPPool, localIPsOption } from './local-ips.ts';
import { type TlsClientOptions, type TrustEnv, tlsClientOptions } from './tls.ts';

export interface Timings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

/** What a connection knows once it is up: its set-up times (for the request that opened it) and peer. */
interface ConnectionInfo {
  connecting: number;
  tls: number;
  /** k6's tls_version tag value ('tls1.3'), '' on plain TCP. */
  tlsVersion: string;
  claimed: boolean;
  remoteAddress: string;
  remotePort: number;
}
const CONNECTION_INFO = Symbol('loadlab.connectionInfo');
type TimedSocket = Socket & { [CONNECTION_INFO]?: ConnectionInfo };

/** Who is told when an exchange is over (completed or failed), once. */
export interface ExchangeOwner {
  exchangeDone(exchange: Exchange): void;
}

/** The VU fields the transport reads: its number (source address) and iteration (noVUConnectionReuse). */
export interface ConnectionOwner {
  readonly vu: number;
  readonly iter: number;
}

/**
 * One request/response on the wire, filled in by undici's dispatch callbacks. It reports to its
 * owner directly from the last callback: no promise per exchange between undici and the http module.
 */
export class Exchange {
  readonly start = performance.now();
  sendStart = 0;
  sent = 0;
  firstByte = 0;
  end = 0;
  connecting = 0;
  tls = 0;
  status = 0;
  statusText = '';
  rawHeaders: Buffer[] | null = null;
  /** The body received; null when none arrived before the exchange failed (k6's null body). */
  chunks: Buffer[] | null = [];
  bodySize = 0;
  error: string | null = null;
  errorCode = 0;
  remoteAddress = '';
  remotePort = 0;
  /** The connection's TLS version as k6 tags it ('tls1.3'), '' on plain HTTP. */
  tlsVersion = '';
  private settled = false;
  /** Set by the transport while the exchange is on one of its connections. */
  connection: Connection | null = null;
  timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly keepBody: boolean,
    private readonly owner: ExchangeOwner,
  ) {}

  /** A failed exchange has no status (k6: status 0), keeps the body bytes that did arrive. */
  fail(code: number, message: string): void {
    if (this.settled) return;
    this.errorCode = code;
    this.error = message;
    this.status = 0;
    this.statusText = '';
    this.rawHeaders = null;
    if (this.bodySize === 0) this.chunks = null;
    this.settle();
  }

  private settle(): void {
    this.end = performance.now();
    this.settled = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.connection?.exchangeOver(this);
    this.owner.exchangeDone(this);
  }

  timings(): Timings {
    const end = this.end;
    const sendStart = this.sendStart || end;
    const sent = this.sent || sendStart;
    const firstByte = this.firstByte || (this.status ? sent : end);
    const sending = sent - sendStart;
    const waiting = Math.max(0, firstByte - sent);
    const receiving = this.firstByte === 0 ? 0 : Math.max(0, end - firstByte);
    return {
      // k6: from asking for a connection to having one, so a new connection's connect and TLS times are in it.
      blocked: Math.max(0, sendStart - this.start),
      connecting: this.connecting,
      tls_handshaking: this.tls,
      sending,
      waiting,
      receiving,
      duration: sending + waiting + receiving,
    };
  }

  // undici's dispatch handler interface
  onConnect(): void {
    this.sendStart = performance.now();
    exchangeBeingSent = this;
  }
  onRequestSent(): void {
    this.sent = performance.now();
  }
  onResponseStarted(): void {
    this.firstByte = performance.now();
  }
  onHeaders(status: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (this.firstByte === 0) this.firstByte = performance.now();
    if (this.sent === 0) this.sent = this.firstByte;
    this.status = status;
    this.statusText = statusText;
    this.rawHeaders = rawHeaders;
    return true;
  }
  onData(chunk: Buffer): boolean {
    this.bodySize += chunk.length;
    if (this.keepBody) this.chunks?.push(chunk);
    return true;
  }
  onComplete(): void {
    if (this.settled) return;
    this.settle();
  }
  onError(error: Error): void {
    const [code, message] = classifyError(error as Error & { code?: string });
    this.fail(code, message);
  }
  /** The request's `timeout` passed: k6 cancels the request wherever it is (connecting, waiting, reading). */
  timedOut(): void {
    this.timer = null;
    const connection = this.connection;
    this.fail(ERROR_CODES.requestTimeout, 'request timeout');
    connection?.destroy();
  }
}

// undici writes a request's headers right after calling its handler's onConnect, on the same
// stack, and publishes the socket on this channel: that is where a request learns whether it
// opened the connection (and so carries its connect and TLS times, as in k6).
let exchangeBeingSent: Exchange | null = null;
diagnosticsChannel.subscribe('undici:client:sendHeaders', (message) => {
  const exchange = exchangeBeingSent;
  exchangeBeingSent = null;
  if (exchange === null) return;
  const socket = (message as { socket: TimedSocket }).socket;
  const info = socket[CONNECTION_INFO];
  if (info === undefined) {
    exchange.remoteAddress = socket.remoteAddress ?? '';
    exchange.remotePort = socket.remotePort ?? 0;
    return;
  }
  exchange.remoteAddress = info.remoteAddress;
  exchange.remotePort = info.remotePort;
  exchange.tlsVersion = info.tlsVersion;
  if (!info.claimed) {
    info.claimed = true;
    exchange.connecting = info.connecting;
    exchange.tls = info.tls;
  }
});

export interface TransportOptions {
  allowRemoteTargets: boolean;
  /** k6's noConnectionReuse: no keep-alive at all. */
  noConnectionReuse: boolean;
  /** k6's noVUConnectionReuse: a VU's idle connections are closed between its iterations. */
  noVUConnectionReuse: boolean;
  /** k6's batchPerHost, which k6 also makes the idle connections a VU keeps per host (Go's MaxIdleConnsPerHost). */
  batchPerHost: number;
  /** k6's batch: the idle connections a VU keeps over all hosts (Go's MaxIdleConns; 0 = no limit). */
  batch: number;
  tls: TlsClientOptions;
  /** k6's localIPs: VU n sends from address n-1 of the pool (modulo its size). */
  localIPs: IPPool | null;
}

export interface Dispatch {
  origin: string;
  path: string;
  method: string;
  headers: string[];
  body: Buffer | string | null;
  timeoutMs: number;
  keepBody: boolean;
}

// Go keeps an idle connection until the server closes it (k6 sets no IdleConnTimeout) and ignores
// Keep-Alive hints; undici's keep-alive timer is set beyond any test, and a negative threshold
// turns a server's hint into "longer than that" (the server's own close is what ends it, as with k6).
const KEEP_ALIVE_FOREVER_MS = 2_000_000_000;
// k6's dialer (net.Dialer{Timeout: 30s}) when the request's own timeout is longer.
const DIAL_TIMEOUT_MS = 30_000;

/** One connection of a VU to an origin: an undici Client that holds at most one request at a time. */
export class Connection {
  busy = false;
  constructor(
    readonly client: Client,
    readonly host: HostConnections,
  ) {}

  exchangeOver(exchange: Exchange): void {
    exchange.connection = null;
    this.busy = false;
    this.host.release(this);
  }

  destroy(): void {
    this.host.remove(this);
    this.client.destroy().catch(() => {});
  }
}

/** A VU's connections to one origin. */
export class HostConnections {
  readonly connections: Connection[] = [];
  idle = 0;
  constructor(
    readonly origin: string,
    readonly vu: VUConnections,
  ) {}

  /** An idle connection, or a new one: Go dials when no idle connection is there (no per-host cap). */
  take(): Connection {
    const connections = this.connections;
    if (this.idle > 0) {
      for (let i = connections.length - 1; i >= 0; i--) {
        const connection = connections[i];
        if (!connection.busy) {
          connection.busy = true;
          this.idle--;
          this.vu.idle--;
          return connection;
        }
      }
    }
    const connection = new Connection(this.vu.transport.newClient(this.origin, this.vu.localAddress), this);
    connection.busy = true;
    connections.push(connection);
    return connection;
  }

  /** Back to idle, unless k6 would not keep it: no reuse, or the VU's idle limits are reached. */
  release(connection: Connection): void {
    if (this.connections.indexOf(connection) === -1) return;
    const limits = this.vu.transport.options;
    const perHost = limits.batchPerHost > 0 ? limits.batchPerHost : 2; // Go's DefaultMaxIdleConnsPerHost for 0
    if (limits.noConnectionReuse || this.idle >= perHost || (limits.batch > 0 && this.vu.idle >= limits.batch)) {
      this.remove(connection);
      connection.client.close().catch(() => {});
      return;
    }
    this.idle++;
    this.vu.idle++;
  }

  remove(connection: Connection): void {
    const at = this.connections.indexOf(connection);
    if (at === -1) return;
    this.connections.splice(at, 1);
    if (!connection.busy) {
      this.idle--;
      this.vu.idle--;
    }
  }

  closeIdle(): void {
    for (const connection of this.connections.slice()) {
      if (connection.busy) continue;
      this.remove(connection);
      connection.client.close().catch(() => {});
    }
  }
}

/** Everything one VU holds: its connections per origin (usually one origin, one connection). */
export class VUConnections {
  readonly hosts = new Map<string, HostConnections>();
  idle = 0;
  iteration: number;
  constructor(
    readonly transport: Transport,
    readonly localAddress: string | undefined,
    iteration: number,
  ) {
    this.iteration = iteration;
  }

  host(origin: string): HostConnections {
    let host = this.hosts.get(origin);
    if (host === undefined) {
      host = new HostConnections(origin, this);
      this.hosts.set(origin, host);
    }
    return host;
  }

  closeIdle(): void {
    if (this.idle > 0) for (const host of this.hosts.values()) host.closeIdle();
  }

  destroy(): Promise<unknown> {
    const closing: Promise<unknown>[] = [];
    for (const host of this.hosts.values()) for (const connection of host.connections) closing.push(connection.client.destroy());
    this.hosts.clear();
    this.idle = 0;
    return Promise.allSettled(closing);
  }
}

type Connect = ReturnType<typeof buildConnector>;

/** Node's protocol name ('TLSv1.3') → k6's tls_version tag ('tls1.3'). */
function tlsVersionTag(protocol: string | null): string {
  return protocol === null ? '' : protocol.replace(/^TLSv/, 'tls').replace(/^tls1$/, 'tls1.0');
}

const withTls = new WeakMap<Tags, Map<string, Tags>>();

/** A request's tags plus k6's tls_version system tag for a response that came over TLS (frozen, cached). */
export function withTlsVersion(tags: Tags, exchange: Exchange | null): Tags {
  if (exchange === null || exchange.tlsVersion === '' || exchange.status === 0) return tags;
  let versions = withTls.get(tags);
  if (versions === undefined) {
    versions = new Map();
    withTls.set(tags, versions);
  }
  let tagged = versions.get(exchange.tlsVersion);
  if (tagged === undefined) {
    tagged = Object.freeze({ ...tags, tls_version: exchange.tlsVersion });
    versions.set(exchange.tlsVersion, tagged);
  }
  return tagged;
}

/** undici's connector, stamping each new socket with its TCP connect and TLS handshake times. */
function timedConnector(tls: ConnectionOptions): Connect {
  // One secure context for all connections (trust store, versions, ciphers, client certificate):
  // building it per connection costs more than the handshake. It is made on the first HTTPS
  // connection: without a CA of its own it loads the system roots, which takes long enough to show
  // in a plain-HTTP request's timings. No TLS session cache: Go's client (k6) resumes no sessions,
  // so every new connection does a full handshake.
  const { rejectUnauthorized, ...contextOptions } = tls;
  const plain = buildConnector({ timeout: DIAL_TIMEOUT_MS });
  let secure: Connect | null = null;
  const secureConnector = (): Connect => {
    secure ??= buildConnector({
      secureContext: createSecureContext(contextOptions),
      rejectUnauthorized,
      maxCachedSessions: 0,
      timeout: DIAL_TIMEOUT_MS,
    } as buildConnector.BuildOptions);
    return secure;
  };
  return (opts, callback) => {
    const connector = opts.protocol === 'https:' ? secureConnector() : plain;
    const started = performance.now();
    let tcpDone = 0;
    const socket = connector(opts, (error, connected) => {
      if (connected) {
        const now = performance.now();
        const tcp = tcpDone || now;
        // The peer is read once here, so each request reads two fields instead of two socket getters.
        (connected as TimedSocket)[CONNECTION_INFO] = {
          connecting: tcp - started,
          tls: now - tcp,
          tlsVersion: tlsVersionTag((connected as Socket & { getProtocol?: () => string | null }).getProtocol?.() ?? null),
          claimed: false,
          remoteAddress: connected.remoteAddress ?? '',
          remotePort: connected.remotePort ?? 0,
        };
      }
      callback(error as Error, connected as never);
    }) as unknown as Socket | undefined;
    socket?.once?.('connect', () => {
      tcpDone = performance.now();
    });
  };
}

export class Transport {
  private readonly blocked = new Map<string, boolean>();
  private readonly vus = new Map<ConnectionOwner, VUConnections>();
  /** Connect functions per host name: one for all, unless tlsAuth gives hosts their own client certificates. */
  private readonly connectors = new Map<string, Connect>();

  constructor(readonly options: TransportOptions) {}

  private connectFor(hostname: string): Connect {
    const key = this.options.tls.certificateFor(hostname) === null ? '' : hostname;
    let connect = this.connectors.get(key);
    if (connect === undefined) {
      connect = timedConnector({ ...this.options.tls.connectOptions, ...this.options.tls.certificateFor(hostname) });
      this.connectors.set(key, connect);
    }
    return connect;
  }

  /** Whether a request to this host is refused by the loopback guard. */
  refuses(hostname: string): boolean {
    if (this.options.allowRemoteTargets) return false;
    let refused = this.blocked.get(hostname);
    if (refused === undefined) {
      refused = !isLoopbackHost(hostname);
      this.blocked.set(hostname, refused);
    }
    return refused;
  }

  newClient(origin: string, localAddress: string | undefined): Client {
    return new Client(origin, {
      pipelining: 1,
      connect: this.connectFor(new URL(origin).hostname),
      localAddress,
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: KEEP_ALIVE_FOREVER_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_FOREVER_MS,
      keepAliveTimeoutThreshold: -KEEP_ALIVE_FOREVER_MS,
    });
  }

  private connectionsOf(vu: ConnectionOwner): VUConnections {
    let connections = this.vus.get(vu);
    if (connections === undefined) {
      const localAddress = this.options.localIPs?.addressFor(vu.vu - 1);
      connections = new VUConnections(this, localAddress, vu.iter);
      this.vus.set(vu, connections);
    }
    return connections;
  }

  /** Sends the request on one of the VU's connections; `owner` hears of the outcome once, possibly before this returns. */
  send(request: Dispatch, owner: ExchangeOwner, vu: ConnectionOwner): void {
    const exchange = new Exchange(request.keepBody, owner);
    const connections = this.connectionsOf(vu);
    // k6 closes the VU's idle connections when an iteration ends; here, when its next iteration sends.
    if (connections.iteration !== vu.iter) {
      connections.iteration = vu.iter;
      if (this.options.noVUConnectionReuse) connections.closeIdle();
    }
    let connection: Connection;
    try {
      connection = connections.host(request.origin).take();
    } catch (error) {
      const [code, message] = classifyError(error as Error & { code?: string });
      exchange.fail(code === ERROR_CODES.generic ? ERROR_CODES.invalidUrl : code, message);
      return;
    }
    exchange.connection = connection;
    if (request.timeoutMs > 0) exchange.timer = setTimeout(() => exchange.timedOut(), request.timeoutMs);
    try {
      connection.client.dispatch(
        {
          origin: request.origin,
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body,
          reset: this.options.noConnectionReuse,
        },
        exchange as never,
      );
    } catch (error) {
      const [code, message] = classifyError(error as Error & { code?: string });
      exchange.fail(code === ERROR_CODES.generic ? ERROR_CODES.invalidUrl : code, message);
    }
  }

  /** Connections a VU holds now (open or idle slots), for tests and the idle-memory bench. */
  connectionCount(vu: ConnectionOwner): number {
    let count = 0;
    for (const host of this.vus.get(vu)?.hosts.values() ?? []) count += host.connections.length;
    return count;
  }

  async close(): Promise<void> {
    const vus = [...this.vus.values()];
    this.vus.clear();
    await Promise.allSettled(vus.map((vu) => vu.destroy()));
  }
}

/** The transport k6's options ask for; TLS trust comes from the environment as in Go (SSL_CERT_FILE). */
export function transportFromOptions(options: Record<string, unknown>, allowRemoteTargets: boolean, trustEnv: TrustEnv): Transport {
  return new Transport({
    allowRemoteTargets,
    noConnectionReuse: options.noConnectionReuse === true,
    noVUConnectionReuse: options.noVUConnectionReuse === true,
    ...batchOptions(options),
    tls: tlsClientOptions(options, trustEnv),
    localIPs: localIPsOption(options.localIPs),
  });
}
