// k6's built-in metrics and the sample containers one iteration of a one-request script yields,
// with k6's default system tags, to drive the remote-write output without the engine.

import type { MetricDescriptor, SampleContainer } from '../../engine/metrics/types.ts';

const trend = (name: string, contains: 'time' | 'default' = 'time'): MetricDescriptor => ({ name, type: 'trend', contains });

export const K6 = {
  vus: { name: 'vus', type: 'gauge', contains: 'default' },
  vus_max: { name: 'vus_max', type: 'gauge', contains: 'default' },
  iterations: { name: 'iterations', type: 'counter', contains: 'default' },
  iteration_duration: trend('iteration_duration'),
  dropped_iterations: { name: 'dropped_iterations', type: 'counter', contains: 'default' },
  data_sent: { name: 'data_sent', type: 'counter', contains: 'data' },
  data_received: { name: 'data_received', type: 'counter', contains: 'data' },
  checks: { name: 'checks', type: 'rate', contains: 'default' },
  http_reqs: { name: 'http_reqs', type: 'counter', contains: 'default' },
  http_req_failed: { name: 'http_req_failed', type: 'rate', contains: 'default' },
  http_req_duration: trend('http_req_duration'),
  http_req_blocked: trend('http_req_blocked'),
  http_req_connecting: trend('http_req_connecting'),
  http_req_tls_handshaking: trend('http_req_tls_handshaking'),
  http_req_sending: trend('http_req_sending'),
  http_req_waiting: trend('http_req_waiting'),
  http_req_receiving: trend('http_req_receiving'),
} as const satisfies Record<string, MetricDescriptor>;

export const URL_TAG = 'http://127.0.0.1:7102/api/procedures?q=abc';

/** One iteration at `time` (ms): one GET with `durationMs`, one check, the iteration itself. */
export function iterationContainers(time: number, durationMs: number, iter: number, testid: string): SampleContainer[] {
  const requestTags = {
    expected_response: 'true',
    group: '',
    iter: String(iter),
    method: 'GET',
    name: 'procedures search',
    proto: 'HTTP/1.1',
    scenario: 'browse',
    status: '200',
    testid,
    url: URL_TAG,
    vu: '1',
  };
  return [
    {
      time,
      tags: requestTags,
      samples: [
        { metric: K6.http_reqs, value: 1 },
        { metric: K6.http_req_duration, value: durationMs },
        { metric: K6.http_req_blocked, value: 0.01 },
        { metric: K6.http_req_connecting, value: 0 },
        { metric: K6.http_req_tls_handshaking, value: 0 },
        { metric: K6.http_req_sending, value: 0.02 },
        { metric: K6.http_req_waiting, value: durationMs - 0.05 },
        { metric: K6.http_req_receiving, value: 0.03 },
        { metric: K6.http_req_failed, value: 0 },
      ],
    },
    {
      time,
      tags: { check: 'status is 200', group: '', scenario: 'browse', testid, vu: '1', iter: String(iter) },
      samples: [{ metric: K6.checks, value: iter % 4 === 0 ? 0 : 1 }],
    },
    {
      time,
      tags: { group: '', scenario: 'browse', testid, vu: '1', iter: String(iter) },
      samples: [
        { metric: K6.data_sent, value: 120 },
        { metric: K6.data_received, value: 2048 },
        { metric: K6.iteration_duration, value: durationMs + 1 },
        { metric: K6.iterations, value: 1 },
      ],
    },
    {
      time,
      tags: { testid },
      samples: [
        { metric: K6.vus, value: 5 },
        { metric: K6.vus_max, value: 10 },
      ],
    },
    { time, tags: { scenario: 'browse', testid }, samples: [{ metric: K6.dropped_iterations, value: 1 }] },
  ];
}
