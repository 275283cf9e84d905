// The web dashboard output (K6_WEB_DASHBOARD=true, --out web-dashboard=…) leaves the run a normal run:
// the same metrics, counts, thresholds and exit code as real k6 with its dashboard on.
import { expect } from 'vitest';
import { conformance, describeConformance } from '../harness/index.ts';

const SCRIPT = `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 2, iterations: 6, thresholds: { http_req_duration: ['p(95)<0.001'], checks: ['rate>0.5'] } };
export default function () { check(http.get(__ENV.TARGET + '/'), { 'status 200': (r) => r.status === 200 }); }`;

describeConformance('outputs: web dashboard', () => {
  conformance('K6_WEB_DASHBOARD=true without a server (port -1): a normal run, thresholds crossed → 99', {
    script: SCRIPT,
    cli: true,
    env: { K6_WEB_DASHBOARD: 'true', K6_WEB_DASHBOARD_PORT: '-1', K6_WEB_DASHBOARD_PERIOD: '1s' },
    check: ({ k6, engine }) => {
      expect(k6.exitCode).toBe(99);
      expect(engine.stderr).toContain('web dashboard: not served (port -1)');
    },
  });

  conformance('--out web-dashboard=port=0: served on a free port, the run unchanged', {
    script: SCRIPT,
    cli: true,
    flags: ['--out', 'web-dashboard=port=0&period=1s'],
    check: ({ k6, engine }) => {
      expect(k6.exitCode).toBe(99);
      expect(engine.stderr).toMatch(/web dashboard: http:\/\/127\.0\.0\.1:\d+/);
    },
  });
});
