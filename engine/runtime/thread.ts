// What the k6 modules of one thread share: the script's source map, the metric registry, the
// merged options, the log, and the hooks to the execution (abort, instance counters).
import type { TrustEnv } from '../modules/http/tls.ts';
import type { MetricRegistry } from '../metrics/registry.ts';
import type { RequestRateLimiter } from '../modules/http/rps-limit.ts';
import type { Options } from '../options/config.ts';
import type { StackMapper } from '../script/stack.ts';

export interface InstanceCounters {
  iterationsCompleted: number;
  iterationsInterrupted: number;
  vusActive: number;
  vusInitialized: number;
  /** Epoch ms when the test (the VU phase) started; 0 before. */
  testStartTime: number;
}

export interface Logger {
  /** k6-style log line on stderr: `level="info" msg="..." source=console`. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, string>): void;
  /** A message shown once per key (e.g. one warning per blocked host). */
  once(key: string, level: 'warn' | 'error', message: string): void;
}

export interface ThreadContext {
  readonly scriptPath: string;
  readonly stack: StackMapper;
  readonly registry: MetricRegistry;
  readonly options: Options;
  /** options.tags and --tag: what every sample of the run carries, dropped_iterations included. */
  readonly runTags: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly allowRemoteTargets: boolean;
  /** SSL_CERT_FILE / SSL_CERT_DIR of the run's environment: the TLS trust store, as Go builds it. */
  readonly trustEnv: TrustEnv;
  readonly instance: InstanceCounters;
  /** The `rps` option's limiters for this thread; null without rps (the request path only checks for null). */
  readonly rpsLimiter: RequestRateLimiter | null;
  /** exec.test.abort(): stop the test, exit 108. */
  abortTest(reason: string): void;
}

export function createLogger(write: (line: string) => void, quietConsole = false): Logger {
  const seen = new Set<string>();
  const started = Date.now();
  const format = (level: string, message: string, fields?: Record<string, string>) => {
    const elapsed = String(Math.floor((Date.now() - started) / 1000)).padStart(4, '0');
    const extra = fields
      ? Object.entries(fields)
          .map(([k, v]) => ` ${k}=${v}`)
          .join('')
      : '';
    return `${level.toUpperCase().slice(0, 4)}[${elapsed}] ${message}${extra}`;
  };
  return {
    log(level, message, fields) {
      if (quietConsole && level === 'debug') return;
      write(format(level, message, fields));
    },
    once(key, level, message) {
      if (seen.has(key)) return;
      seen.add(key);
      write(format(level, message));
    },
  };
}
