// A static loopback target for the engine benchmarks, in its own process so that it does not share
// the event loop with the engine: `hello` on every path, keep-alive. Prints its port on stdout.
import { type ChildProcess, spawn } from 'node:child_process';

const SERVER = `
const http = require('node:http');
const body = Buffer.from('hello world');
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }); res.end(body); });
server.keepAliveTimeout = 60000;
server.maxRequestsPerSocket = 0;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

export interface StaticTarget {
  url: string;
  process: ChildProcess;
  close(): void;
}

export function startStaticTarget(): Promise<StaticTarget> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => {
      resolve({ url: `http://127.0.0.1:${chunk.toString().trim()}`, process: child, close: () => child.kill() });
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
