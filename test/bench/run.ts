/**
 * `npm run bench`: prints speed and memory figures (never a pass/fail gate).
 * Sections, chosen with `BENCH` (comma-separated; default all six):
 * - export: one subject of N records across the demo stores (`BENCH_EXPORT_RECORDS`, default
 *   10000,100000) exported as the workflow does and by the raw I/O floor, wall time, ratio and
 *   peak RSS growth, and a chart of both (docs/bench-export.svg); then peak RSS growth for writing
 *   and zipping one store of N generated records (`BENCH_EXPORT_MEMORY_RECORDS`, default
 *   10000,100000,400000,1000000), each in a fresh `node` with the V8 flags the registry gives ExportStore
 *   and PackageExport (`BENCH_EXPORT_NODE_OPTIONS` replaces them, for experiments);
 * - erase: one subject planted with `3 × BENCH_ERASE_RECORDS + BENCH_ERASE_DOCUMENTS + 2`
 *   records (default 2500 and 2498: 10,000) erased and verified store by store
 *   (`BENCH_ERASE_CONCURRENCY` stores at once, default 4 like the workflow's Map), and the
 *   raw I/O floor on a twin subject (`BENCH_ERASE_FLOOR=0` skips it);
 * - enumeration: median time of `POST /requests` for a known and an unknown email
 *   (`BENCH_ENUMERATION_TRIES` pairs, default 60);
 * - journal: what the local runtime's execution journal adds per task, in time
 *   and bytes (`BENCH_JOURNAL_EXECUTIONS` access executions, default 200);
 * - functions: every Lambda bundle's size and load time against its floor
 *   (at least `BENCH_FUNCTION_ROUNDS` fresh processes each, default 3, and up to
 *   `BENCH_FUNCTION_MAX_ROUNDS` (9) while the loads have taken under `BENCH_FUNCTION_SECONDS` (60));
 * - cost: transitions, invocations and USD of one request of each type
 *   (`BENCH_COST_TYPES`, default access,delete,opt_out,rectify,restrict,withdraw_consent; `BENCH_COST_WARMUP=0` skips the warm-up).
 * Prints tables, writes `bench/results.json`, and ends with one line of JSON (see results.ts).
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { logger } from '../../functions/aws/logger';
import { costSection, functionsSection } from './cost-sections';
import { benchEnumeration } from './enumeration-bench';
import { benchErase } from './erase-bench';
import type { ExportDemoBenchResult } from './export-bench';
import { exportBenchFlags, exportInFreshProcess } from './export-child';
import type { ExportBenchResult } from './export-memory-bench';
import { benchJournal } from './journal-bench';
import { type BenchSummary, rounded, writeResults } from './results';
import { timeChart } from './time-chart';

/** What the sections measured, for the results file and the last line. */
const summary: BenchSummary = {};
const details: Record<string, unknown> = {};

