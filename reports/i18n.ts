// The report's two languages. Numbers and dates follow each locale (vi-VN: 1.234,5 and dd/mm/yyyy);
// times are shown in Vietnam's time zone, where the systems under test run.
import type { Comparison } from './analysis/baseline.ts';
import { ERROR_TOLERANCE, LATENCY_MIN_CHANGE_MS, LATENCY_TOLERANCE, THROUGHPUT_TOLERANCE } from './analysis/baseline.ts';
import { ERROR_DRIFT, LATENCY_DRIFT, MEMORY_DRIFT, TREND_MIN_R2, WARM_UP_SHARE } from './analysis/stability.ts';
import {
  type Bottleneck,
  type CapacityResult,
  HISTOGRAM_SIGNIFICANT_DIGITS,
  KEEP_PACE,
  NO_DATA,
  SATURATED_UTILISATION,
  type Unreachable,
} from '../results-format/index.ts';
import type { Finding, Light, Recommendation, Verdict } from './model.ts';

/** A share as the methodology quotes it: 0.9 → "90 %". */
const pct = (share: number): string => `${Math.round(share * 1000) / 10} %`;
/** A ratio as percentage points in the language's decimal mark: 0.005 → "0.5" / "0,5". */
const points = (ratio: number, mark: '.' | ','): string => String(Math.round(ratio * 1000) / 10).replace('.', mark);

/** The bottleneck sentence in either language: which of the language's three wordings applies. */
function describeBottleneck(this: Messages, b: Bottleneck | null): string {
  if (b === null) return this.noBottleneck;
  if (b.kind === 'resource')
    return this.bottleneckResource(
      b.name,
      b.offeredRate,
      b.evidence.utilisation ?? 0,
      b.evidence.queueGrowth ?? 0,
      b.evidence.rejections ?? 0,
    );
  if (b.kind === 'tls') return this.bottleneckTls(b);
  return this.bottleneckRequest(b.name, b.offeredRate, b.evidence.latencyGrowth ?? 0);
}

export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];

export interface Formatters {
  number(value: number, digits?: number): string;
  percent(ratio: number, digits?: number): string;
  ms(value: number): string;
  rate(value: number): string;
  date(iso: string | number | Date): string;
  dateTime(iso: string | number | Date): string;
  time(unixSeconds: number): string;
}

function formatters(locale: string): Formatters {
  const numberCache = new Map<number, Intl.NumberFormat>();
  const number = (value: number, digits = 0) => {
    let format = numberCache.get(digits);
    // signDisplay 'negative': a value that rounds to zero prints "0", never "-0".
    if (!format)
      numberCache.set(
        digits,
        (format = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0, signDisplay: 'negative' })),
      );
    return Number.isFinite(value) ? format.format(value) : '∞';
  };
  const zone = 'Asia/Ho_Chi_Minh';
  const date = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: zone });
  const dateTime = new Intl.DateTimeFormat(locale, {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZone: zone,
  });
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: zone });
  return {
    number,
    percent: (ratio, digits = 1) => `${number(ratio * 100, digits)} %`,
    ms: (value) => `${number(value, value < 10 ? 1 : 0)} ms`,
    rate: (value) => number(value, value < 10 ? 2 : value < 100 ? 1 : 0),
    date: (value) => date.format(new Date(value)),
    dateTime: (value) => `${dateTime.format(new Date(value))} (GMT+7)`,
    time: (unixSeconds) => time.format(new Date(unixSeconds * 1000)),
  };
}

export interface Messages {
  lang: Lang;
  fmt: Formatters;
  title: string;
  light: Record<Light, string>;
  sections: {
    verdict: string;
    flows: string;
    capacity: string;
    bottleneck: string;
    projection: string;
    charts: string;
    baseline: string;
    recommendations: string;
    stability: string;
    methodology: string;
    metadata: string;
  };
  columns: Record<
    | 'flow'
    | 'status'
    | 'findings'
    | 'requests'
    | 'p95'
    | 'errors'
    | 'checks'
    | 'thresholds'
    | 'step'
    | 'phase'
    | 'offered'
    | 'achieved'
    | 'sustainable'
    | 'topResource'
    | 'year'
    | 'peak'
    | 'headroom'
    | 'subject'
    | 'baseline'
    | 'current'
    | 'change'
    | 'assessment'
    | 'slope'
    | 'r2',
    string
  >;
  yes: string;
  no: string;
  /** A step cut short by an interruption, in place of yes/no. */
  partial: string;
  phase: Record<'ramp' | 'refine', string>;
  verdict(verdict: Verdict): string;
  finding(finding: Finding): string;
  recommendation(rec: Recommendation): string;
  capacitySummary(max: number | null, lo: number | null, hi: number | null, requestsPerSec: number | null): string;
  firstBreak(stepIndex: number, rate: number, criteria: string[]): string;
  noBreak: string;
  knee(rate: number, p95: number): string;
  bottleneckResource(name: string, rate: number, utilisation: number, queueGrowth: number, rejections: number): string;
  bottleneckRequest(name: string, rate: number, growth: number): string;
  /** TLS termination saturated in front of the services, with the evidence. */
  bottleneckTls(b: Bottleneck): string;
  /** The bottleneck paragraph, whatever its kind. */
  bottleneck(b: Bottleneck | null): string;
  noBottleneck: string;
  projectionIntro(name: string, description: string, source: string): string;
  projectionCrossing(projection: {
    crossingYear: number | null;
    beyondHorizon: number | null;
    headroomNow: number | null;
    currentYear: number;
    capacity: number | null;
    unit: string;
  }): string;
  comparison(c: Comparison): string;
  noRegressions: string;
  regressionFlag: string;
  improvementFlag: string;
  unchangedFlag: string;
  stabilityNote(meaningful: boolean, durationS: number): string;
  driftSubject(subject: string): string;
  drifting: string;
  steady: string;
  charts: Record<
    'timeline' | 'capacityThroughput' | 'capacityLatency' | 'capacityErrors' | 'capacitySaturation' | 'utilisation' | 'projection',
    string
  >;
  axes: Record<'time' | 'offered' | 'reqPerSec' | 'latency' | 'errors' | 'utilisation' | 'year' | 'demand', string>;
  series: Record<
    'requests' | 'p95' | 'errors' | 'vus' | 'achieved' | 'ideal' | 'sloLimit' | 'maxSustainable' | 'capacityLine' | 'peakDemand',
    string
  >;
  methodology: string[];
  meta: Record<
    | 'folder'
    | 'generated'
    | 'run'
    | 'script'
    | 'engine'
    | 'profile'
    | 'started'
    | 'ended'
    | 'duration'
    | 'git'
    | 'host'
    | 'slo'
    | 'sloSource'
    | 'stoppedBecause'
    | 'settings',
    string
  >;
  sloSource: Record<'flag' | 'thresholds', string>;
  stoppedBecause: Record<CapacityResult['stoppedBecause'], string>;
  seconds(value: number): string;
  /** An SLO label as shown; the implicit keep-pace criterion is phrased per language. */
  criterion(label: string): string;
  noData: string;
}

