/**
 * Runs one export benchmark in a fresh `node`, so its memory figure starts
 * from a process that has done nothing else (an earlier, larger run leaves V8
 * holding the heap it grew, and a later run's growth would hide in it). Run
 * directly, this file is the child: `export-child.ts <demo|memory> <records>`
 * prints the result as its last line of stdout.
 */
import { spawn } from 'node:child_process';
import { TASKS } from '../../functions/deployment';
import type { ExportDemoBenchResult } from './export-bench';
import type { ExportBenchResult } from './export-memory-bench';

type Kind = 'demo' | 'memory';
type ResultOf<K extends Kind> = K extends 'demo' ? ExportDemoBenchResult : ExportBenchResult;

/**
 * The V8 flags the registry gives ExportStore and PackageExport (`nodeOptions`,
 * which the CDK sets as NODE_OPTIONS): the memory run does both tasks' work in
 * one process, so it runs with them, and they must be the same for both.
 */
export function exportTaskFlags(): readonly string[] {
  const store = TASKS.ExportStore.nodeOptions ?? [];
  const packaging = TASKS.PackageExport.nodeOptions ?? [];
  if (store.join(' ') !== packaging.join(' ')) {
    throw new Error(
      'ExportStore and PackageExport run with different V8 flags: the memory run cannot be both',
    );
  }
  return store;
}

/**
 * The measured process's V8 flags: the registry's for the memory run (none for the demo run, four stores and
 * the planting in one process, which is no Lambda's shape); BENCH_EXPORT_NODE_OPTIONS replaces them (experiments).
 */
export function exportBenchFlags(kind: Kind): readonly string[] {
  const override = process.env.BENCH_EXPORT_NODE_OPTIONS;
  if (override !== undefined) return override.split(/\s+/).filter(Boolean);
  return kind === 'memory' ? exportTaskFlags() : [];
}

/** One run of `kind` at `records` in a child process; rejects with its stderr's end if it fails. */
export function exportInFreshProcess<K extends Kind>(kind: K, records: number): Promise<ResultOf<K>> {
  return new Promise((resolve, reject) => {
    // On the command line, not NODE_OPTIONS: the emulators' own process keeps V8's defaults.
    const flags = exportBenchFlags(kind);
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', __filename, kind, String(records)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString('utf8')).slice(-4000);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || last === '') reject(new Error(`export bench child exited ${code}: ${err}`));
      else resolve(JSON.parse(last) as ResultOf<K>);
    });
  });
}

async function child(): Promise<void> {
  const [kind, count] = process.argv.slice(2);
  const records = Number(count);
  if (!Number.isInteger(records) || records < 0) throw new RangeError('records must be a whole number');
  // Imported by kind: the memory run must not load the demo's planting code (Faker) into its heap.
  const result =
    kind === 'demo'
      ? await (await import('./export-bench')).benchExportDemo(records)
      : (await (await import('./export-memory-bench')).benchExport([records]))[0];
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  child().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
