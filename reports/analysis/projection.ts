// Demand projection: from a workload model (a file, or a preset built from DOMAIN.md's figures) to the
// peak load of every year with growth, the headroom against measured capacity, and the year they cross.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidConfigError } from '../../engine/errors.ts';

export interface LocalisedText {
  en: string;
  vi: string;
}

export interface WorkloadModel {
  id: string;
  name: LocalisedText;
  description: LocalisedText;
  source: LocalisedText;
  /** The scenario this demand drives, e.g. `ndxp-exchange`. */
  flow: string;
  unit: LocalisedText;
  baseYear: number;
  growthPerYear: number;
  horizonYears: number;
  /** How many of the model's transactions one scenario iteration performs. */
  transactionsPerIteration?: number;
  /** Steady daily demand concentrated in working hours, with a peak-hour factor … */
  daily?: { volume: number; activeHours: number; peakFactor: number };
  /** … or a burst: this many events within a window (a cut-over morning). */
  burst?: { events: number; windowSeconds: number; peakFactor: number };
}

export interface YearProjection {
  year: number;
  peakPerSec: number;
  /** capacity / peak − 1; negative means demand exceeds capacity. */
  headroom: number | null;
}

export interface DemandProjection {
  model: WorkloadModel;
  capacityPerSec: number | null;
  years: YearProjection[];
  currentYear: number;
  headroomNow: number | null;
  /** First year whose peak exceeds capacity; null when it stays below within the horizon (see beyondHorizon). */
  crossingYear: number | null;
  /** Year of crossing computed past the horizon (log growth), when it is later. */
  beyondHorizon: number | null;
}

export class WorkloadModelError extends InvalidConfigError {}

const PRESET_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', 'workloads');
export const PRESETS = ['ndxp-national', 'province-documents', 'cutover-login-storm'] as const;

function validate(model: WorkloadModel, source: string): WorkloadModel {
  const problems: string[] = [];
  if (typeof model.id !== 'string' || model.id === '') problems.push('"id" must be a non-empty string');
  if (!Number.isInteger(model.baseYear) || model.baseYear < 2000 || model.baseYear > 2100)
    problems.push('"baseYear" must be a year like 2024');
  if (typeof model.growthPerYear !== 'number' || model.growthPerYear <= -1 || model.growthPerYear > 10)
    problems.push('"growthPerYear" must be a fraction like 0.2 (20 %/year)');
  if (!Number.isInteger(model.horizonYears) || model.horizonYears < 1 || model.horizonYears > 50)
    problems.push('"horizonYears" must be an integer 1–50');
  if (!model.daily === !model.burst) problems.push('exactly one of "daily" or "burst" is required');
  if (
    model.daily &&
    !(model.daily.volume > 0 && model.daily.activeHours > 0 && model.daily.activeHours <= 24 && model.daily.peakFactor >= 1)
  ) {
    problems.push('"daily" needs volume > 0, activeHours in (0, 24], peakFactor ≥ 1');
  }
  if (model.burst && !(model.burst.events > 0 && model.burst.windowSeconds > 0 && model.burst.peakFactor >= 1)) {
    problems.push('"burst" needs events > 0, windowSeconds > 0, peakFactor ≥ 1');
  }
  for (const key of ['name', 'description', 'unit', 'source'] as const) {
    if (typeof model[key]?.en !== 'string' || typeof model[key]?.vi !== 'string') problems.push(`"${key}" needs "en" and "vi" texts`);
  }
  if (problems.length > 0) throw new WorkloadModelError(`workload model ${source}: ${problems.join('; ')}`);
  return model;
}

/** A preset name (`ndxp-national`) or a path to a JSON model file. */
export function loadWorkloadModel(nameOrPath: string): WorkloadModel {
  const presetPath = join(PRESET_FOLDER, `${nameOrPath}.json`);
  const path = (PRESETS as readonly string[]).includes(nameOrPath) ? presetPath : nameOrPath;
  if (!existsSync(path)) {
    throw new WorkloadModelError(`workload model "${nameOrPath}" is neither a preset (${PRESETS.join(', ')}) nor an existing file`);
  }
  let parsed: WorkloadModel;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as WorkloadModel;
  } catch (error) {
    throw new WorkloadModelError(`workload model ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return validate(parsed, path);
}

/** The preset that matches a scenario or flow name, so reports project demand without being told. */
export function presetForFlow(name: string): string | undefined {
  if (/login|identity|vneid/i.test(name)) return 'cutover-login-storm';
  if (/document/i.test(name)) return 'province-documents';
  if (/ndxp/i.test(name)) return 'ndxp-national';
  return undefined;
}

export function basePeakPerSec(model: WorkloadModel): number {
  if (model.daily) return (model.daily.volume / (model.daily.activeHours * 3600)) * model.daily.peakFactor;
  const burst = model.burst!;
  return (burst.events / burst.windowSeconds) * burst.peakFactor;
}

/** `capacityIterationsPerSec` is what the capacity search measured, in scenario iterations per second. */
export function projectDemand(
  model: WorkloadModel,
  capacityIterationsPerSec: number | null,
  currentYear = new Date().getFullYear(),
): DemandProjection {
  const capacity = capacityIterationsPerSec === null ? null : capacityIterationsPerSec * (model.transactionsPerIteration ?? 1);
  const basePeak = basePeakPerSec(model);
  const peakIn = (year: number) => basePeak * (1 + model.growthPerYear) ** (year - model.baseYear);
  const lastYear = Math.max(model.baseYear + model.horizonYears, currentYear + 5);
  const years: YearProjection[] = [];
  for (let year = model.baseYear; year <= lastYear; year++) {
    const peak = peakIn(year);
    years.push({ year, peakPerSec: peak, headroom: capacity === null ? null : capacity / peak - 1 });
  }
  let crossingYear: number | null = null;
  let beyondHorizon: number | null = null;
  if (capacity !== null) {
    crossingYear = years.find((entry) => entry.peakPerSec > capacity)?.year ?? null;
    if (crossingYear === null && model.growthPerYear > 0) {
      beyondHorizon = model.baseYear + Math.floor(Math.log(capacity / basePeak) / Math.log(1 + model.growthPerYear)) + 1;
    }
  }
  const now = years.find((entry) => entry.year === currentYear);
  return { model, capacityPerSec: capacity, years, currentYear, headroomNow: now?.headroom ?? null, crossingYear, beyondHorizon };
}