type StaticMessages = Omit<
  Messages,
  | 'fmt'
  | 'verdict'
  | 'finding'
  | 'recommendation'
  | 'capacitySummary'
  | 'firstBreak'
  | 'knee'
  | 'bottleneckResource'
  | 'bottleneckRequest'
  | 'bottleneckTls'
  | 'bottleneck'
  | 'projectionIntro'
  | 'projectionCrossing'
  | 'comparison'
  | 'stabilityNote'
  | 'seconds'
  | 'criterion'
>;

const en: StaticMessages = {
  lang: 'en',
  title: 'Capacity and load test report',
  light: { green: 'Green', amber: 'Amber', red: 'Red' },
  sections: {
    verdict: 'Verdict',
    flows: 'Status per flow',
    capacity: 'Capacity',
    bottleneck: 'Bottleneck',
    projection: 'Demand projection',
    charts: 'Load, latency, errors and saturation',
    baseline: 'Comparison with the baseline run',
    recommendations: 'Recommendations',
    stability: 'Stability over time',
    methodology: 'Methodology',
    metadata: 'Run metadata',
  },
  columns: {
    flow: 'Flow',
    status: 'Status',
    findings: 'Findings',
    requests: 'Requests',
    p95: 'p95 latency',
    errors: 'Errors',
    checks: 'Checks',
    thresholds: 'Thresholds',
    step: 'Step',
    phase: 'Phase',
    offered: 'Offered (it/s)',
    achieved: 'Achieved (it/s)',
    sustainable: 'Within SLO',
    topResource: 'Busiest resource',
    year: 'Year',
    peak: 'Peak demand',
    headroom: 'Headroom',
    subject: 'Measure',
    baseline: 'Baseline',
    current: 'This run',
    change: 'Change',
    assessment: 'Assessment',
    slope: 'Trend per minute',
    r2: 'Fit (R²)',
  },
  yes: 'yes',
  no: 'no',
  partial: 'partial (interrupted)',
  phase: { ramp: 'ramp', refine: 'refine' },
  noBreak: 'No step broke the SLO: the system sustained every rate tried.',
  noBottleneck: 'No resource saturated and no request slowed markedly within the rates tried.',
  noRegressions: 'No regression beyond noise.',
  regressionFlag: 'regression',
  improvementFlag: 'improvement',
  unchangedFlag: 'unchanged',
  driftSubject: (subject) =>
    subject.replace('latency_p95', 'p95 latency').replace('error_rate', 'error rate').replace('memory:', 'memory of '),
  drifting: 'drifting',
  steady: 'steady',
  charts: {
    timeline: 'Load, latency and errors over time',
    capacityThroughput: 'Throughput achieved vs offered load',
    capacityLatency: 'Latency vs offered load',
    capacityErrors: 'Errors vs offered load',
    capacitySaturation: 'Resource saturation vs offered load',
    utilisation: 'Resource utilisation over time',
    projection: 'Projected peak demand vs measured capacity',
  },
  axes: {
    time: 'time',
    offered: 'offered load (it/s)',
    reqPerSec: 'req/s',
    latency: 'ms',
    errors: '% failed',
    utilisation: '% busy',
    year: 'year',
    demand: 'per second',
  },
  series: {
    requests: 'requests/s',
    p95: 'p95 latency',
    errors: 'failed %',
    vus: 'VUs',
    achieved: 'achieved',
    ideal: 'offered (ideal)',
    sloLimit: 'SLO limit',
    maxSustainable: 'max sustainable',
    capacityLine: 'measured capacity',
    peakDemand: 'peak demand',
  },
  methodology: [
    'Capacity search: each step is an embedded-engine run of the scenario with a constant-arrival-rate executor (an open model: new iterations start on schedule however slow the responses, so overload shows as queueing instead of being hidden).',
    'The first seconds of every step are a warm-up and are not measured. A step is within the SLO when every criterion holds over its measured part and the achieved throughput keeps pace with the offered rate; a step that is clearly broken (twice over a limit, or far behind) is stopped early.',
    'After the first broken step the search bisects between the last good and the first broken rate; the maximum sustainable throughput is interpolated between them on the criterion that broke.',
    `Bottleneck: the first resource of the local services whose utilisation (busy slot-seconds per second ÷ slots) reaches ${pct(SATURATED_UTILISATION)}, whose queue grows, or that rejects work; without service metrics, the request whose p95 doubled first.`,
    'Demand projection: peak per second = daily volume ÷ active hours × peak-hour factor (or a burst: events ÷ window × peak factor), grown by the yearly rate; headroom = capacity ÷ peak − 1.',
    `Stability: least-squares trends of p95 latency, error rate and service memory after the first ${pct(WARM_UP_SHARE)} of the run; a drift counts when it exceeds ${pct(LATENCY_DRIFT)} (latency), ${points(ERROR_DRIFT, '.')} point (errors) or ${pct(MEMORY_DRIFT)} (memory) over the run and the trend explains at least ${pct(TREND_MIN_R2)} of the variation.`,
    `Baseline: latency worse by more than ${pct(LATENCY_TOLERANCE)} (and ${LATENCY_MIN_CHANGE_MS} ms), errors up by more than ${points(ERROR_TOLERANCE, '.')} points, checks down by more than ${points(ERROR_TOLERANCE, '.')} points, or capacity down by more than ${pct(THROUGHPUT_TOLERANCE)} is a regression.`,
    `Percentiles are those of the samples: each second's HDR histogram (${HISTOGRAM_SIGNIFICANT_DIGITS} significant digits) is stored per tag set and merged for a flow, a request or the whole run, never averaged. An SLO criterion that no sample matched counts as not met (no data).`,
    'An interrupted search (Ctrl-C, SIGTERM) keeps the step in progress, marked partial: it is shown but not judged, and the capacity found so far is a lower bound.',
  ],
  meta: {
    folder: 'Results folder',
    generated: 'Report generated',
    run: 'Run',
    script: 'Script',
    engine: 'Engine',
    profile: 'Profile',
    started: 'Started',
    ended: 'Ended',
    duration: 'Duration',
    git: 'Git revision',
    host: 'Host',
    slo: 'SLO',
    sloSource: 'SLO source',
    stoppedBecause: 'Search stopped because',
    settings: 'Search settings',
  },
  sloSource: { flag: '--slo flag', thresholds: "the scenario's thresholds" },
  stoppedBecause: {
    'slo-broken': 'the SLO broke',
    'max-duration': 'the time budget (--max-duration) ran out',
    'max-rate': 'the maximum rate was reached',
    interrupted: 'it was interrupted',
    'scenario-failed': 'the scenario itself failed a step (see the exit code)',
  },
  noData: 'no data',
};

