// A loopback target for the connection benchmarks, in its own process (its own file-descriptor limit
// and event loop): `hello` on every path, keep-alive without an idle timeout, HTTP or HTTPS, on one
// address. It reports the connections it holds (open now, most at once, accepted, TLS handshakes)
// every 250 ms over IPC, so the benchmark reads the server's side of the test, not the client's.
// `minimal`: plain HTTP answered straight from the socket (a fixed response for every request head
// read, no request objects), for benchmarks where the target shares the machine's two cores with
// the engine and should take as little of them as it can; its requests must have no body.
import { type ChildProcess, spawn } from 'node:child_process';

const SERVER = `
const http = require('node:http');
const https = require('node:https');
const fs = require('node:fs');
const net = require('node:net');
const [host, certFile, keyFile] = process.argv.slice(1);
const body = Buffer.from('hello world');
const handler = (req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }); res.end(body); };
const RESPONSE = Buffer.from('HTTP/1.1 200 OK\\r\\ncontent-type: text/plain\\r\\ncontent-length: 11\\r\\n\\r\\nhello world');
/** Answers every request head (up to its blank line) with RESPONSE; keeps a partial head for the next chunk. */
const answerHeads = (socket) => {
  let tail = '';
  socket.on('data', (chunk) => {
    const text = tail + chunk.latin1Slice();
    let heads = 0, at = 0;
    for (;;) { const end = text.indexOf('\\r\\n\\r\\n', at); if (end < 0) break; heads++; at = end + 4; }
    tail = text.slice(at);
    if (heads === 1) socket.write(RESPONSE); else if (heads > 1) socket.write(Buffer.concat(Array(heads).fill(RESPONSE)));
  });
  socket.on('error', () => socket.destroy());
};
const minimal = certFile === 'minimal';
const server = minimal ? net.createServer(answerHeads)
  : certFile ? https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, handler) : http.createServer(handler);
if (!minimal) { server.keepAliveTimeout = 600000; server.maxRequestsPerSocket = 0; }
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

export function startConnectionTarget(
  host = '127.0.0.1',
  tls?: { cert: string; key: string },
  server: 'node-http' | 'minimal' = 'node-http',
): Promise<ConnectionTarget> {
  if (server === 'minimal' && tls) throw new Error('the minimal target speaks plain HTTP only');
  const args = ['-e', SERVER, host, ...(tls ? [tls.cert, tls.key] : server === 'minimal' ? ['minimal'] : [])];
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
