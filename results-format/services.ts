// services.jsonl read as saturation of each modelled resource over a time window, from the mocks' sampled USE metrics
// (utilisation = rate(busy slot-seconds) / slots, as docs/CONTRACTS.md section 4 defines it).
import type { ResourceSaturation } from './capacity.ts';
import type { ServiceSampleLine } from './run.ts';

/** Utilisation at which a resource counts as saturated (queueing theory: waits explode past ~90 %). */
export const SATURATED_UTILISATION = 0.9;

/** Busy past SATURATED_UTILISATION, turning requests away, or queueing up. */
export function isSaturated(r: ResourceSaturation): boolean {
  // A queue counts as growing when it gained at least a full set of slots over the window: random
  // fluctuation at high utilisation queues a few requests without anything being saturated.
  return r.utilisation >= SATURATED_UTILISATION || r.rejections > 0 || r.queueGrowth >= Math.max(1, r.capacity);
}

interface Series {
  t: number[];
  v: number[];
}

function seriesByResource(lines: readonly ServiceSampleLine[]): Map<string, Map<string, Series>> {
  const resources = new Map<string, Map<string, Series>>();
  // Counters with several label sets (rejections by reason) are summed per scrape time.
  const sums = new Map<string, Map<number, number>>();
  for (const line of lines) {
    const resource = line.labels.resource;
    if (!resource || !line.metric.startsWith('loadlab_resource_')) continue;
    const key = `${line.service}/${resource}`;
    const perMetric = `${key}|${line.metric}`;
    let byTime = sums.get(perMetric);
    if (!byTime) sums.set(perMetric, (byTime = new Map()));
    byTime.set(line.t, (byTime.get(line.t) ?? 0) + line.value);
  }
  for (const [perMetric, byTime] of sums) {
    const [key, metric] = perMetric.split('|');
    let metrics = resources.get(key);
    if (!metrics) resources.set(key, (metrics = new Map()));
    const times = [...byTime.keys()].sort((a, b) => a - b);
    metrics.set(metric, { t: times, v: times.map((time) => byTime.get(time)!) });
  }
  return resources;
}

/** Value at or just before `time` (the counter's reading when the window opened). */
function valueAt(series: Series | undefined, time: number): number | undefined {
  if (!series || series.t.length === 0) return undefined;
  let found: number | undefined;
  for (let i = 0; i < series.t.length; i++) {
    if (series.t[i] <= time) found = series.v[i];
    else break;
  }
  return found ?? series.v[0];
}

function inside(series: Series | undefined, from: number, to: number): { t: number[]; v: number[] } {
  const t: number[] = [];
  const v: number[] = [];
  if (!series) return { t, v };
  for (let i = 0; i < series.t.length; i++) {
    if (series.t[i] >= from && series.t[i] <= to) {
      t.push(series.t[i]);
      v.push(series.v[i]);
    }
  }
  return { t, v };
}

function delta(series: Series | undefined, from: number, to: number): { amount: number; seconds: number } {
  const within = inside(series, from, to);
  if (!series || within.t.length === 0) return { amount: 0, seconds: 0 };
  const startValue = valueAt(series, from) ?? within.v[0];
  const startTime =
    series.t.find((time) => time <= from) !== undefined ? Math.max(...series.t.filter((time) => time <= from)) : within.t[0];
  const endTime = within.t[within.t.length - 1];
  return { amount: Math.max(0, within.v[within.v.length - 1] - startValue), seconds: endTime - startTime };
}

/** Every resource's saturation between two unix times (seconds). */
export function saturationInWindow(lines: readonly ServiceSampleLine[], from: number, to: number): ResourceSaturation[] {
  const result: ResourceSaturation[] = [];
  for (const [key, metrics] of seriesByResource(lines)) {
    const [service, resource] = key.split('/');
    const capacity = valueAt(metrics.get('loadlab_resource_capacity'), to) ?? 0;
    const busy = delta(metrics.get('loadlab_resource_busy_seconds_total'), from, to);
    const inUse = inside(metrics.get('loadlab_resource_in_use'), from, to).v;
    const queue = inside(metrics.get('loadlab_resource_queue_length'), from, to).v;
    const completed = delta(metrics.get('loadlab_resource_completed_total'), from, to);
    const rejections = delta(metrics.get('loadlab_resource_rejections_total'), from, to);
    const meanInUse = inUse.length ? inUse.reduce((s, v) => s + v, 0) / inUse.length : 0;
    const utilisation = capacity > 0 && busy.seconds > 0 ? busy.amount / busy.seconds / capacity : capacity > 0 ? meanInUse / capacity : 0;
    result.push({
      service,
      resource,
      capacity,
      utilisation: Math.min(utilisation, 1.0),
      inUseMax: inUse.length ? Math.max(...inUse) : 0,
      queueMean: queue.length ? queue.reduce((s, v) => s + v, 0) / queue.length : 0,
      queueMax: queue.length ? Math.max(...queue) : 0,
      queueGrowth: queue.length >= 2 ? queue[queue.length - 1] - queue[0] : 0,
      rejections: rejections.amount,
      completedPerSec: completed.seconds > 0 ? completed.amount / completed.seconds : 0,
    });
  }
  return result.sort((a, b) => b.utilisation - a.utilisation);
}

/** Per-second utilisation of every resource across a whole run, for charts. */
export function utilisationSeries(lines: readonly ServiceSampleLine[]): { key: string; points: { t: number; value: number }[] }[] {
  const out: { key: string; points: { t: number; value: number }[] }[] = [];
  for (const [key, metrics] of seriesByResource(lines)) {
    const busy = metrics.get('loadlab_resource_busy_seconds_total');
    const capacity = metrics.get('loadlab_resource_capacity');
    if (!busy || busy.t.length < 2) continue;
    const points: { t: number; value: number }[] = [];
    for (let i = 1; i < busy.t.length; i++) {
      const slots = valueAt(capacity, busy.t[i]) ?? 0;
      const seconds = busy.t[i] - busy.t[i - 1];
      if (slots <= 0 || seconds <= 0) continue;
      points.push({ t: busy.t[i], value: Math.min(1, Math.max(0, (busy.v[i] - busy.v[i - 1]) / seconds / slots)) });
    }
    if (points.some((point) => point.value > 0)) out.push({ key, points });
  }
  return out;
}