const UNREACHABLE_EN: Record<Unreachable['reason'], string> = {
  refused: 'refused every connection (connection refused)',
  timeout: 'never answered (connections timed out)',
  network: 'could not be reached (network unreachable)',
};
const UNREACHABLE_VI: Record<Unreachable['reason'], string> = {
  refused: 'từ chối mọi kết nối (connection refused)',
  timeout: 'không hề trả lời (kết nối quá thời gian chờ)',
  network: 'không thể kết nối tới (mạng không tới được)',
};

/** The verdict is one sentence: at most three criteria, the rest are in the capacity section. */
function shortList(labels: readonly string[]): string {
  return labels.length <= 3 ? labels.join(', ') : `${labels.slice(0, 3).join(', ')}, …`;
}

function criterionEn(label: string): string {
  if (label.startsWith(NO_DATA)) return `${label.slice(NO_DATA.length)}: no data (no sample matched it)`;
  return label.startsWith(KEEP_PACE)
    ? `throughput kept below ${Math.round(Number(label.slice(KEEP_PACE.length)) * 100)} % of the offered rate`
    : label;
}

function criterionVi(label: string): string {
  if (label.startsWith(NO_DATA)) return `${label.slice(NO_DATA.length)}: không có dữ liệu (không mẫu nào khớp)`;
  return label.startsWith(KEEP_PACE)
    ? `thông lượng đạt được dưới ${Math.round(Number(label.slice(KEEP_PACE.length)) * 100)} % tải đặt`
    : label;
}

