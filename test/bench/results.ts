/**
 * The bench's machine-readable results: the shape issue 15 asks for, printed
 * as the last line of stdout and written to `bench/results.json` (with the
 * details behind the figures). A section that did not run leaves its key out;
 * a figure not measured yet is null, never a guess.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';

export interface BenchSummary {
  functions?: { name: string; bytes: number; initMs: number; floorBytes: number; floorMs: number }[];
  /** One subject across the demo stores, against the raw I/O floor (null when it was not measured). */
  export?: {
    records: number;
    ms: number;
    floorMs: number | null;
    ratio: number | null;
    peakRssMiB: number;
  }[];
  /** One store of generated records written and packaged: the memory figure at sizes too large to plant. */
  exportMemory?: { records: number; ms: number; peakRssMiB: number }[];
  erase?: { records: number; ms: number; floorMs: number | null; ratio: number | null }[];
  transitions?: Record<string, number>;
  /** USD per request without what grows with the subject's data (the data map's own store I/O): the goal's figure. */
  costPerRequestUsd?: Record<string, number>;
  /** The same with the store I/O of the seeded demo customer included. */
  costWithStoreIoUsd?: Record<string, number>;
}

/** Where `npm run bench` writes its results, from the repository root. */
export const RESULTS_FILE = path.join('bench', 'results.json');

const round = (n: number, digits: number) => Number(n.toFixed(digits));

const roundedUsd = (byType: Record<string, number>) =>
  Object.fromEntries(Object.entries(byType).map(([type, usd]) => [type, round(usd, 8)]));

/** Rounds the figures for reading (ms to 0.1, USD to 8 decimals): noise is far larger than that. */
export function rounded(summary: BenchSummary): BenchSummary {
  return {
    ...(summary.functions
      ? {
          functions: summary.functions.map((f) => ({
            ...f,
            initMs: round(f.initMs, 1),
            floorMs: round(f.floorMs, 1),
          })),
        }
      : {}),
    ...(summary.export
      ? {
          export: summary.export.map((e) => ({
            ...e,
            ms: round(e.ms, 1),
            floorMs: e.floorMs === null ? null : round(e.floorMs, 1),
            ratio: e.ratio === null ? null : round(e.ratio, 2),
            peakRssMiB: round(e.peakRssMiB, 1),
          })),
        }
      : {}),
    ...(summary.exportMemory
      ? {
          exportMemory: summary.exportMemory.map((e) => ({
            ...e,
            ms: round(e.ms, 1),
            peakRssMiB: round(e.peakRssMiB, 1),
          })),
        }
      : {}),
    ...(summary.erase
      ? {
          erase: summary.erase.map((e) => ({
            ...e,
            ms: round(e.ms, 1),
            floorMs: e.floorMs === null ? null : round(e.floorMs, 1),
            ratio: e.ratio === null ? null : round(e.ratio, 2),
          })),
        }
      : {}),
    ...(summary.transitions ? { transitions: summary.transitions } : {}),
    ...(summary.costPerRequestUsd ? { costPerRequestUsd: roundedUsd(summary.costPerRequestUsd) } : {}),
    ...(summary.costWithStoreIoUsd ? { costWithStoreIoUsd: roundedUsd(summary.costWithStoreIoUsd) } : {}),
  };
}

/** Writes `bench/results.json` under `root`: the summary, when and where it was measured, and the details. */
export async function writeResults(
  root: string,
  summary: BenchSummary,
  details: Readonly<Record<string, unknown>>,
): Promise<string> {
  const file = path.join(root, RESULTS_FILE);
  await mkdir(path.dirname(file), { recursive: true });
  const body = {
    ...rounded(summary),
    measuredAt: new Date().toISOString(),
    node: process.version,
    loadAverage: loadavg().map((l) => round(l, 2)),
    details,
  };
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}
