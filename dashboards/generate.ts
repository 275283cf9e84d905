// Regenerates dashboards/generated/*.json from the code: `npx tsx dashboards/generate.ts`.
// The tests fail while the committed JSON differs from what this writes.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDashboards, renderDashboard } from './index.ts';

const outDir = join(import.meta.dirname, 'generated');
mkdirSync(outDir, { recursive: true });
for (const [file, model] of Object.entries(buildDashboards())) {
  writeFileSync(join(outDir, file), renderDashboard(model));
  console.log(`wrote ${join('dashboards', 'generated', file)} (${model.panels?.length ?? 0} panels)`);
}
