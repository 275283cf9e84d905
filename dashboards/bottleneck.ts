// Dashboard 3, "Bottleneck": load, latency and saturation stacked on one time axis with a shared
// crosshair, so the moment latency bends can be read straight down to the first resource that
// reached 100 % and the queue that started to grow behind it.

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  adhocFilterVariable,
  BLUE,
  GREEN,
  labelVariable,
  newDashboard,
  ORANGE,
  quantileName,
  RED,
  ranking,
  row,
  type TrendFlavour,
  timeSeries,
  trendQuery,
  trendVariable,
} from './panels.ts';
import { UTILISATION } from './service-health.ts';
import { LATENCY_BAD_S, LATENCY_WARN_S } from './slo-levels.ts';

const RUN = 'testid=~"$testid"';
const LOAD = 'testid=~"$testid", scenario=~"$scenario"';
const SVC = 'service=~"$service"';
const RATE = '[$__rate_interval]';

const UTILISATION_STEPS = [
  [0, GREEN],
  [0.8, ORANGE],
  [0.95, RED],
] as const;

export function bottleneckDashboard(flavour: TrendFlavour = 'stats'): dashboard.Dashboard {
  const native = flavour === 'native';
  return newDashboard(
    native ? 'loadlab-bottleneck-native' : 'loadlab-bottleneck',
    native ? 'loadlab · Bottleneck (native histograms)' : 'loadlab · Bottleneck',
    'Load, latency and saturation on one time axis: follow the crosshair down from where latency bends to the first resource that saturates.',
  )
    .withVariable(labelVariable('testid', 'Test run', 'label_values(k6_vus, testid)', 'The run, from --tag testid=...', true))
    .withVariable(
      labelVariable(
        'scenario',
        'Scenario',
        `label_values(k6_iterations_total{${RUN}}, scenario)`,
        'k6 scenarios of the selected runs',
        true,
      ),
    )
    .withVariable(labelVariable('service', 'Service', 'label_values(loadlab_http_requests_total, service)', 'Services under test', true))
    .withVariable(trendVariable(flavour))
    .withVariable(adhocFilterVariable())
    .withRow(row('Which resource saturated first?'))
    .withPanel(
      ranking({
        title: 'Peak utilisation per resource (time range)',
        description:
          'The highest utilisation each modelled resource reached in the selected time range, worst first. The top bar is the bottleneck candidate; check below when it got there.',
        unit: 'percentunit',
        steps: UTILISATION_STEPS,
        queries: [{ expr: `sort_desc(max_over_time((${UTILISATION})[$__range:$__rate_interval]))`, legend: '{{service}} {{resource}}' }],
        width: 12,
        min: 0,
        max: 1,
      }),
    )
    .withPanel(
      ranking({
        title: 'Rejections per resource (time range)',
        description:
          'Requests each resource turned away in the selected range (queue full, queue timeout, quota, circuit open, outage, fault).',
        unit: 'short',
        steps: [
          [0, GREEN],
          [1, RED],
        ],
        queries: [
          {
            expr: `sort_desc(sum by (service, resource) (increase(loadlab_resource_rejections_total{${SVC}}[$__range])))`,
            legend: '{{service}} {{resource}}',
          },
        ],
        width: 12,
      }),
    )
    .withRow(row('Load'))
    .withPanel(
      timeSeries({
        title: 'Offered load',
        description:
          'Requests per second sent by the generator and answered by the services. A gap between the two lines is requests lost or still queued.',
        unit: 'reqps',
        steps: [[0, BLUE]],
        queries: [
          { expr: `sum(rate(k6_http_reqs_total{${LOAD}}${RATE}))`, legend: 'sent (generator)' },
          { expr: `sum(rate(loadlab_http_requests_total{${SVC}}${RATE}))`, legend: 'answered (services)' },
        ],
        width: 16,
        height: 6,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'VUs',
        description: 'Active VUs: the concurrency that produced the load above.',
        unit: 'short',
        steps: [[0, BLUE]],
        queries: [{ expr: `sum(k6_vus{${RUN}})`, legend: 'VUs' }],
        width: 8,
        height: 6,
        min: 0,
      }),
    )
    .withRow(row('Latency'))
    .withPanel(
      timeSeries({
        title: `Latency: client ${quantileName(flavour)} and server p95 per service`,
        description: `Client-side latency (\`http_req_duration\` at the selected ${native ? 'quantile, over the rate window' : 'stat, cumulative since the start'}) and server-side p95 per service over the rate window. The knee marks the saturation point.`,
        unit: 's',
        steps: [
          [0, GREEN],
          [LATENCY_WARN_S, ORANGE],
          [LATENCY_BAD_S, RED],
        ],
        queries: [
          { expr: trendQuery(flavour, 'http_req_duration', LOAD), legend: `client ${quantileName(flavour)}` },
          {
            expr: `histogram_quantile(0.95, sum by (service, le) (rate(loadlab_http_request_duration_seconds_bucket{${SVC}}${RATE})))`,
            legend: 'server p95 {{service}}',
          },
        ],
        width: 24,
        height: 6,
        min: 0,
      }),
    )
    .withRow(row('Saturation'))
    .withPanel(
      timeSeries({
        title: 'Utilisation per resource',
        description: 'Share of slots busy per modelled resource. The first line to reach the red zone is the bottleneck.',
        unit: 'percentunit',
        steps: UTILISATION_STEPS,
        queries: [{ expr: UTILISATION, legend: '{{service}} {{resource}}' }],
        width: 24,
        height: 7,
        min: 0,
        max: 1,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Queue length per resource',
        description: 'Requests waiting for a slot. Queues grow behind a saturated resource before rejections start.',
        unit: 'short',
        steps: [
          [0, GREEN],
          [1, ORANGE],
          [50, RED],
        ],
        queries: [{ expr: `sum by (service, resource) (loadlab_resource_queue_length{${SVC}})`, legend: '{{service}} {{resource}}' }],
        width: 12,
        height: 6,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Rejections per second',
        description: 'Requests turned away per second by resource and reason: the point where saturation becomes errors.',
        unit: 'reqps',
        steps: [
          [0, GREEN],
          [0.001, RED],
        ],
        queries: [
          {
            expr: `sum by (service, resource, reason) (rate(loadlab_resource_rejections_total{${SVC}}${RATE}))`,
            legend: '{{service}} {{resource}} {{reason}}',
          },
        ],
        width: 12,
        height: 6,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Event-loop lag per service',
        description:
          'p99 event-loop lag (s) per service process. When this rises before any modelled resource saturates, the service process itself is the bottleneck.',
        unit: 's',
        steps: [
          [0, GREEN],
          [0.05, ORANGE],
          [0.2, RED],
        ],
        queries: [{ expr: `max by (service) (nodejs_eventloop_lag_p99_seconds{${SVC}})`, legend: 'lag p99 {{service}}' }],
        width: 24,
        height: 6,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'TLS handshakes per second',
        description:
          'Full TLS handshakes each service completed per second (under --tls), and those that failed. Every new client connection costs one; connection reuse keeps this near zero.',
        unit: 'ops',
        steps: [[0, GREEN]],
        queries: [
          {
            expr: `sum by (service, result) (rate(loadlab_tls_handshakes_total{${SVC}}${RATE}))`,
            legend: '{{service}} {{result}}',
          },
        ],
        width: 12,
        height: 6,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Event loop busy (TLS-terminating thread)',
        description:
          'Share of time the thread that accepts connections, terminates TLS and serves requests was busy. Near 100 % with handshakes high and resources below saturation, TLS termination is the bottleneck.',
        unit: 'percentunit',
        steps: UTILISATION_STEPS,
        queries: [
          {
            expr: `max by (service) (rate(loadlab_event_loop_busy_seconds_total{${SVC}}${RATE}))`,
            legend: 'busy {{service}}',
          },
        ],
        width: 12,
        height: 6,
        min: 0,
        max: 1,
      }),
    )
    .build();
}
