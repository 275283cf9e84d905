// The services' side of the page: each period, one scrape of every Prometheus endpoint, read with
// the capacity search's parser and turned into per-resource saturation by the same analysis the
// report uses, so the live page and the report agree on what "saturated" means.
import { flattenMetrics } from '../../../results-format/prometheus-text.ts';
import { isSaturated, type ServiceSampleLine, saturationInWindow } from '../../../results-format/index.ts';
import { fetchTextTrusting } from '../../modules/http/tls.ts';
import type { ServiceEndpoint } from './config.ts';

export interface ResourceRow {
  /** service/resource, e.g. identity/credential_check. */
  key: string;
  capacity: number;
  utilisation: number;
  queue: number;
  rejections: number;
  saturated: boolean;
}

export interface ServicesSnapshot {
  t: number;
  resources: ResourceRow[];
  /** Endpoints that did not answer this time, with why. */
  unreachable: { service: string; error: string }[];
}

export interface FirstSaturation {
  key: string;
  t: number;
  utilisation: number;
  rejections: number;
}

export class ServiceScraper {
  private previous: ServiceSampleLine[] = [];
  private previousT: number | null = null;
  first: FirstSaturation | null = null;

  constructor(
    private readonly endpoints: readonly ServiceEndpoint[],
    private readonly fetchText: (url: string, timeoutMs: number) => Promise<string> = defaultFetch,
  ) {}

  get enabled(): boolean {
    return this.endpoints.length > 0;
  }

  async scrape(now: number, timeoutMs: number): Promise<ServicesSnapshot> {
    const t = now / 1000;
    const lines: ServiceSampleLine[] = [];
    const unreachable: ServicesSnapshot['unreachable'] = [];
    await Promise.all(
      this.endpoints.map(async ({ service, url }) => {
        try {
          lines.push(...flattenMetrics(await this.fetchText(url, timeoutMs), service, t));
        } catch (error) {
          // A service that stops answering under load is a finding, not a reason to stop the run.
          unreachable.push({ service, error: (error as Error).message });
        }
      }),
    );
    const from = this.previousT ?? t;
    const window = saturationInWindow([...this.previous, ...lines], from, t);
    this.previous = lines;
    this.previousT = t;
    const resources = window.map((r) => ({
      key: `${r.service}/${r.resource}`,
      capacity: r.capacity,
      utilisation: r.utilisation,
      queue: r.queueMax,
      rejections: r.rejections,
      saturated: isSaturated(r),
    }));
    if (this.first === null) {
      const hit = resources.find((r) => r.saturated);
      if (hit) this.first = { key: hit.key, t: now, utilisation: hit.utilisation, rejections: hit.rejections };
    }
    return { t: now, resources, unreachable };
  }
}

/** Trusts what the engine trusts (SSL_CERT_FILE: the mocks' CA under --tls). */
function defaultFetch(url: string, timeoutMs: number): Promise<string> {
  return fetchTextTrusting(url, timeoutMs);
}