function english(fmt: Formatters): Messages {
  const n = fmt.number;
  return {
    ...en,
    fmt,
    verdict: (v) => {
      if (v.key === 'capacity') {
        const projection = v.projection;
        let demand = '';
        if (projection?.capacityPerSec != null && projection.headroomNow !== null) {
          const year = projection.crossingYear ?? projection.beyondHorizon;
          demand =
            projection.headroomNow >= 0
              ? `, ${fmt.percent(projection.headroomNow, 0)} above this year's projected peak (${projection.model.name.en})${year ? `, which demand reaches in ${year}` : ''}`
              : `, below this year's projected peak of ${fmt.rate(projection.years.find((y) => y.year === projection.currentYear)?.peakPerSec ?? 0)} ${projection.model.unit.en} (${projection.model.name.en})`;
        }
        return `The ${v.flow} flow sustains ${v.lowerBound ? 'at least' : 'at most'} ${fmt.rate(v.throughput)} iterations/s within its SLO (${shortList(v.slo)})${demand}${v.bottleneck ? `; the bottleneck is ${v.bottleneckTls ? `TLS termination (${v.bottleneck})` : v.bottleneck}` : ''}.`;
      }
      if (v.key === 'capacityNone')
        return `The ${v.flow} flow broke its SLO (${v.slo.map(criterionEn).join(', ')}) already at the starting rate of ${fmt.rate(v.rate)} iterations/s.`;
      if (v.key === 'capacityInterrupted') {
        return v.atLeast === null
          ? `The capacity search on the ${v.flow} flow was interrupted at step ${v.stepIndex}, before any step was complete: no capacity was measured.`
          : `The capacity search on the ${v.flow} flow was interrupted at step ${v.stepIndex}, capacity ≥ ${fmt.rate(v.atLeast)} iterations/s within its SLO (${shortList(v.slo)}); the limit was not reached.`;
      }
      if (v.key === 'targetDown')
        return `Nothing answered: ${v.origins.join(', ') || 'the target'} ${UNREACHABLE_EN[v.reason]}, so the ${v.flow} flow was not measured. Is the target running?`;
      if (v.total === 0) return `${v.flows} flow(s) ran; the scenarios define no thresholds, so the verdict rests on errors and checks.`;
      return v.failedFlows.length === 0
        ? `All ${v.total} thresholds held across ${v.flows} flow(s).`
        : `${v.total - v.passed} of ${v.total} thresholds failed, in ${v.failedFlows.join(', ')}.`;
    },
    finding: (f) => {
      switch (f.key) {
        case 'thresholdFailed':
          return `threshold ${f.metric}: ${f.expression} failed`;
        case 'errorsHigh':
          return `${fmt.percent(f.ratio)} of requests failed`;
        case 'checksLow':
          return `only ${fmt.percent(f.ratio)} of checks passed`;
        case 'exitCode':
          return `the run ended with exit code ${f.code}`;
        case 'interrupted':
          return `the run was interrupted after ${fmt.number(f.afterS, 0)} s: figures are partial`;
        case 'headroomLow':
          return f.headroom < 0
            ? `demand exceeds capacity by ${fmt.percent(-f.headroom, 0)}`
            : `only ${fmt.percent(f.headroom, 0)} headroom over this year's peak`;
        case 'demandExceeds':
          return `projected peak demand has exceeded the measured capacity since ${f.year}`;
        case 'noSustainableStep':
          return `not sustainable even at ${fmt.rate(f.rate)} it/s`;
        case 'demandAboveLowerBound':
          return `this year's projected peak is above the measured floor; the search did not reach the limit, so this is not a shortfall yet`;
        case 'searchInterrupted':
          return f.atLeast === null
            ? `interrupted at step ${f.stepIndex}, before any step was complete`
            : `interrupted at step ${f.stepIndex}, capacity ≥ ${fmt.rate(f.atLeast)} it/s: figures are partial`;
        case 'targetDown':
          return `no response from ${f.origins.join(', ') || 'the target'}: ${UNREACHABLE_EN[f.reason]}`;
        case 'scenarioFailed':
          return `the scenario itself failed at step ${f.stepIndex} (exit code ${f.exitCode}): the steps before it are kept, the limit was not reached`;
        case 'sloNoData':
          return `no data for ${f.criteria.join(', ')}: no sample matched, so ${f.criteria.length > 1 ? 'they were' : 'it was'} not met (check the metric name and tag filter)`;
        case 'allGood':
          return 'all thresholds held, no notable errors';
      }
    },
    recommendation: (r) => {
      switch (r.key) {
        case 'scaleResource':
          return `Scale ${r.resource}: it saturated first (${fmt.percent(r.utilisation, 0)} busy${r.rejections > 0 ? `, ${n(r.rejections)} rejections` : ''}) at ${fmt.rate(r.rate)} it/s. Add slots or instances, or shorten its service time; capacity grows in proportion.`;
        case 'investigateRequest':
          return `Profile "${r.request}": its p95 grew ${n(r.growth, 1)}× first as load rose, before any other request.`;
        case 'offloadTls':
          return `Relieve TLS termination in front of ${r.services}: at ${fmt.rate(r.rate)} it/s, ${n(r.handshakesPerSec, 0)} new handshakes/s took ${fmt.percent(r.share, 0)} of the terminating thread. Keep connections alive and reuse them, enable TLS session resumption, prefer an ECDSA certificate to a large RSA key, or add TLS terminators (load-balancer instances or cores).`;
        case 'planBefore':
          return `Plan capacity before ${r.year}: projected peak demand then exceeds the measured ${fmt.rate(r.capacity)} ${r.unit}.`;
        case 'fixThresholds':
          return `Investigate the failed thresholds in ${r.flows.join(', ')} before the next release.`;
        case 'investigateErrors':
          return `Investigate the failed requests (${fmt.percent(r.ratio)}): error responses under load are what users see as "cannot log in".`;
        case 'drift':
          return `Check ${en.driftSubject(r.subject)}: it drifted ${fmt.percent(r.change, 0)} over the run — a leak or a growing queue would look like this.`;
        case 'regressions':
          return `Regressions against the baseline: ${r.subjects.join(', ')}. Compare the changes between the two revisions.`;
        case 'extendSearch':
          return 'The search never broke the SLO: re-run with a higher --start-rate or a longer --max-duration to find the limit.';
        case 'keepWatching':
          return 'No action needed now; re-run the capacity search after each change to the systems or their configuration.';
      }
    },
    capacitySummary: (max, lo, hi, rps) =>
      max === null
        ? 'No step was within the SLO, so no sustainable throughput could be measured.'
        : `Maximum sustainable throughput: ${fmt.rate(max)} iterations/s${rps !== null ? ` (${fmt.rate(rps)} requests/s)` : ''}, between the last sustainable rate ${lo !== null ? fmt.rate(lo) : '–'} it/s and the first broken rate ${hi !== null ? `${fmt.rate(hi)} it/s` : '(none reached)'}.`,
    firstBreak: (step, rate, criteria) =>
      `The SLO first broke at step ${step} (${fmt.rate(rate)} it/s offered): ${criteria.map(criterionEn).join('; ')}.`,
    knee: (rate, p95) =>
      `Knee of the throughput–latency curve: ${fmt.rate(rate)} it/s offered, where p95 was ${fmt.ms(p95)}; beyond it latency rises faster than load.`,
    bottleneckResource: (name, rate, u, q, rej) =>
      `${name} saturated first, at ${fmt.rate(rate)} it/s offered: ${fmt.percent(u, 0)} of its slots busy${q > 0 ? `, queue growing by ${n(q)}` : ''}${rej > 0 ? `, ${n(rej)} requests rejected` : ''}.`,
    bottleneckRequest: (name, rate, growth) =>
      `No service metrics showed saturation; the request "${name}" slowed first (p95 ${n(growth, 1)}× its light-load value) at ${fmt.rate(rate)} it/s offered.`,
    bottleneckTls: (b) => {
      const e = b.evidence;
      const resource = e.maxResource
        ? ` while the busiest modelled resource, ${e.maxResource}, stayed at ${fmt.percent(e.maxResourceUtilisation ?? 0, 0)}`
        : ' while no modelled resource was busy';
      const growth =
        (e.handshakeGrowth ?? 1) > 1
          ? `; clients' TLS handshake p95 rose to ${fmt.ms(e.clientHandshakeP95 ?? 0)}, ${n(e.handshakeGrowth ?? 1, 1)}× its light-load value`
          : '';
      return `TLS termination saturated first, at ${fmt.rate(b.offeredRate)} it/s offered: the thread terminating TLS for ${b.name} was ${fmt.percent(e.eventLoopUtilisation ?? 0, 0)} busy, ${n(e.handshakesPerSec ?? 0, 0)} handshakes/s took ${fmt.percent(e.handshakeShareOfBusy ?? 0, 0)} of that time${resource}${growth}.`;
    },
    bottleneck: describeBottleneck,
    projectionIntro: (name, description, source) => `${name}: ${description} Source: ${source}.`,
    projectionCrossing: (p) => {
      if (p.capacity === null) return 'No capacity was measured for this flow, so only the demand is shown.';
      if (p.crossingYear !== null && p.crossingYear <= p.currentYear)
        return `Demand already exceeds the measured capacity of ${fmt.rate(p.capacity)} ${p.unit} (crossed in ${p.crossingYear}).`;
      const year = p.crossingYear ?? p.beyondHorizon;
      const headroom = p.headroomNow !== null ? `Headroom in ${p.currentYear}: ${fmt.percent(p.headroomNow, 0)}. ` : '';
      return `${headroom}${year !== null ? `Demand reaches the measured capacity of ${fmt.rate(p.capacity)} ${p.unit} in ${year}.` : 'Demand does not reach the measured capacity.'}`;
    },
    comparison: (c) => c.subject,
    stabilityNote: (meaningful, durationS) =>
      meaningful
        ? `Trends over ${n(durationS)} s of run.`
        : `This run lasted ${n(durationS)} s: too short for drift to mean much (use the soak profile, ≥ 5 minutes); trends are shown for completeness.`,
    seconds: (value) => `${n(value)} s`,
    criterion: criterionEn,
  };
}

