// Dashboard 1, "Load test": what the load generator sees, from the series k6's
// experimental-prometheus-rw output writes (the embedded engine writes the same ones).
// Latency panels follow $quantile_stat, so k6's default remote-write settings (p99 only) fill them;
// the native-histogram flavour reads K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true's histograms.

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  adhocFilterVariable,
  BLUE,
  bigNumber,
  GREEN,
  labelVariable,
  newDashboard,
  ORANGE,
  quantileName,
  RED,
  row,
  type TrendFlavour,
  timeSeries,
  trendQuery,
  trendVariable,
} from './panels.ts';
import { CHECKS_RATE_MIN, FAILED_RATE_LIMIT, LATENCY_BAD_S, LATENCY_WARN_S, NDXP_LATENCY_S, percent } from './slo-levels.ts';

const RUN = 'testid=~"$testid"';
const LOAD = 'testid=~"$testid", scenario=~"$scenario"';
const RATE = '[$__rate_interval]';

const FAILED_RATIO_NOW =
  `(sum(rate(k6_http_reqs_total{${LOAD}, expected_response="false"}${RATE})) or vector(0))` +
  ` / sum(rate(k6_http_reqs_total{${LOAD}}${RATE}))`;
/** Over the whole run, as k6 evaluates `http_req_failed: rate<…`. */
const FAILED_RATIO_RUN = `(sum(k6_http_reqs_total{${LOAD}, expected_response="false"}) or vector(0)) / sum(k6_http_reqs_total{${LOAD}})`;

