// Dashboard 2, "Service health": the services' side, from the metric families the mocks export
// (docs/CONTRACTS.md section 4); any service exporting the same families fits. RED per route,
// USE per modelled resource, then the Node process, then the domain counters.

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  adhocFilterVariable,
  BLUE,
  bigNumber,
  GREEN,
  labelVariable,
  newDashboard,
  ORANGE,
  RED,
  row,
  ranking,
  timeSeries,
} from './panels.ts';

const SVC = 'service=~"$service"';
const RATE = '[$__rate_interval]';
/** Refusals and failures the caller sees: any 5xx and 429 (quota). */
const ERROR_STATUS = 'status=~"5..|429"';

/** Utilisation per modelled resource: slot-seconds busy per second over slots. */
export const UTILISATION =
  `sum by (service, resource) (rate(loadlab_resource_busy_seconds_total{${SVC}}${RATE}))` +
  ` / sum by (service, resource) (loadlab_resource_capacity{${SVC}})`;

const UTILISATION_STEPS = [
  [0, GREEN],
  [0.8, ORANGE],
  [0.95, RED],
] as const;

export function serviceHealthDashboard(): dashboard.Dashboard {
  return newDashboard(
    'loadlab-service-health',
    'loadlab · Service health',
    'The services under test (identity, portal, ndxp mocks, or anything exporting the loadlab_* families): RED per route, USE per modelled resource, the Node process, domain counters.',
  )
    .withVariable(
      labelVariable(
        'service',
        'Service',
        'label_values(loadlab_http_requests_total, service)',
        'Services exporting the loadlab_* families',
        true,
      ),
    )
    .withVariable(adhocFilterVariable())
    .withRow(row('Are the services healthy?'))
    .withPanel(
      bigNumber({
        title: 'Requests handled',
        description: 'Requests per second the selected services answered (admin API excluded).',
        unit: 'reqps',
        steps: [[0, BLUE]],
        queries: [{ expr: `sum(rate(loadlab_http_requests_total{${SVC}}${RATE}))`, legend: 'requests/s' }],
        width: 6,
      }),
    )
    .withPanel(
      bigNumber({
        title: 'Error ratio',
        description: 'Share of responses that are 5xx or 429 (shed, failed or timed out). Red above 1 %.',
        unit: 'percentunit',
        steps: [
          [0, GREEN],
          [0.01, RED],
        ],
        queries: [
          {
            expr: `(sum(rate(loadlab_http_requests_total{${SVC}, ${ERROR_STATUS}}${RATE})) or vector(0)) / sum(rate(loadlab_http_requests_total{${SVC}}${RATE}))`,
            legend: 'errors',
          },
        ],
        width: 6,
        min: 0,
      }),
    )
    .withPanel(
      bigNumber({
        title: 'p95 server latency',
        description:
          'p95 of the time the services took to answer, all routes together (from the duration histogram). Orange from 1 s, red from 3 s.',
        unit: 's',
        steps: [
          [0, GREEN],
          [1, ORANGE],
          [3, RED],
        ],
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (le) (rate(loadlab_http_request_duration_seconds_bucket{${SVC}}${RATE})))`,
            legend: 'p95',
          },
        ],
        width: 6,
      }),
    )
    .withPanel(
      bigNumber({
        title: 'Busiest resource',
        description:
          'Utilisation of the most utilised modelled resource. Orange from 80 %: queues start to grow; red from 95 %: saturated.',
        unit: 'percentunit',
        steps: UTILISATION_STEPS,
        queries: [{ expr: `max(${UTILISATION})`, legend: 'max utilisation' }],
        width: 6,
        min: 0,
        max: 1,
      }),
    )
    .withRow(row('RED per route'))
    .withPanel(
      timeSeries({
        title: 'Rate by route',
        description: 'Requests per second per service and route pattern.',
        unit: 'reqps',
        steps: [[0, BLUE]],
        queries: [{ expr: `sum by (service, route) (rate(loadlab_http_requests_total{${SVC}}${RATE}))`, legend: '{{service}} {{route}}' }],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Errors by route and status',
        description:
          'Responses per second by route and status: 2xx/3xx/4xx per route; a rising 429/503/504 line is a resource shedding load.',
        unit: 'reqps',
        steps: [[0, BLUE]],
        queries: [
          {
            expr: `sum by (service, route, status) (rate(loadlab_http_requests_total{${SVC}}${RATE}))`,
            legend: '{{service}} {{route}} {{status}}',
          },
        ],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'p95 duration by route',
        description: 'p95 server-side duration per route (histogram buckets 1 ms … 30 s). Orange from 1 s, red from 3 s.',
        unit: 's',
        steps: [
          [0, GREEN],
          [1, ORANGE],
          [3, RED],
        ],
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (service, route, le) (rate(loadlab_http_request_duration_seconds_bucket{${SVC}}${RATE})))`,
            legend: '{{service}} {{route}}',
          },
        ],
        width: 8,
        min: 0,
      }),
    )
    .withRow(row('USE per modelled resource'))
    .withPanel(
      timeSeries({
        title: 'Utilisation',
        description:
          'rate(loadlab_resource_busy_seconds_total) / loadlab_resource_capacity: the share of slots busy. Near 100 % the resource is the bottleneck.',
        unit: 'percentunit',
        steps: UTILISATION_STEPS,
        queries: [{ expr: UTILISATION, legend: '{{service}} {{resource}}' }],
        width: 8,
        min: 0,
        max: 1,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Queue length',
        description: 'Requests waiting for a slot, per resource (saturation). A queue that keeps growing means arrivals exceed capacity.',
        unit: 'short',
        steps: [
          [0, GREEN],
          [1, ORANGE],
          [50, RED],
        ],
        queries: [{ expr: `sum by (service, resource) (loadlab_resource_queue_length{${SVC}})`, legend: '{{service}} {{resource}}' }],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Rejections by reason',
        description:
          'Requests turned away per second by resource and reason: queue_full, queue_timeout (saturation), outage, fault (injected), circuit_open, quota (NDXP).',
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
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Slots in use vs capacity',
        description: 'Busy slots per resource against its capacity (dashed): the instantaneous view of utilisation.',
        unit: 'short',
        steps: [[0, BLUE]],
        queries: [
          { expr: `sum by (service, resource) (loadlab_resource_in_use{${SVC}})`, legend: '{{service}} {{resource}} in use' },
          { expr: `sum by (service, resource) (loadlab_resource_capacity{${SVC}})`, legend: '{{service}} {{resource}} capacity' },
        ],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Queue wait p95',
        description: 'p95 time spent queued before getting a slot, per resource. Rising wait with flat service time = saturation.',
        unit: 's',
        steps: [
          [0, GREEN],
          [0.5, ORANGE],
          [2, RED],
        ],
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (service, resource, le) (rate(loadlab_resource_queue_wait_seconds_bucket{${SVC}}${RATE})))`,
            legend: '{{service}} {{resource}}',
          },
        ],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Service time p95',
        description: 'p95 time a unit of work holds a slot, per resource (the modelled service time, including injected latency).',
        unit: 's',
        steps: [
          [0, GREEN],
          [1, ORANGE],
          [3, RED],
        ],
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (service, resource, le) (rate(loadlab_resource_service_seconds_bucket{${SVC}}${RATE})))`,
            legend: '{{service}} {{resource}}',
          },
        ],
        width: 8,
        min: 0,
      }),
    )
    .withRow(row('Process'))
    .withPanel(
      timeSeries({
        title: 'CPU',
        description:
          'CPU seconds per second used by each service process (1 = one core). Near 1 the single Node thread is the limit, not the modelled resources.',
        unit: 'percentunit',
        steps: [
          [0, GREEN],
          [0.8, ORANGE],
          [0.95, RED],
        ],
        queries: [{ expr: `sum by (service) (rate(process_cpu_seconds_total{${SVC}}${RATE}))`, legend: '{{service}}' }],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Memory (resident)',
        description: 'Resident memory per service process. Steady growth under constant load suggests unbounded state.',
        unit: 'bytes',
        steps: [
          [0, GREEN],
          [1024 ** 3, ORANGE],
          [2 * 1024 ** 3, RED],
        ],
        queries: [{ expr: `sum by (service) (process_resident_memory_bytes{${SVC}})`, legend: '{{service}}' }],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Event-loop lag p99',
        description: 'p99 event-loop delay per service. Above ~50 ms the process itself delays every request.',
        unit: 's',
        steps: [
          [0, GREEN],
          [0.05, ORANGE],
          [0.2, RED],
        ],
        queries: [{ expr: `max by (service) (nodejs_eventloop_lag_p99_seconds{${SVC}})`, legend: '{{service}}' }],
        width: 8,
        min: 0,
      }),
    )
    .withRow(row('Domain'))
    .withPanel(
      timeSeries({
        title: 'Logins by result',
        description: 'Login attempts per second at the identity service: success, invalid_credentials, locked, rejected.',
        unit: 'reqps',
        steps: [[0, BLUE]],
        queries: [{ expr: `sum by (result) (rate(loadlab_logins_total{${SVC}}${RATE}))`, legend: '{{result}}' }],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'NDXP transactions by result',
        description: 'NDXP exchanges per second by provider and result: ok, quota, timeout, circuit_open, error.',
        unit: 'reqps',
        steps: [[0, BLUE]],
        queries: [
          { expr: `sum by (provider, result) (rate(loadlab_ndxp_transactions_total{${SVC}}${RATE}))`, legend: '{{provider}} {{result}}' },
        ],
        width: 8,
        min: 0,
      }),
    )
    .withPanel(
      ranking({
        title: 'NDXP circuit state',
        description: 'Circuit breaker per provider now: 0 closed, 1 half-open, 2 open (calls refused with 503).',
        unit: 'short',
        steps: [
          [0, GREEN],
          [1, ORANGE],
          [2, RED],
        ],
        queries: [{ expr: `max by (provider) (loadlab_ndxp_circuit_state{${SVC}})`, legend: '{{provider}}' }],
        width: 8,
        min: 0,
        max: 2,
      }),
    )
    .build();
}