const round = (n: number) => Math.round(n);
const perSecond = (records: number, ms: number) => (ms > 0 ? Math.round((records / ms) * 1000) : 0);

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number`);
  return value;
}

async function exportSection(): Promise<void> {
  // An empty list skips that part (e.g. BENCH_EXPORT_RECORDS= for the memory runs alone).
  const sizes = (process.env.BENCH_EXPORT_RECORDS ?? '10000,100000').split(',').filter(Boolean).map(Number);
  console.log(
    'export (one subject across the demo stores: ExportStore per store, 4 at once, then PackageExport; emulators in a child process)',
  );
  console.log(
    'records\tplant ms\tstores ms\tpackage ms\twall ms\tfloor stores ms\tfloor package ms\tfloor ms\tratio\tpeak RSS +MiB\tzip bytes',
  );
  const runs: ExportDemoBenchResult[] = [];
  for (const n of sizes) {
    const r = await exportInFreshProcess('demo', n);
    runs.push(r);
    summary.export = [...(summary.export ?? [])];
    summary.export.push({
      records: r.records,
      ms: r.wallMs,
      floorMs: r.floor.totalMs,
      ratio: r.wallMs / r.floor.totalMs,
      peakRssMiB: r.peakRssDeltaMiB,
    });
    console.log(
      [
        r.records,
        round(r.plantMs),
        round(r.storesMs),
        round(r.packageMs),
        round(r.wallMs),
        round(r.floor.storesMs),
        round(r.floor.packageMs),
        round(r.floor.totalMs),
        (r.wallMs / r.floor.totalMs).toFixed(2),
        r.peakRssDeltaMiB.toFixed(1),
        r.zipBytes,
      ].join('\t'),
    );
  }
  for (const r of runs) {
    console.log(
      `  ${r.records} records, each store's own ms (workflow / floor): ` +
        Object.entries(r.storeMs)
          .map(([id, ms]) => `${id} ${round(ms)} / ${round(r.floor.storeMs[id] ?? 0)}`)
          .join(', '),
    );
  }
  const memorySizes = (process.env.BENCH_EXPORT_MEMORY_RECORDS ?? '10000,100000,400000,1000000')
    .split(',')
    .filter(Boolean)
    .map(Number);
  console.log(
    'export memory (one store of generated orders: write the store file, package the zip; after a warm-up run)',
  );
  console.log(`  V8 flags: ${exportBenchFlags('memory').join(' ') || "V8's defaults"}`);
  console.log(
    'records\twall ms\trecords/s\tpeak RSS +MiB\twrite +MiB\tpackage +MiB\tRSS before MiB\tpeak RSS MiB\tzip bytes',
  );
  const memory: ExportBenchResult[] = [];
  for (const n of memorySizes) memory.push(await exportInFreshProcess('memory', n));
  summary.exportMemory = memory.map((r) => ({
    records: r.records,
    ms: r.wallMs,
    peakRssMiB: r.peakRssDeltaMiB,
  }));
  for (const r of memory) {
    console.log(
      `${r.records}\t${round(r.wallMs)}\t${perSecond(r.records, r.wallMs)}\t${r.peakRssDeltaMiB.toFixed(1)}\t` +
        `${r.writePeakRssDeltaMiB.toFixed(1)}\t${r.packagePeakRssDeltaMiB.toFixed(1)}\t` +
        `${r.baselineRssMiB.toFixed(0)}\t${r.peakRssMiB.toFixed(0)}\t${r.zipBytes}`,
    );
  }
  details.export = { runs, memory, memoryV8Flags: exportBenchFlags('memory') };
  if (runs.length === 0) return;
  const chart = path.resolve(__dirname, '..', '..', 'docs', 'bench-export.svg');
  await writeFile(
    chart,
    timeChart({
      title: 'Access export of one subject: wall time against records',
      series: [
        { name: 'workflow (ExportStore + PackageExport)', points: runs.map((r) => [r.records, r.wallMs]) },
        { name: 'raw I/O floor', points: runs.map((r) => [r.records, r.floor.totalMs]) },
      ],
    }),
  );
  console.log(`chart written to ${path.relative(process.cwd(), chart)}`);
}

async function eraseSection(): Promise<void> {
  const records = intFromEnv('BENCH_ERASE_RECORDS', 2_500);
  const documents = intFromEnv('BENCH_ERASE_DOCUMENTS', 2_498);
  const concurrency = Math.max(1, intFromEnv('BENCH_ERASE_CONCURRENCY', 4));
  const floor = process.env.BENCH_ERASE_FLOOR !== '0';
  const r = await benchErase({ records, documents, concurrency, others: 3, floor });
  const planted = Object.values(r.planted).reduce((a, b) => a + b, 0);
  const floorMs = r.floor?.totalMs ?? null;
  summary.erase = [{ records: planted, ms: r.totalMs, floorMs, ratio: floorMs ? r.totalMs / floorMs : null }];
  details.erase = r;
  console.log(
    `erase (one subject, EraseStore's erase + proof per store, ${concurrency} store(s) at once, dynalite + s3rver in-process)`,
  );
  console.log(
    `planted ${planted} records for the subject in ${round(r.plantMs)} ms (plus 3 other subjects): ` +
      Object.entries(r.planted)
        .map(([id, n]) => `${id} ${n}`)
        .join(', '),
  );
  console.log(
    'store\tfound\tdeleted\tmasked\tretained\theld\terase ms\tverify ms\trecords/s (erase)\tfloor erase ms\tfloor verify ms',
  );
  let found = 0;
  let eraseMs = 0;
  const floorOf = (storeId: string, which: 'eraseMs' | 'verifyMs') => {
    const ms = r.floor?.stores[storeId]?.[which];
    return ms === undefined ? '-' : String(round(ms));
  };
  for (const s of r.stores) {
    const c = s.counts;
    found += c.found;
    eraseMs += s.eraseMs;
    const verify = s.verifyMs === undefined ? `FAILED (${s.verifyError ?? ''})` : String(round(s.verifyMs));
    console.log(
      `${s.storeId}\t${c.found}\t${c.deleted}\t${c.masked}\t${c.retained}\t${c.held}\t${round(s.eraseMs)}\t${verify}\t${perSecond(c.found, s.eraseMs)}` +
        `\t${floorOf(s.storeId, 'eraseMs')}\t${floorOf(s.storeId, 'verifyMs')}`,
    );
  }
  console.log(
    `total: ${found} records, ${round(r.totalMs)} ms wall (erase + verify, all stores) = ${perSecond(found, r.totalMs)} records/s; ` +
      `sum of per-store erase ms ${round(eraseMs)}; process CPU ${round(r.cpuMs)} ms (${perSecond(found, r.cpuMs)} records per CPU-second); ` +
      `peak RSS +${r.peakRssDeltaMiB.toFixed(1)} MiB`,
  );
  console.log(`other subjects untouched: ${r.othersUntouched ? 'yes' : 'NO'}`);
  if (r.floor) {
    console.log(
      `raw I/O floor (same reads and writes by a bare script on a twin subject, same concurrency): ${round(r.floor.totalMs)} ms wall, process CPU ${round(r.floor.cpuMs)} ms; ratio ${(r.totalMs / r.floor.totalMs).toFixed(2)}`,
    );
  }
}