export function loadTestDashboard(flavour: TrendFlavour = 'stats'): dashboard.Dashboard {
  const q = quantileName(flavour);
  const native = flavour === 'native';
  return newDashboard(
    native ? 'loadlab-load-test-native' : 'loadlab-load-test',
    native ? 'loadlab · Load test (native histograms)' : 'loadlab · Load test',
    `What the load generator sees (embedded engine or real k6 with -o experimental-prometheus-rw${native ? ' and K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true' : ', default settings'}): load, latency, errors, checks. Pick the run with testid (--tag testid=...).`,
  )
    .withVariable(
      labelVariable('testid', 'Test run', `label_values(k6_vus, testid)`, 'The run, from --tag testid=... (k6 and loadlab alike)', true),
    )
    .withVariable(
      labelVariable(
        'scenario',
        'Scenario',
        `label_values(k6_iterations_total{${RUN}}, scenario)`,
        'k6 scenarios of the selected runs',
        true,
      ),
    )
    .withVariable(trendVariable(flavour))
    .withVariable(adhocFilterVariable())
    .withRow(row('Is the test healthy?'))
    .withPanel(
      bigNumber({
        title: 'Virtual users',
        description: 'Active VUs now (k6 `vus` gauge). Compare with the profile: fewer than planned means the generator cannot keep up.',
        unit: 'short',
        steps: [[0, BLUE]],
        queries: [{ expr: `sum(k6_vus{${RUN}})`, legend: 'VUs' }],
        width: 4,
      }),
    )
    .withPanel(
      bigNumber({
        title: 'Request rate',
        description: 'HTTP requests per second sent by the generator (rate of `http_reqs`).',
        unit: 'reqps',
        steps: [[0, BLUE]],
        queries: [{ expr: `sum(rate(k6_http_reqs_total{${LOAD}}${RATE}))`, legend: 'requests/s' }],
        width: 4,
      }),
    )
    .withPanel(
      bigNumber({
        title: 'Failed requests (now)',
        description: `Share of requests k6 counts as failed (\`http_req_failed\`: unexpected status) over the last rate window. Red above the SLO of ${percent(FAILED_RATE_LIMIT)}.`,
        unit: 'percentunit',
        steps: [
          [0, GREEN],
          [FAILED_RATE_LIMIT, RED],
        ],
        queries: [{ expr: FAILED_RATIO_NOW, legend: 'failed' }],
        width: 4,
        min: 0,
      }),
    )
    .withPanel(
      bigNumber({
        title: `Slowest ${q} latency`,
        description: `The highest ${native ? 'quantile of `http_req_duration` over the rate window' : 'selected stat of `http_req_duration` (k6 writes p99 by default), cumulative since the start as k6 computes it'}. SLOs: catalogue < ${LATENCY_WARN_S} s, NDXP < ${NDXP_LATENCY_S} s; orange from ${LATENCY_WARN_S} s, red from ${LATENCY_BAD_S} s.`,
        unit: 's',
        steps: [
          [0, GREEN],
          [LATENCY_WARN_S, ORANGE],
          [LATENCY_BAD_S, RED],
        ],
        queries: [{ expr: trendQuery(flavour, 'http_req_duration', LOAD), legend: q }],
        width: 4,
      }),
    )
    .withPanel(
      bigNumber({
        title: 'Checks passed',
        description: `Share of \`check()\` results that passed (mean over checks, since the start). The standard threshold is checks rate > ${percent(CHECKS_RATE_MIN)}.`,
        unit: 'percentunit',
        steps: [
          [0, RED],
          [CHECKS_RATE_MIN, GREEN],
        ],
        queries: [{ expr: `avg(k6_checks_rate{${LOAD}})`, legend: 'passed' }],
        width: 4,
        min: 0,
        max: 1,
      }),
    )
    .withPanel(
      bigNumber({
        title: 'Dropped iterations',
        description:
          'Iterations an arrival-rate executor could not start because no VU was free (`dropped_iterations`). Anything above zero: the generator, not the target, limited the load.',
        unit: 'short',
        steps: [
          [0, GREEN],
          [1, RED],
        ],
        queries: [{ expr: `sum(k6_dropped_iterations_total{${LOAD}}) or vector(0)`, legend: 'dropped' }],
        width: 4,
      }),
    )
    .withPanel(
      bigNumber({
        title: 'Threshold status',
        description:
          'The standard thresholds evaluated as k6 does, over the whole run: 1 = holds, 0 = crossed. k6 does not export threshold results to Prometheus, so these are recomputed from the written series (the run summary remains the authority).',
        unit: 'bool_yes_no',
        steps: [
          [0, RED],
          [1, GREEN],
        ],
        queries: [
          { expr: `(${FAILED_RATIO_RUN}) < bool ${FAILED_RATE_LIMIT}`, legend: `http_req_failed rate<${FAILED_RATE_LIMIT}` },
          { expr: `avg(k6_checks_rate{${LOAD}}) > bool ${CHECKS_RATE_MIN}`, legend: `checks rate>${CHECKS_RATE_MIN}` },
          // The standard p(95)<1000 read at the selected stat: with k6's default p99 a stricter check.
          { expr: `${trendQuery(flavour, 'http_req_duration', LOAD)} < bool 1`, legend: `http_req_duration ${q}<1s` },
        ],
        width: 24,
        height: 3,
      }),
    )
    .withRow(row('Load'))
    .withPanel(
      timeSeries({
        title: 'VUs',
        description: 'Active and maximum VUs over time: the load profile as executed.',
        unit: 'short',
        steps: [[0, BLUE]],
        queries: [
          { expr: `sum(k6_vus{${RUN}})`, legend: 'VUs' },
          { expr: `sum(k6_vus_max{${RUN}})`, legend: 'VUs max' },
        ],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Request rate by request name',
        description: 'Requests per second per request name (the `name` tag; scenarios name URLs by their route pattern).',
        unit: 'reqps',
        steps: [[0, BLUE]],
        queries: [{ expr: `sum by (name) (rate(k6_http_reqs_total{${LOAD}}${RATE}))`, legend: '{{name}}' }],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Iterations per second by scenario',
        description: 'Completed iterations per second (`iterations`): the business throughput of each scenario.',
        unit: 'short',
        steps: [[0, BLUE]],
        queries: [{ expr: `sum by (scenario) (rate(k6_iterations_total{${LOAD}}${RATE}))`, legend: '{{scenario}}' }],
        width: 8,
        min: 0,
      }),
    )
    .withRow(row('Latency'))
    .withPanel(
      timeSeries({
        title: `Latency (${q}) by request name`,
        description: `${native ? 'The selected quantile of `http_req_duration` per request name over the rate window' : 'The selected stat of `http_req_duration` per request name, cumulative since the start (as k6 writes it)'}. Orange from ${LATENCY_WARN_S} s, red from ${LATENCY_BAD_S} s.`,
        unit: 's',
        steps: [
          [0, GREEN],
          [LATENCY_WARN_S, ORANGE],
          [LATENCY_BAD_S, RED],
        ],
        queries: [{ expr: trendQuery(flavour, 'http_req_duration', LOAD, ['name']), legend: '{{name}}' }],
        width: 24,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: `Where the time goes (${q} per phase)`,
        description:
          'The selected stat of each request phase: blocked (waiting for a connection), connecting, TLS, sending, waiting (server time to first byte), receiving. Growing "waiting" is the server; growing "blocked" is the client pool.',
        unit: 's',
        steps: [
          [0, GREEN],
          [1, ORANGE],
        ],
        queries: ['blocked', 'connecting', 'tls_handshaking', 'sending', 'waiting', 'receiving'].map((phase) => ({
          expr: trendQuery(flavour, `http_req_${phase}`, LOAD),
          legend: phase,
        })),
        width: 12,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: `Iteration duration ${q} by scenario`,
        description: 'The selected stat of a whole iteration (one user journey) per scenario.',
        unit: 's',
        steps: [
          [0, GREEN],
          [5, ORANGE],
          [10, RED],
        ],
        queries: [{ expr: trendQuery(flavour, 'iteration_duration', LOAD, ['scenario']), legend: '{{scenario}}' }],
        width: 12,
        min: 0,
      }),
    )
    .withRow(row('Errors and checks'))
    .withPanel(
      timeSeries({
        title: 'Failed requests',
        description: `Share of failed requests (unexpected status) per rate window. Red above the SLO of ${percent(FAILED_RATE_LIMIT)}.`,
        unit: 'percentunit',
        steps: [
          [0, GREEN],
          [FAILED_RATE_LIMIT, RED],
        ],
        queries: [{ expr: FAILED_RATIO_NOW, legend: 'failed' }],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Responses by status',
        description:
          'Responses per second by HTTP status: 429/503 are the services shedding load, 504 a provider timing out, 0 a transport error (connection refused or reset).',
        unit: 'reqps',
        steps: [[0, BLUE]],
        queries: [{ expr: `sum by (status) (rate(k6_http_reqs_total{${LOAD}}${RATE}))`, legend: '{{status}}' }],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Checks passed by check',
        description: `Pass rate of each \`check()\` since the start. Red below ${percent(CHECKS_RATE_MIN)}.`,
        unit: 'percentunit',
        steps: [
          [0, RED],
          [CHECKS_RATE_MIN, GREEN],
        ],
        queries: [{ expr: `avg by (check) (k6_checks_rate{${LOAD}})`, legend: '{{check}}' }],
        width: 8,
        min: 0,
        max: 1,
      }),
    )
    .withRow(row('Generator'))
    .withPanel(
      timeSeries({
        title: 'Data rates',
        description: 'Bytes per second sent and received by the generator (`data_sent`, `data_received`).',
        unit: 'Bps',
        steps: [[0, BLUE]],
        queries: [
          { expr: `sum(rate(k6_data_sent_total{${LOAD}}${RATE}))`, legend: 'sent' },
          { expr: `sum(rate(k6_data_received_total{${LOAD}}${RATE}))`, legend: 'received' },
        ],
        width: 12,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Dropped iterations per second',
        description:
          'Iterations not started for lack of a free VU. Non-zero: raise preAllocatedVUs/maxVUs or add generator capacity before reading the service panels.',
        unit: 'short',
        steps: [
          [0, GREEN],
          [0.001, RED],
        ],
        queries: [{ expr: `sum(rate(k6_dropped_iterations_total{${LOAD}}${RATE})) or vector(0)`, legend: 'dropped/s' }],
        width: 12,
        min: 0,
      }),
    )
    .build();
}
