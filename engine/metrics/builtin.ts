// k6's built-in metrics: the same names, types and value kinds as k6, so summaries, thresholds and
// outputs (JSON, Prometheus remote write) look the same whichever engine ran the script.
import type { MetricDescriptor, MetricType, ValueType } from './types.ts';

function metric(name: string, type: MetricType, contains: ValueType = 'default'): MetricDescriptor {
  return Object.freeze({ name, type, contains });
}

export const BUILTIN_METRICS = Object.freeze({
  vus: metric('vus', 'gauge'),
  vus_max: metric('vus_max', 'gauge'),
  iterations: metric('iterations', 'counter'),
  iteration_duration: metric('iteration_duration', 'trend', 'time'),
  dropped_iterations: metric('dropped_iterations', 'counter'),
  data_received: metric('data_received', 'counter', 'data'),
  data_sent: metric('data_sent', 'counter', 'data'),
  checks: metric('checks', 'rate'),
  group_duration: metric('group_duration', 'trend', 'time'),
  http_reqs: metric('http_reqs', 'counter'),
  http_req_failed: metric('http_req_failed', 'rate'),
  http_req_duration: metric('http_req_duration', 'trend', 'time'),
  http_req_blocked: metric('http_req_blocked', 'trend', 'time'),
  http_req_connecting: metric('http_req_connecting', 'trend', 'time'),
  http_req_tls_handshaking: metric('http_req_tls_handshaking', 'trend', 'time'),
  http_req_sending: metric('http_req_sending', 'trend', 'time'),
  http_req_waiting: metric('http_req_waiting', 'trend', 'time'),
  http_req_receiving: metric('http_req_receiving', 'trend', 'time'),
});

export type BuiltinMetricName = keyof typeof BUILTIN_METRICS;
