// systemTags' vu, iter, ip and ocsp_status, which k6 leaves off by default: ip and ocsp_status are
// tags of the HTTP samples (ocsp_status only on responses over TLS), vu and iter are k6 v1's sample
// metadata (`"metadata":{"vu":"1","iter":"0"}` in --out json), on every sample of VU code.
import { mkdtempSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadTls } from '../../../mocks/tls.ts';
import { conformance, describeConformance, type RunRecord } from '../harness/index.ts';

let server: https.Server | null = null;
let httpsUrl = '';

beforeAll(async () => {
  const tls = await loadTls({ dir: mkdtempSync(path.join(os.tmpdir(), 'loadlab-system-tags-')) });
  server = https.createServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end('tls'));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  httpsUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** metric → the metadata keys and values seen on its points, e.g. { http_reqs: ['iter=0', 'vu=1'] }. */
function metadataOf(run: RunRecord): Record<string, string[]> {
  const seen: Record<string, Set<string>> = {};
  for (const point of run.jsonPoints as (RunRecord['jsonPoints'][number] & { metadata?: Record<string, string> })[]) {
    if (point.metric === 'vus' || point.metric === 'vus_max') continue;
    seen[point.metric] ??= new Set();
    for (const [key, value] of Object.entries(point.metadata ?? {})) seen[point.metric].add(`${key}=${value}`);
  }
  return Object.fromEntries(Object.entries(seen).map(([metric, values]) => [metric, [...values].sort()]));
}

const SCRIPT = (systemTags: string[]) => `import http from 'k6/http';
import { check, group } from 'k6';
import { Counter } from 'k6/metrics';
const custom = new Counter('custom');
export const options = {
  scenarios: { each: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } },
  insecureSkipTLSVerify: true,
  systemTags: ${JSON.stringify(systemTags)},
};
export function setup() { http.get(__ENV.TARGET + '/status/201'); }
export default function () {
  group('g', () => {
    check(http.get(__ENV.TARGET + '/'), { ok: (r) => r.status === 200 });
    http.get(__ENV.HTTPS_TARGET + '/');
    custom.add(1);
  });
}`;

describeConformance('tags: the system tags k6 leaves off by default', () => {
  conformance('vu and iter are metadata on every sample of VU code; ip and ocsp_status tag HTTP samples', {
    script: SCRIPT(['vu', 'iter', 'ip', 'ocsp_status', 'group', 'scenario', 'status', 'check', 'tls_version']),
    get env() {
      return { HTTPS_TARGET: httpsUrl };
    },
    workers: [1, 2],
    check: ({ k6, engine }) => {
      const k6Metadata = metadataOf(k6);
      // setup()'s samples have iter 0 and no vu; then iterations 0 and 1 of VUs 1 and 2.
      expect(k6Metadata.http_reqs).toEqual(['iter=0', 'iter=1', 'vu=1', 'vu=2']);
      expect(k6Metadata.custom).toEqual(['iter=0', 'iter=1', 'vu=1', 'vu=2']);
      expect(metadataOf(engine)).toEqual(k6Metadata);
      const tlsPoint = (run: RunRecord) =>
        run.jsonPoints.find((p) => p.metric === 'http_reqs' && p.tags.tls_version !== undefined)?.tags as Record<string, string>;
      for (const run of [k6, engine]) {
        expect(tlsPoint(run).ocsp_status).toBe('unknown');
        expect(tlsPoint(run).ip).toBe('127.0.0.1');
        expect(run.jsonPoints.find((p) => p.metric === 'http_reqs' && p.tags.tls_version === undefined)?.tags.ocsp_status).toBeUndefined();
      }
    },
  });

  conformance('only iter: no vu in the metadata', {
    script: SCRIPT(['iter', 'status']),
    get env() {
      return { HTTPS_TARGET: httpsUrl };
    },
    check: ({ k6, engine }) => {
      expect(metadataOf(k6).iterations).toEqual(['iter=0', 'iter=1']);
      expect(metadataOf(engine)).toEqual(metadataOf(k6));
    },
  });

  conformance('the default system tags: no vu, iter, ip or ocsp_status', {
    script: SCRIPT([
      'check',
      'error',
      'error_code',
      'expected_response',
      'group',
      'method',
      'name',
      'proto',
      'scenario',
      'status',
      'tls_version',
      'url',
    ]),
    get env() {
      return { HTTPS_TARGET: httpsUrl };
    },
    check: ({ k6, engine }) => {
      for (const run of [k6, engine]) expect(Object.values(metadataOf(run)).flat()).toEqual([]);
    },
  });
});
