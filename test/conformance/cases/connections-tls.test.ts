// TLS as k6's client does it: trust from SSL_CERT_FILE (Go's way; the same variable works for both),
// a full handshake per new connection measured as http_req_tls_handshaking (none on a reused one),
// k6's TLS errors and codes, insecureSkipTLSVerify, tlsVersion and a tlsAuth client certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, expect } from 'vitest';
import { conformance, describeConformance, type RunRecord } from '../harness/index.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'loadlab-tls-case-'));
const file = (name: string) => path.join(dir, name);
const servers: https.Server[] = [];
const urls: Record<string, string> = {};

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=loadlab conformance CA',
  );
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.pem'),
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
  );
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('client.key'), '-out', file('client.csr'), '-subj', '/CN=loadlab client');
  openssl(
    'x509',
    '-req',
    '-in',
    file('client.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('client.pem'),
    '-days',
    '2',
  );
}

async function listen(name: string, host: string, options: https.ServerOptions): Promise<void> {
  const server = https.createServer(
    { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), ...options },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      res.setHeader('x-tls-version', socket.getProtocol() ?? '');
      res.end(peer?.subject ? `client ${peer.subject.CN}` : 'hello tls');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  servers.push(server);
  urls[name] = `https://${host}:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  makeCertificates();
  await listen('plain', '127.0.0.1', {});
  await listen('otherName', '127.0.0.2', {});
  await listen('mutual', '127.0.0.1', { requestCert: true, rejectUnauthorized: true, ca: readFileSync(file('ca.pem')) });
});
afterAll(() => {
  for (const server of servers) server.close();
});

const env = () => ({
  TLS_PLAIN: urls.plain,
  TLS_OTHER: urls.otherName,
  TLS_MUTUAL: urls.mutual,
  CLIENT_CERT: file('client.pem'),
  CLIENT_KEY: file('client.key'),
});
const trusted = () => ({ ...env(), SSL_CERT_FILE: file('ca.pem') });

const allChecksPass = (run: RunRecord, count: number) => {
  const checks = run.summary?.root_group.checks ?? [];
  expect(checks.length, run.label).toBe(count);
  for (const c of checks) expect([c.name, c.fails], run.label).toEqual([c.name, 0]);
};

// These runs end within a second; k6 samples vus/vus_max once a second, so it may record none.
const SHORT_RUN = { ignoreMetrics: ['vus', 'vus_max'] };

describeConformance('connections: TLS', () => {
  conformance('SSL_CERT_FILE trusts a private CA; a handshake per new connection, none on reuse', {
    ...SHORT_RUN,
    get env() {
      return trusted();
    },
    script: `import http from 'k6/http';
import { check } from 'k6';
export const options = { scenarios: { each: { executor: 'per-vu-iterations', vus: 3, iterations: 2 } } };
export default async function () {
  const first = await http.asyncRequest('GET', __ENV.TLS_PLAIN + '/');
  const second = await http.asyncRequest('GET', __ENV.TLS_PLAIN + '/');
  check(first, {
    'verified': (r) => r.status === 200 && r.body === 'hello tls',
    'handshake only when the VU opened its connection': (r) => (__ITER === 0 ? r.timings.tls_handshaking > 0 : r.timings.tls_handshaking === 0),
  });
  check(second, { 'reused: no handshake, no connect': (r) => r.timings.tls_handshaking === 0 && r.timings.connecting === 0 });
}`,
    check: ({ k6, engine }) => {
      allChecksPass(k6, 3);
      allChecksPass(engine, 3);
      expect(engine.summary?.metrics.http_req_tls_handshaking?.values.max).toBeGreaterThan(0);
    },
  });

  conformance('an unknown authority: error 1310, "x509: unknown authority"', {
    ...SHORT_RUN,
    get env() {
      return env();
    },
    script: `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 2 };
export default async function () {
  const res = await http.asyncRequest('GET', __ENV.TLS_PLAIN + '/');
  check(res, { 'status 0': (r) => r.status === 0, 'error_code 1310': (r) => r.error_code === 1310, 'k6 error text': (r) => r.error === 'x509: unknown authority' });
}`,
    check: ({ k6, engine }) => {
      allChecksPass(k6, 3);
      allChecksPass(engine, 3);
    },
  });

  conformance('a certificate for another host: error 1311', {
    ...SHORT_RUN,
    get env() {
      return trusted();
    },
    script: `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 1 };
export default async function () {
  const res = await http.asyncRequest('GET', __ENV.TLS_OTHER + '/');
  check(res, { 'error_code 1311': (r) => r.error_code === 1311, 'k6 error text': (r) => r.error === "x509: certificate doesn't match hostname" });
}`,
    check: ({ k6, engine }) => {
      allChecksPass(k6, 2);
      allChecksPass(engine, 2);
    },
  });

  conformance('insecureSkipTLSVerify accepts the untrusted certificate', {
    ...SHORT_RUN,
    get env() {
      return env();
    },
    script: `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 1, insecureSkipTLSVerify: true };
export default async function () {
  check(await http.asyncRequest('GET', __ENV.TLS_PLAIN + '/'), { 'status 200': (r) => r.status === 200 });
}`,
    check: ({ k6, engine }) => {
      allChecksPass(k6, 1);
      allChecksPass(engine, 1);
    },
  });

  conformance('tlsVersion tls1.2 and tlsCipherSuites: the connection speaks what was asked', {
    ...SHORT_RUN,
    get env() {
      return trusted();
    },
    script: `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 1, tlsVersion: http.TLS_1_2, tlsCipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] };
export default async function () {
  check(await http.asyncRequest('GET', __ENV.TLS_PLAIN + '/'), { 'TLS 1.2': (r) => r.status === 200 && r.headers['X-Tls-Version'] === 'TLSv1.2' });
}`,
    check: ({ k6, engine }) => {
      allChecksPass(k6, 1);
      allChecksPass(engine, 1);
    },
  });

  conformance('tlsAuth presents a client certificate to a server that requires one', {
    ...SHORT_RUN,
    get env() {
      return trusted();
    },
    script: `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 1, tlsAuth: [{ cert: open(__ENV.CLIENT_CERT), key: open(__ENV.CLIENT_KEY) }] };
export default async function () {
  check(await http.asyncRequest('GET', __ENV.TLS_MUTUAL + '/'), { 'accepted with the client certificate': (r) => r.status === 200 && r.body === 'client loadlab client' });
}`,
    check: ({ k6, engine }) => {
      allChecksPass(k6, 1);
      allChecksPass(engine, 1);
    },
  });
});