const viStatic: StaticMessages = {
  lang: 'vi',
  title: 'Báo cáo năng lực và kiểm thử tải',
  light: { green: 'Xanh', amber: 'Vàng', red: 'Đỏ' },
  sections: {
    verdict: 'Kết luận',
    flows: 'Trạng thái từng luồng nghiệp vụ',
    capacity: 'Năng lực hệ thống',
    bottleneck: 'Điểm nghẽn',
    projection: 'Dự báo nhu cầu',
    charts: 'Tải, độ trễ, lỗi và mức bão hòa',
    baseline: 'So sánh với lần chạy cơ sở',
    recommendations: 'Khuyến nghị',
    stability: 'Độ ổn định theo thời gian',
    methodology: 'Phương pháp',
    metadata: 'Thông tin lần chạy',
  },
  columns: {
    flow: 'Luồng',
    status: 'Trạng thái',
    findings: 'Nhận định',
    requests: 'Số yêu cầu',
    p95: 'Độ trễ p95',
    errors: 'Tỷ lệ lỗi',
    checks: 'Kiểm tra đạt',
    thresholds: 'Ngưỡng',
    step: 'Bước',
    phase: 'Giai đoạn',
    offered: 'Tải đặt (lượt/giây)',
    achieved: 'Đạt được (lượt/giây)',
    sustainable: 'Đạt SLO',
    topResource: 'Tài nguyên bận nhất',
    year: 'Năm',
    peak: 'Nhu cầu cao điểm',
    headroom: 'Dư địa',
    subject: 'Chỉ số',
    baseline: 'Lần cơ sở',
    current: 'Lần này',
    change: 'Thay đổi',
    assessment: 'Đánh giá',
    slope: 'Xu hướng mỗi phút',
    r2: 'Độ khớp (R²)',
  },
  yes: 'có',
  no: 'không',
  partial: 'một phần (bị ngắt)',
  phase: { ramp: 'tăng dần', refine: 'tinh chỉnh' },
  noBreak: 'Không bước nào vi phạm SLO: hệ thống chịu được mọi mức tải đã thử.',
  noBottleneck: 'Trong các mức tải đã thử, không tài nguyên nào bão hòa và không yêu cầu nào chậm đi rõ rệt.',
  noRegressions: 'Không có suy giảm vượt mức dao động thông thường.',
  regressionFlag: 'suy giảm',
  improvementFlag: 'cải thiện',
  unchangedFlag: 'không đổi',
  driftSubject: (subject) =>
    subject.replace('latency_p95', 'độ trễ p95').replace('error_rate', 'tỷ lệ lỗi').replace('memory:', 'bộ nhớ của '),
  drifting: 'đang trôi',
  steady: 'ổn định',
  charts: {
    timeline: 'Tải, độ trễ và lỗi theo thời gian',
    capacityThroughput: 'Thông lượng đạt được so với tải đặt',
    capacityLatency: 'Độ trễ theo tải đặt',
    capacityErrors: 'Tỷ lệ lỗi theo tải đặt',
    capacitySaturation: 'Mức bão hòa tài nguyên theo tải đặt',
    utilisation: 'Mức sử dụng tài nguyên theo thời gian',
    projection: 'Nhu cầu cao điểm dự báo so với năng lực đo được',
  },
  axes: {
    time: 'thời gian',
    offered: 'tải đặt (lượt/giây)',
    reqPerSec: 'yêu cầu/giây',
    latency: 'ms',
    errors: '% lỗi',
    utilisation: '% bận',
    year: 'năm',
    demand: 'mỗi giây',
  },
  series: {
    requests: 'yêu cầu/giây',
    p95: 'độ trễ p95',
    errors: '% lỗi',
    vus: 'người dùng ảo',
    achieved: 'đạt được',
    ideal: 'tải đặt (lý tưởng)',
    sloLimit: 'giới hạn SLO',
    maxSustainable: 'thông lượng tối đa bền vững',
    capacityLine: 'năng lực đo được',
    peakDemand: 'nhu cầu cao điểm',
  },
  methodology: [
    'Tìm năng lực: mỗi bước là một lần chạy kịch bản bằng engine nhúng với bộ thực thi tốc độ đến không đổi (mô hình mở: lượt mới bắt đầu đúng lịch dù phản hồi chậm, nên quá tải hiện ra thành hàng đợi chứ không bị che khuất).',
    'Vài giây đầu của mỗi bước là thời gian khởi động và không được đo. Một bước đạt SLO khi mọi tiêu chí đều thỏa trong phần được đo và thông lượng đạt được theo kịp tải đặt; bước vi phạm rõ ràng (vượt gấp đôi giới hạn hoặc tụt xa) được dừng sớm.',
    'Sau bước vi phạm đầu tiên, việc tìm kiếm chia đôi khoảng giữa mức tốt cuối cùng và mức vi phạm đầu tiên; thông lượng tối đa bền vững được nội suy giữa hai mức đó theo tiêu chí bị vi phạm.',
    `Điểm nghẽn: tài nguyên đầu tiên của các dịch vụ cục bộ có mức sử dụng (số giây-khe bận mỗi giây ÷ số khe) đạt ${pct(SATURATED_UTILISATION)}, có hàng đợi tăng dần hoặc bắt đầu từ chối yêu cầu; khi không có số liệu dịch vụ, đó là yêu cầu có p95 tăng gấp đôi sớm nhất.`,
    'Dự báo nhu cầu: cao điểm mỗi giây = khối lượng ngày ÷ số giờ hoạt động × hệ số giờ cao điểm (hoặc đợt dồn: số sự kiện ÷ khung thời gian × hệ số cao điểm), tăng theo tỷ lệ hằng năm; dư địa = năng lực ÷ cao điểm − 1.',
    `Độ ổn định: xu hướng bình phương tối thiểu của độ trễ p95, tỷ lệ lỗi và bộ nhớ dịch vụ sau ${pct(WARM_UP_SHARE)} đầu của lần chạy; được coi là trôi khi thay đổi vượt ${pct(LATENCY_DRIFT)} (độ trễ), ${points(ERROR_DRIFT, ',')} điểm phần trăm (lỗi) hoặc ${pct(MEMORY_DRIFT)} (bộ nhớ) trong cả lần chạy và xu hướng giải thích ít nhất ${pct(TREND_MIN_R2)} biến động.`,
    `So với lần cơ sở: độ trễ tăng quá ${pct(LATENCY_TOLERANCE)} (và quá ${LATENCY_MIN_CHANGE_MS} ms), lỗi tăng quá ${points(ERROR_TOLERANCE, ',')} điểm phần trăm, kiểm tra đạt giảm quá ${points(ERROR_TOLERANCE, ',')} điểm phần trăm hoặc năng lực giảm quá ${pct(THROUGHPUT_TOLERANCE)} được coi là suy giảm.`,
    `Các phân vị là phân vị của chính các mẫu đo: biểu đồ tần suất HDR của từng giây (${HISTOGRAM_SIGNIFICANT_DIGITS} chữ số có nghĩa) được lưu theo từng bộ thẻ và gộp lại cho một luồng, một yêu cầu hay cả lần chạy, không bao giờ lấy trung bình. Tiêu chí SLO không có mẫu nào khớp được coi là không đạt (không có dữ liệu).`,
    'Khi việc tìm kiếm bị ngắt (Ctrl-C, SIGTERM), bước đang chạy được giữ lại và đánh dấu là một phần: bước đó được hiển thị nhưng không dùng để kết luận, và năng lực tìm được đến lúc đó chỉ là mức tối thiểu.',
  ],
  meta: {
    folder: 'Thư mục kết quả',
    generated: 'Thời điểm lập báo cáo',
    run: 'Lần chạy',
    script: 'Kịch bản',
    engine: 'Engine',
    profile: 'Hồ sơ tải',
    started: 'Bắt đầu',
    ended: 'Kết thúc',
    duration: 'Thời lượng',
    git: 'Phiên bản Git',
    host: 'Máy chạy',
    slo: 'SLO',
    sloSource: 'Nguồn SLO',
    stoppedBecause: 'Dừng tìm kiếm vì',
    settings: 'Thiết lập tìm kiếm',
  },
  sloSource: { flag: 'tham số --slo', thresholds: 'các ngưỡng của kịch bản' },
  noData: 'không có dữ liệu',
  stoppedBecause: {
    'slo-broken': 'SLO bị vi phạm',
    'max-duration': 'hết thời gian cho phép (--max-duration)',
    'max-rate': 'đã đạt tốc độ tối đa',
    interrupted: 'bị ngắt giữa chừng',
    'scenario-failed': 'chính kịch bản bị lỗi ở một bước (xem mã thoát)',
  },
};