async function enumerationSection(): Promise<void> {
  const r = await benchEnumeration(intFromEnv('BENCH_ENUMERATION_TRIES', 60));
  console.log('enumeration (POST /requests on the local system, known vs unknown email, interleaved)');
  console.log(
    `${r.tries} pairs: median known ${r.knownMedianMs.toFixed(1)} ms, unknown ${r.unknownMedianMs.toFixed(1)} ms, ` +
      `ratio ${(Math.max(r.knownMedianMs, r.unknownMedianMs) / Math.min(r.knownMedianMs, r.unknownMedianMs)).toFixed(2)}`,
  );
}

async function journalSection(): Promise<void> {
  const r = await benchJournal(intFromEnv('BENCH_JOURNAL_EXECUTIONS', 200));
  console.log('journal (access executions with stubbed tasks, with and without the local execution journal)');
  console.log(
    `${r.executions} executions × ${r.tasksPerExecution.toFixed(0)} tasks: ${round(r.withoutMs)} ms without, ${round(r.withMs)} ms with; ` +
      `+${r.perTaskMicros.toFixed(0)} µs and ${round(r.bytesPerTask)} bytes per task (${round(r.bytesPerExecution)} bytes per execution)`,
  );
}

async function functionsBenchSection(): Promise<void> {
  const min = Math.max(1, intFromEnv('BENCH_FUNCTION_ROUNDS', 3));
  const r = await functionsSection({
    min,
    max: Math.max(min, intFromEnv('BENCH_FUNCTION_MAX_ROUNDS', 9)),
    budgetMs: 1000 * intFromEnv('BENCH_FUNCTION_SECONDS', 60),
  });
  Object.assign(summary, r.summary);
  details.functions = r.details;
}

async function costBenchSection(): Promise<void> {
  const r = await costSection(process.env.BENCH_COST_WARMUP !== '0');
  Object.assign(summary, r.summary);
  details.cost = r.details;
}

const SECTIONS: Record<string, () => Promise<void>> = {
  export: exportSection,
  erase: eraseSection,
  enumeration: enumerationSection,
  journal: journalSection,
  functions: functionsBenchSection,
  cost: costBenchSection,
};

async function main(): Promise<void> {
  // The handlers' INFO lines would bury the tables (sections that run them: enumeration, cost).
  logger.setLogLevel('WARN');
  const chosen = (process.env.BENCH ?? 'export,erase,enumeration,journal,functions,cost')
    .split(',')
    .map((s) => s.trim());
  const unknown = chosen.filter((s) => !(s in SECTIONS));
  if (unknown.length > 0) throw new Error(`unknown BENCH section(s): ${unknown.join(', ')}`);
  console.log(
    `node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const name of chosen) {
    await SECTIONS[name]?.();
    console.log(`load average after ${name}: ${loadavg()[0]?.toFixed(2)}`);
    console.log('');
  }
  const file = await writeResults(path.resolve(__dirname, '..', '..'), summary, details);
  console.log(`results written to ${file}`);
  // The last line is for programs: the figures only, as one line of JSON.
  console.log(JSON.stringify(rounded(summary)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
