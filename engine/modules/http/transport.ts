// HTTP exchanges on undici: one Pool per origin (keep-alive, pipelining 1) shared by the VUs of a
// thread, a raw dispatch handler that stamps every k6 timing phase, a connector that times TCP and
// TLS set-up, and the loopback guard.
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { buildConnector, Pool } from 'undici';
import { isLoopbackHost } from '../../loopback.ts';
import { classifyError, ERROR_CODES } from './errors.ts';

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
  chunks: Buffer[] = [];
  bodySize = 0;
  error: string | null = null;
  errorCode = 0;
  remoteAddress = '';
  remotePort = 0;
  private settled = false;

  constructor(
    private readonly keepBody: boolean,
    private readonly owner: ExchangeOwner,
  ) {}

  fail(code: number, message: string): void {
    if (this.settled) return;
    this.errorCode = code;
    this.error = message;
    this.end = performance.now();
    this.settled = true;
    this.owner.exchangeDone(this);
  }

  timings(): Timings {
    const end = this.end;
    const sendStart = this.sendStart || end;
    const sent = this.sent || sendStart;
    const firstByte = this.firstByte || (this.status ? sent : end);
    const sending = sent - sendStart;
    const waiting = Math.max(0, firstByte - sent);
    const receiving = Math.max(0, end - firstByte);
    return {
      blocked: Math.max(0, sendStart - this.start - this.connecting - this.tls),
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
    if (this.keepBody) this.chunks.push(chunk);
    return true;
  }
  onComplete(): void {
    if (this.settled) return;
    this.end = performance.now();
    this.settled = true;
    this.owner.exchangeDone(this);
  }
  onError(error: Error): void {
    const [code, message] = classifyError(error as Error & { code?: string });
    this.fail(code, message);
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
  if (!info.claimed) {
    info.claimed = true;
    exchange.connecting = info.connecting;
    exchange.tls = info.tls;
  }
});


export interface TransportOptions {
  allowRemoteTargets: boolean;
  insecureSkipTLSVerify: boolean;
  noConnectionReuse: boolean;
  /** Connections per origin and thread; more VUs wait for a free connection (measured as http_req_blocked).
   *  undici's Pool looks for a free connection linearly, so a few hundred keep dispatch cheap. */
  connectionsPerOrigin: number;
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

export class Transport {
  private readonly pools = new Map<string, Pool>();
  private readonly blocked = new Map<string, boolean>();

  constructor(private readonly options: TransportOptions) {}

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

  /** Sends the request; `owner` hears of the outcome once, possibly before this returns. */
  send(request: Dispatch, owner: ExchangeOwner): void {
    const exchange = new Exchange(request.keepBody, owner);
    try {
      this.pool(request.origin).dispatch(
        {
          origin: request.origin,
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
          reset: this.options.noConnectionReuse,
        },
        exchange as never,
      );
    } catch (error) {
      const [code, message] = classifyError(error as Error & { code?: string });
      exchange.fail(code === ERROR_CODES.generic ? ERROR_CODES.invalidUrl : code, message);
    }
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      const connector = buildConnector({ rejectUnauthorized: !this.options.insecureSkipTLSVerify, timeout: 10_000 });
      pool = new Pool(origin, {
        connections: this.options.connectionsPerOrigin,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        connect: (opts, callback) => {
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
        },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.destroy()));
  }
}
