/**
 * Runs one export benchmark in a fresh `node`, so its memory figure starts
 * from a process that has done nothing else (an earlier, larger run leaves V8
 * holding the heap it grew, and a later run's growth would hide in it). Run
 * directly, this file is the child: `export-child.ts <demo|memory> <records>`
 * prints the result as its last line of stdout.
 */
import { spawn } from 'node:child_process';
import type { ExportDemoBenchResult } from './export-bench';
import type { ExportBenchResult } from './export-memory-bench';

type Kind = 'demo' | 'memory';
type ResultOf<K extends Kind> = K extends 'demo' ? ExportDemoBenchResult : ExportBenchResult;

/** One run of `kind` at `records` in a child process; rejects with its stderr's end if it fails. */
export function exportInFreshProcess<K extends Kind>(kind: K, records: number): Promise<ResultOf<K>> {
  return new Promise((resolve, reject) => {
    // BENCH_EXPORT_NODE_OPTIONS: V8 flags for the measured process only (e.g. --max-semi-space-size=4).
    const flags = process.env.BENCH_EXPORT_NODE_OPTIONS;
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, kind, String(records)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(flags
        ? { env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${flags}`.trim() } }
        : {}),
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
