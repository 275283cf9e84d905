// The login surge over HTTPS, as a TLS-terminating front end would see it: the mocks serve TLS with a
// local CA (`startMocks({ tls })`), the engine trusts that CA through SSL_CERT_FILE (as k6 does), the
// certificate is verified (no insecureSkipTLSVerify), and every VU's new connection costs a measured
// handshake: http_req_tls_handshaking is non-zero, and the run's thresholds hold.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunTestResult, runTest } from '../../engine/index.ts';
import { type RunningMocks, startMocks } from '../../mocks/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let mocks: RunningMocks & { caFile?: string };
let verified: RunTestResult;
let untrusted: RunTestResult;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-login-tls-'));
  mocks = await startMocks({ port: 0, tls: { dir: path.join(dir, 'tls') } });
  const env = { IDENTITY_URL: mocks.urls.identity!, PORTAL_URL: mocks.urls.portal!, NDXP_URL: mocks.urls.ndxp! };
  const script = path.join(ROOT, 'scenarios', 'login-surge.ts');
  const previous = process.env.SSL_CERT_FILE;
  try {
    process.env.SSL_CERT_FILE = mocks.caFile;
    verified = await runTest({ script, env, quiet: true, workers: 1, resultsRoot: path.join(dir, 'results'), runId: 'tls-verified' });
    delete process.env.SSL_CERT_FILE;
    untrusted = await runTest({
      script,
      env,
      quiet: true,
      noThresholds: true,
      workers: 1,
      resultsRoot: path.join(dir, 'results'),
      runId: 'tls-untrusted',
    });
  } finally {
    if (previous === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = previous;
  }
}, 120_000);

afterAll(async () => {
  await mocks?.close();
});

it('serves the login surge over HTTPS with a verified certificate and measured handshakes', () => {
  expect(mocks.urls.identity).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(mocks.caFile).toBeTruthy();
  const m = verified.summary.metrics;
  expect(verified.exitCode).toBe(0);
  expect(m.http_reqs.values.count).toBeGreaterThan(0);
  expect(m.http_req_failed.values.rate).toBe(0);
  expect(m.http_req_tls_handshaking.values.max).toBeGreaterThan(0);
  // A handshake only on the requests that opened a connection: most requests reuse one.
  expect(m.http_req_tls_handshaking.values.med).toBe(0);
});

it('refuses the same certificate without the CA (k6 error 1310)', () => {
  const m = untrusted.summary.metrics;
  expect(m.http_req_failed.values.rate).toBe(1);
  const codes = new Set<string>();
  for (const line of readFileSync(path.join(untrusted.runDir, 'timeseries.jsonl'), 'utf8').split('\n')) {
    if (line === '') continue;
    const row = JSON.parse(line) as { metric: string; tags: Record<string, string> };
    if (row.metric === 'http_reqs') codes.add(row.tags.error_code ?? '');
  }
  expect([...codes]).toEqual(['1310']);
});