function vietnamese(fmt: Formatters): Messages {
  const n = fmt.number;
  return {
    ...viStatic,
    fmt,
    verdict: (v) => {
      if (v.key === 'capacity') {
        const projection = v.projection;
        let demand = '';
        if (projection?.capacityPerSec != null && projection.headroomNow !== null) {
          const year = projection.crossingYear ?? projection.beyondHorizon;
          demand =
            projection.headroomNow >= 0
              ? `, cao hơn ${fmt.percent(projection.headroomNow, 0)} so với cao điểm dự báo năm nay (${projection.model.name.vi})${year ? `, nhu cầu sẽ chạm mức này vào năm ${year}` : ''}`
              : `, thấp hơn cao điểm dự báo năm nay là ${fmt.rate(projection.years.find((y) => y.year === projection.currentYear)?.peakPerSec ?? 0)} ${projection.model.unit.vi} (${projection.model.name.vi})`;
        }
        return `Luồng ${v.flow} chịu được ${v.lowerBound ? 'ít nhất' : 'tối đa'} ${fmt.rate(v.throughput)} lượt/giây trong giới hạn SLO (${shortList(v.slo)})${demand}${v.bottleneck ? `; điểm nghẽn là ${v.bottleneckTls ? `khâu xử lý TLS (TLS termination: ${v.bottleneck})` : v.bottleneck}` : ''}.`;
      }
      if (v.key === 'capacityNone')
        return `Luồng ${v.flow} đã vi phạm SLO (${v.slo.map(criterionVi).join(', ')}) ngay ở mức tải khởi đầu ${fmt.rate(v.rate)} lượt/giây.`;
      if (v.key === 'capacityInterrupted') {
        return v.atLeast === null
          ? `Việc tìm năng lực của luồng ${v.flow} bị ngắt ở bước ${v.stepIndex}, trước khi bước nào hoàn tất: chưa đo được năng lực.`
          : `Việc tìm năng lực của luồng ${v.flow} bị ngắt ở bước ${v.stepIndex}, năng lực ≥ ${fmt.rate(v.atLeast)} lượt/giây trong giới hạn SLO (${shortList(v.slo)}); chưa chạm tới giới hạn.`;
      }
      if (v.key === 'targetDown')
        return `Không có phản hồi: ${v.origins.join(', ') || 'hệ thống đích'} ${UNREACHABLE_VI[v.reason]}, nên luồng ${v.flow} chưa được đo. Hệ thống đích có đang chạy không?`;
      if (v.total === 0) return `Đã chạy ${v.flows} luồng; các kịch bản không đặt ngưỡng nên kết luận dựa trên tỷ lệ lỗi và kiểm tra.`;
      return v.failedFlows.length === 0
        ? `Tất cả ${v.total} ngưỡng đều đạt trên ${v.flows} luồng nghiệp vụ.`
        : `${v.total - v.passed} trên ${v.total} ngưỡng không đạt, tại ${v.failedFlows.join(', ')}.`;
    },
    finding: (f) => {
      switch (f.key) {
        case 'thresholdFailed':
          return `ngưỡng ${f.metric}: ${f.expression} không đạt`;
        case 'errorsHigh':
          return `${fmt.percent(f.ratio)} yêu cầu bị lỗi`;
        case 'checksLow':
          return `chỉ ${fmt.percent(f.ratio)} kiểm tra đạt`;
        case 'exitCode':
          return `lần chạy kết thúc với mã thoát ${f.code}`;
        case 'interrupted':
          return `lần chạy bị ngắt sau ${fmt.number(f.afterS, 0)} giây: số liệu chỉ là một phần`;
        case 'headroomLow':
          return f.headroom < 0
            ? `nhu cầu vượt năng lực ${fmt.percent(-f.headroom, 0)}`
            : `dư địa chỉ còn ${fmt.percent(f.headroom, 0)} so với cao điểm năm nay`;
        case 'demandExceeds':
          return `nhu cầu cao điểm dự báo đã vượt năng lực đo được từ năm ${f.year}`;
        case 'noSustainableStep':
          return `không bền vững ngay cả ở ${fmt.rate(f.rate)} lượt/giây`;
        case 'demandAboveLowerBound':
          return 'cao điểm dự báo năm nay cao hơn mức tối thiểu đã đo; việc tìm kiếm chưa chạm giới hạn nên đây chưa phải là thiếu hụt';
        case 'searchInterrupted':
          return f.atLeast === null
            ? `bị ngắt ở bước ${f.stepIndex}, trước khi bước nào hoàn tất`
            : `bị ngắt ở bước ${f.stepIndex}, năng lực ≥ ${fmt.rate(f.atLeast)} lượt/giây: số liệu chỉ là một phần`;
        case 'targetDown':
          return `không có phản hồi từ ${f.origins.join(', ') || 'hệ thống đích'}: ${UNREACHABLE_VI[f.reason]}`;
        case 'scenarioFailed':
          return `chính kịch bản bị lỗi ở bước ${f.stepIndex} (mã thoát ${f.exitCode}): các bước trước đó được giữ lại, chưa chạm tới giới hạn`;
        case 'sloNoData':
          return `không có dữ liệu cho ${f.criteria.join(', ')}: không mẫu nào khớp nên tiêu chí không được coi là đạt (hãy kiểm tra tên chỉ số và bộ lọc thẻ)`;
        case 'allGood':
          return 'mọi ngưỡng đều đạt, không có lỗi đáng kể';
      }
    },
    recommendation: (r) => {
      switch (r.key) {
        case 'scaleResource':
          return `Mở rộng ${r.resource}: tài nguyên này bão hòa đầu tiên (bận ${fmt.percent(r.utilisation, 0)}${r.rejections > 0 ? `, ${n(r.rejections)} yêu cầu bị từ chối` : ''}) ở mức ${fmt.rate(r.rate)} lượt/giây. Tăng số khe xử lý hoặc số máy chủ, hoặc rút ngắn thời gian xử lý; năng lực tăng tương ứng.`;
        case 'investigateRequest':
          return `Phân tích hiệu năng "${r.request}": p95 của yêu cầu này tăng ${n(r.growth, 1)} lần sớm nhất khi tải tăng.`;
        case 'offloadTls':
          return `Giảm tải khâu xử lý TLS phía trước ${r.services}: ở mức ${fmt.rate(r.rate)} lượt/giây, ${n(r.handshakesPerSec, 0)} lượt bắt tay mới mỗi giây chiếm ${fmt.percent(r.share, 0)} thời gian của luồng xử lý TLS. Giữ và tái sử dụng kết nối (keep-alive), bật nối lại phiên TLS (session resumption), dùng chứng thư ECDSA thay cho khóa RSA lớn, hoặc thêm máy/nhân xử lý TLS (bộ cân bằng tải).`;
        case 'planBefore':
          return `Lập kế hoạch nâng cấp trước năm ${r.year}: khi đó nhu cầu cao điểm dự báo vượt năng lực đo được ${fmt.rate(r.capacity)} mỗi giây.`;
        case 'fixThresholds':
          return `Kiểm tra các ngưỡng không đạt trong ${r.flows.join(', ')} trước lần phát hành tới.`;
        case 'investigateErrors':
          return `Điều tra các yêu cầu lỗi (${fmt.percent(r.ratio)}): lỗi khi tải cao chính là điều người dân gặp phải dưới dạng "không đăng nhập được".`;
        case 'drift':
          return `Kiểm tra ${viStatic.driftSubject(r.subject)}: chỉ số này trôi ${fmt.percent(r.change, 0)} trong lần chạy — rò rỉ bộ nhớ hoặc hàng đợi tăng dần sẽ có biểu hiện như vậy.`;
        case 'regressions':
          return `Suy giảm so với lần cơ sở: ${r.subjects.join(', ')}. Hãy đối chiếu các thay đổi giữa hai phiên bản.`;
        case 'extendSearch':
          return 'Việc tìm kiếm chưa làm vi phạm SLO: chạy lại với --start-rate cao hơn hoặc --max-duration dài hơn để tìm giới hạn.';
        case 'keepWatching':
          return 'Hiện chưa cần hành động; chạy lại phép tìm năng lực sau mỗi thay đổi của hệ thống hoặc cấu hình.';
      }
    },
    capacitySummary: (max, lo, hi, rps) =>
      max === null
        ? 'Không bước nào đạt SLO nên không đo được thông lượng bền vững.'
        : `Thông lượng tối đa bền vững: ${fmt.rate(max)} lượt/giây${rps !== null ? ` (${fmt.rate(rps)} yêu cầu/giây)` : ''}, nằm giữa mức bền vững cuối cùng ${lo !== null ? fmt.rate(lo) : '–'} lượt/giây và mức vi phạm đầu tiên ${hi !== null ? `${fmt.rate(hi)} lượt/giây` : '(chưa đạt tới)'}.`,
    firstBreak: (step, rate, criteria) =>
      `SLO bị vi phạm lần đầu ở bước ${step} (tải đặt ${fmt.rate(rate)} lượt/giây): ${criteria.map(criterionVi).join('; ')}.`,
    knee: (rate, p95) =>
      `Điểm gãy của đường thông lượng–độ trễ: tải đặt ${fmt.rate(rate)} lượt/giây, p95 khi đó là ${fmt.ms(p95)}; vượt quá điểm này độ trễ tăng nhanh hơn tải.`,
    bottleneckResource: (name, rate, u, q, rej) =>
      `${name} bão hòa đầu tiên, ở tải đặt ${fmt.rate(rate)} lượt/giây: ${fmt.percent(u, 0)} số khe bận${q > 0 ? `, hàng đợi tăng thêm ${n(q)}` : ''}${rej > 0 ? `, ${n(rej)} yêu cầu bị từ chối` : ''}.`,
    bottleneckRequest: (name, rate, growth) =>
      `Không có số liệu dịch vụ cho thấy bão hòa; yêu cầu "${name}" chậm đi đầu tiên (p95 gấp ${n(growth, 1)} lần lúc tải nhẹ) ở tải đặt ${fmt.rate(rate)} lượt/giây.`,
    bottleneckTls: (b) => {
      const e = b.evidence;
      const resource = e.maxResource
        ? `, trong khi tài nguyên mô phỏng bận nhất, ${e.maxResource}, chỉ ở mức ${fmt.percent(e.maxResourceUtilisation ?? 0, 0)}`
        : ', trong khi không tài nguyên mô phỏng nào bận';
      const growth =
        (e.handshakeGrowth ?? 1) > 1
          ? `; p95 thời gian bắt tay TLS phía máy khách tăng lên ${fmt.ms(e.clientHandshakeP95 ?? 0)}, gấp ${n(e.handshakeGrowth ?? 1, 1)} lần lúc tải nhẹ`
          : '';
      return `Khâu xử lý TLS (TLS termination) bão hòa đầu tiên, ở tải đặt ${fmt.rate(b.offeredRate)} lượt/giây: luồng xử lý TLS cho ${b.name} bận ${fmt.percent(e.eventLoopUtilisation ?? 0, 0)}, ${n(e.handshakesPerSec ?? 0, 0)} lượt bắt tay/giây chiếm ${fmt.percent(e.handshakeShareOfBusy ?? 0, 0)} thời gian đó${resource}${growth}.`;
    },
    bottleneck: describeBottleneck,
    projectionIntro: (name, description, source) => `${name}: ${description} Nguồn: ${source}.`,
    projectionCrossing: (p) => {
      if (p.capacity === null) return 'Chưa đo năng lực cho luồng này nên chỉ hiển thị nhu cầu.';
      if (p.crossingYear !== null && p.crossingYear <= p.currentYear)
        return `Nhu cầu đã vượt năng lực đo được ${fmt.rate(p.capacity)} ${p.unit} (từ năm ${p.crossingYear}).`;
      const year = p.crossingYear ?? p.beyondHorizon;
      const headroom = p.headroomNow !== null ? `Dư địa năm ${p.currentYear}: ${fmt.percent(p.headroomNow, 0)}. ` : '';
      return `${headroom}${year !== null ? `Nhu cầu sẽ chạm năng lực đo được ${fmt.rate(p.capacity)} ${p.unit} vào năm ${year}.` : 'Nhu cầu không chạm tới năng lực đo được.'}`;
    },
    comparison: (c) => c.subject,
    stabilityNote: (meaningful, durationS) =>
      meaningful
        ? `Xu hướng trong ${n(durationS)} giây chạy.`
        : `Lần chạy này kéo dài ${n(durationS)} giây: quá ngắn để độ trôi có ý nghĩa (hãy dùng hồ sơ soak, ít nhất 5 phút); xu hướng chỉ hiển thị để tham khảo.`,
    seconds: (value) => `${n(value)} giây`,
    criterion: criterionVi,
  };
}

export function messages(lang: Lang): Messages {
  if (lang === 'vi') return vietnamese(formatters('vi-VN'));
  return english(formatters('en-GB'));
}
