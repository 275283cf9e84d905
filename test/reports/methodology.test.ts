// The methodology section quotes the thresholds the analysis really applies, in both languages.
import { describe, expect, it } from 'vitest';
import { ERROR_TOLERANCE, LATENCY_MIN_CHANGE_MS, LATENCY_TOLERANCE, THROUGHPUT_TOLERANCE } from '../../reports/analysis/baseline.ts';
import { ERROR_DRIFT, LATENCY_DRIFT, MEMORY_DRIFT, TREND_MIN_R2, WARM_UP_SHARE } from '../../reports/analysis/stability.ts';
import { messages } from '../../reports/i18n.ts';
import { HISTOGRAM_SIGNIFICANT_DIGITS, SATURATED_UTILISATION } from '../../results-format/index.ts';

const pct = (share: number) => `${Math.round(share * 1000) / 10} %`;

describe('methodology text', () => {
  for (const lang of ['en', 'vi'] as const) {
    it(`(${lang}) states the figures the analysis uses`, () => {
      const text = messages(lang).methodology.join('\n');
      const mark = lang === 'vi' ? ',' : '.';
      for (const share of [
        SATURATED_UTILISATION,
        WARM_UP_SHARE,
        LATENCY_DRIFT,
        MEMORY_DRIFT,
        TREND_MIN_R2,
        LATENCY_TOLERANCE,
        THROUGHPUT_TOLERANCE,
      ])
        expect(text).toContain(pct(share));
      expect(text).toContain(`${String(ERROR_TOLERANCE * 100).replace('.', mark)} `);
      expect(text).toContain(`${String(ERROR_DRIFT * 100).replace('.', mark)} `);
      expect(text).toContain(`${LATENCY_MIN_CHANGE_MS} ms`);
      expect(text).toContain(`(${HISTOGRAM_SIGNIFICANT_DIGITS} `);
      expect(text).not.toContain('${');
    });
  }
});
