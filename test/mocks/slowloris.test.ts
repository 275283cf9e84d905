import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMocks } from '../../mocks/index.ts';
import { http, start } from './helpers.ts';

/** Connection hygiene: a client that trickles its headers, or idles on a keep-alive connection, is closed. */

let mocks: RunningMocks;
let portal: URL;
const HEADERS_TIMEOUT_MS = 600;
const KEEP_ALIVE_TIMEOUT_MS = 1000;

beforeAll(async () => {
  mocks = await start({
    services: ['portal'],
    profile: 'zero-latency',
    config: { server: { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: 5000, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS } },
  });
  portal = new URL(mocks.urls.portal!);
});
afterAll(() => mocks.close());

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(portal.port), portal.hostname, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Resolves with how long the server took to close the socket, or with Infinity after `limitMs`. */
function closedWithin(socket: Socket, limitMs: number): Promise<number> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(Number.POSITIVE_INFINITY), limitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - startedAt);
    });
  });
}

describe('slowloris and idle connections', () => {
  it('closes connections whose headers trickle in, by the header timeout, and keeps serving others', async () => {
    const sockets = await Promise.all(Array.from({ length: 50 }, open));
    for (const socket of sockets) socket.on('error', () => {});
    const drips: NodeJS.Timeout[] = [];
    for (const socket of sockets) {
      socket.write('GET /api/procedures HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      // One more header line every 100 ms, never the blank line: the connection is never idle, just never done.
      drips.push(setInterval(() => socket.writable && socket.write(`X-Slow-${Math.random().toString(36).slice(2)}: a\r\n`), 100));
    }
    try {
      // Generous: the deadline is 600 ms, checked every 150 ms; the machine may be busy with other tests.
      const closedAfter = await Promise.all(sockets.map((socket) => closedWithin(socket, 15_000)));
      expect(closedAfter.every(Number.isFinite)).toBe(true);
      expect(Math.min(...closedAfter)).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS * 0.8);
      expect((await http('GET', `${portal.origin}/api/procedures?pageSize=1`)).status).toBe(200);
    } finally {
      for (const drip of drips) clearInterval(drip);
      for (const socket of sockets) socket.destroy();
    }
  });

  it('closes a connection that never sends a byte, over HTTP and before a TLS handshake', async () => {
    const silent = await open();
    silent.on('error', () => {});
    expect(Number.isFinite(await closedWithin(silent, 15_000))).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'loadlab-slow-tls-'));
    const secure = await start({
      services: ['portal'],
      profile: 'zero-latency',
      tls: { dir },
      config: { server: { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: 5000 } },
    });
    try {
      const url = new URL(secure.urls.portal!);
      const socket = await new Promise<Socket>((resolve, reject) => {
        const raw = connect(Number(url.port), url.hostname, () => resolve(raw));
        raw.on('error', reject);
      });
      socket.on('error', () => {});
      const closedAfter = await closedWithin(socket, 15_000);
      expect(Number.isFinite(closedAfter)).toBe(true);
      expect(closedAfter).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS * 0.8);
    } finally {
      await secure.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const socket = await open();
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.write(`GET /api/procedures?pageSize=1 HTTP/1.1\r\nHost: ${portal.host}\r\n\r\n`);
    const closedAfter = await closedWithin(socket, 15_000);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.toLowerCase()).toContain(`keep-alive: timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(closedAfter).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS * 0.8);
    expect(Number.isFinite(closedAfter)).toBe(true);
  });
});
