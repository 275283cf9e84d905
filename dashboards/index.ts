// The dashboards as code: file name -> Grafana dashboard JSON model. dashboards/generate.ts
// writes them to dashboards/generated/, which Grafana loads through dashboards/provisioning/.

import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { bottleneckDashboard } from './bottleneck.ts';
import { loadTestDashboard } from './load-test.ts';
import { serviceHealthDashboard } from './service-health.ts';

export function buildDashboards(): Record<string, dashboard.Dashboard> {
  const dashboards = {
    'load-test.json': loadTestDashboard('stats'),
    'service-health.json': serviceHealthDashboard(),
    'bottleneck.json': bottleneckDashboard('stats'),
    // For K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true: the same panels over histograms.
    'load-test-native-histogram.json': loadTestDashboard('native'),
    'bottleneck-native-histogram.json': bottleneckDashboard('native'),
  };
  // Stable, unique panel ids (rows included), so links to a panel survive regeneration.
  for (const model of Object.values(dashboards)) {
    model.panels?.forEach((panel, i) => {
      panel.id = i + 1;
    });
  }
  return dashboards;
}

/** The committed form: stable key order as built, two-space indent, trailing newline. */
export function renderDashboard(model: dashboard.Dashboard): string {
  return JSON.stringify(model, null, 2) + '\n';
}
