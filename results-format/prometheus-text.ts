// One scrape of a service's /metrics, flattened into services.jsonl lines (docs/CONTRACTS.md section 2).
// A compact reader of the Prometheus text format: the one npm parser (parse-prometheus-text-format)
// drops labels, _sum and _count of labelled histograms, which are exactly what prom-client writes.
import type { ServiceSampleLine } from './run.ts';

/**
 * The series worth keeping every second: the USE series of modelled resources, TLS termination (handshakes,
 * their queue and time, the serving thread's busy seconds), request counts, and the process health that soak
 * analysis reads. Histograms keep only _sum and _count (mean service time);
 * their buckets would multiply the file by 15 for nothing a report shows.
 */
const KEPT =
  /^(loadlab_resource_(?!.*_bucket$).*|loadlab_tls_(?!.*_bucket$).*|loadlab_event_loop_busy_seconds_total|loadlab_http_requests_total|loadlab_ndxp_circuit_state|loadlab_logins_total|process_resident_memory_bytes|process_cpu_seconds_total|nodejs_heap_size_used_bytes|nodejs_eventloop_lag_p99_seconds)$/;

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class PromTextError extends Error {}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1; // after '{'
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const name = NAME.exec(text.slice(i))?.[0];
    if (!name || text[i + name.length] !== '=' || text[i + name.length + 1] !== '"') throw new PromTextError(`bad label in: ${line}`);
    i += name.length + 2;
    let value = '';
    for (;;) {
      const char = text[i++];
      if (char === undefined) throw new PromTextError(`unterminated label value in: ${line}`);
      if (char === '"') break;
      if (char === '\\') {
        const next = text[i++];
        value += next === 'n' ? '\n' : next;
      } else {
        value += char;
      }
    }
    labels[name] = value;
  }
}

/** Every sample line of an exposition; comments (HELP, TYPE) carry nothing a sample line lacks here. */
export function parsePromText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new PromTextError(`bad metric name in: ${line}`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const valueText = rest.trim().split(/\s+/)[0];
    const value = valueText === '+Inf' ? Number.POSITIVE_INFINITY : valueText === '-Inf' ? Number.NEGATIVE_INFINITY : Number(valueText);
    if (valueText === undefined || valueText === '' || (Number.isNaN(value) && valueText !== 'NaN'))
      throw new PromTextError(`bad value in: ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

export function flattenMetrics(text: string, service: string, t: number): ServiceSampleLine[] {
  const lines: ServiceSampleLine[] = [];
  for (const sample of parsePromText(text)) {
    if (!KEPT.test(sample.name)) continue;
    const { service: _service, ...labels } = sample.labels;
    lines.push({ t, service, metric: sample.name, labels, value: sample.value });
  }
  return lines;
}
