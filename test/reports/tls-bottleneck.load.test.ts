// TLS termination as the first bottleneck, end to end: the mocks serve HTTPS in-process with a verified
// certificate, a real capacity search steps the login surge up with short steps, and the analysis and the
// report (en and vi) name TLS termination only when handshakes are what saturates.
// - Handshakes dominate: every request opens its own connection (k6's noConnectionReuse, through
//   K6_NO_CONNECTION_REUSE) against an RSA-4096 server key, while identity's modelled resources have
//   ample slots: the thread terminating TLS saturates first, spending most of its time in handshakes.
// - Handshakes do not dominate: the same key and CA, connections kept alive as k6 does, and a narrow
//   credential check: the modelled resource saturates first, and TLS is not named.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { HANDSHAKE_DOMINANT_SHARE } from '../../capacity/analysis.ts';
import { type LocalMocks, startLocalMocks } from '../../capacity/mock-targets.ts';
import { runCapacitySearch } from '../../capacity/search.ts';
import { messages } from '../../reports/i18n.ts';
import { buildReport } from '../../reports/model.ts';
import { writeReport } from '../../reports/render/index.ts';
import { loadFolder } from '../../reports/run-folder.ts';
import type { CapacityResult } from '../../results-format/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'scenarios', 'login-surge.ts');
const work = mkdtempSync(path.join(tmpdir(), 'loadlab-tls-bottleneck-'));
// One CA and RSA-4096 certificate for both searches (generated once: an RSA-4096 key takes seconds).
const TLS = { dir: path.join(work, 'tls'), keyType: 'rsa-4096' as const };

let local: LocalMocks | undefined;
afterEach(async () => {
  delete process.env.K6_NO_CONNECTION_REUSE;
  await local?.mocks.close();
  local = undefined;
});

let attempt = 0;
async function search(name: string, slots: number, startRate: number): Promise<{ result: CapacityResult; dir: string }> {
  local = await startLocalMocks({ resources: { identity: { credential_check: { slots }, token_issuance: { slots: 64 } } } }, { tls: TLS });
  expect(local.urls.identity).toMatch(/^https:/);
  expect(process.env.SSL_CERT_FILE).toBe(local.caFile);
  return runCapacitySearch({
    script: SCRIPT,
    env: { ...local.env, PROFILE: 'smoke' },
    slo: undefined,
    startRate,
    stepFactor: 1.6,
    // Steps long enough that a login (≈ 1 s with the smoke profile's think time) is counted reliably: a
    // pace judged on two seconds of completions would end the search by chance before anything saturates.
    stepDurationS: 8,
    warmupS: 1.5,
    keepPaceRatio: 0.85,
    maxDurationS: 60,
    refineSteps: 0,
    serviceUrls: local.urls,
    workers: 1,
    resultsRoot: path.join(work, 'results'),
    // A retried test keeps the first attempt's folder to look at.
    runId: `${name}-${++attempt}`,
  });
}

async function reportTexts(dir: string): Promise<{ en: string; vi: string }> {
  const report = buildReport(loadFolder(dir), { workload: 'none' });
  const en = await writeReport(report, { dir, lang: 'en', formats: ['md'], baseName: 'report.en' });
  const vi = await writeReport(report, { dir, lang: 'vi', formats: ['md'], baseName: 'report.vi' });
  return { en: readFileSync(en.files.md!, 'utf8'), vi: readFileSync(vi.files.md!, 'utf8') };
}

it('names TLS termination when new connections make handshakes the cost', async () => {
  process.env.K6_NO_CONNECTION_REUSE = 'true';
  const { result, dir } = await search('handshakes', 128, 8);
  const b = result.analysis.bottleneck;
  expect(b?.kind, JSON.stringify(result.steps.map((s) => ({ rate: s.offeredRate, tls: s.tls, top: s.saturation[0] })))).toBe('tls');
  expect(b!.name).toContain('identity');
  const step = result.steps.find((s) => s.index === b!.stepIndex)!;
  // The evidence: the terminating thread was saturated, mostly by handshakes, every modelled resource had room,
  // and the clients measured real handshakes on verified connections.
  expect(b!.evidence.eventLoopUtilisation).toBeGreaterThanOrEqual(0.9);
  expect(b!.evidence.handshakeShareOfBusy).toBeGreaterThanOrEqual(HANDSHAKE_DOMINANT_SHARE);
  expect(b!.evidence.handshakesPerSec).toBeGreaterThan(0);
  expect(step.saturation.every((r) => r.utilisation < 0.9 && r.rejections === 0)).toBe(true);
  expect(step.clientTls?.handshakes).toBeGreaterThan(0);
  expect(step.failedRatio).toBeLessThan(0.5);
  const { en, vi } = await reportTexts(dir);
  expect(en).toMatch(/TLS termination saturated first/);
  expect(en).toMatch(/Relieve TLS termination/);
  expect(vi).toMatch(/Khâu xử lý TLS \(TLS termination\) bão hòa đầu tiên/);
  expect(messages('en').verdict(buildReport(loadFolder(dir), { workload: 'none' }).verdict)).toMatch(/TLS termination \(identity/);
}, 120_000);

it('names the modelled resource, not TLS, when connections are reused', async () => {
  const { result, dir } = await search('reused', 2, 10);
  const b = result.analysis.bottleneck;
  expect(b?.kind, JSON.stringify(result.steps.map((s) => ({ rate: s.offeredRate, tls: s.tls, top: s.saturation[0] })))).toBe('resource');
  expect(b!.name).toBe('identity/credential_check');
  // TLS was measured all along (verified HTTPS), it just never saturated anything.
  expect(result.steps.every((s) => (s.tls ?? []).length === 1)).toBe(true);
  const { en, vi } = await reportTexts(dir);
  expect(en).not.toMatch(/TLS termination/);
  expect(vi).not.toMatch(/TLS termination/);
}, 120_000);
