// A loopback target for the connection benchmarks, in its own process (its own file-descriptor limit
// and event loop): `hello` on every path, keep-alive without an idle timeout, HTTP or HTTPS, on one
// address. It reports the connections it holds (open now, most at once, accepted, TLS handshakes)
// every 250 ms over IPC, so the benchmark reads the server's side of the test, not the client's.
import { type ChildProcess, spawn } from 'node:child_process';

const SERVER = `
const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const [host, certFile, keyFile] = process.argv.slice(1);
const body = Buffer.from('hello world');
const handler = (req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }); res.end(body); };
const server = certFile ? https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, handler) : http.createServer(handler);
server.keepAliveTimeout = 600000;
server.maxRequestsPerSocket = 0;
let open = 0, maxOpen = 0, accepted = 0, handshakes = 0;
server.on('connection', (socket) => { open++; accepted++; if (open > maxOpen) maxOpen = open; socket.on('close', () => open--); });
server.on('secureConnection', () => handshakes++);
server.on('clientError', (_e, socket) => socket.destroy());
server.listen({ port: 0, host, backlog: 65535 }, () => {
  process.send({ port: server.address().port });
  setInterval(() => process.send({ open, maxOpen, accepted, handshakes }), 250).unref();
});
process.on('disconnect', () => process.exit(0));
`;

export interface ConnectionStats {
  open: number;
  maxOpen: number;
  accepted: number;
  handshakes: number;
}

export interface ConnectionTarget {
  url: string;
  /** The last report of the server (every 250 ms). */
  stats: ConnectionStats;
  close(): void;
}

export function startConnectionTarget(host = '127.0.0.1', tls?: { cert: string; key: string }): Promise<ConnectionTarget> {
  const args = ['-e', SERVER, host, ...(tls ? [tls.cert, tls.key] : [])];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    const target: ConnectionTarget = {
      url: '',
      stats: { open: 0, maxOpen: 0, accepted: 0, handshakes: 0 },
      close: () => child.kill(),
    };
    child.on('message', (message: { port?: number } & Partial<ConnectionStats>) => {
      if (message.port !== undefined) {
        target.url = `${tls ? 'https' : 'http'}://${host}:${message.port}`;
        resolve(target);
      } else target.stats = message as ConnectionStats;
    });
  });
}
