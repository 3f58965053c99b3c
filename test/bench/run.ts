/**
 * `npm run bench`: prints speed and memory figures (never a pass/fail gate).
 * Export streaming: wall time and peak RSS growth for writing + zipping N records.
 */
import { benchExport } from './export-bench';

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_EXPORT_RECORDS ?? '10000,100000,400000').split(',').map(Number);
  console.log('export (write store file + package zip, s3rver in-process)');
  console.log('records\twall ms\trecords/s\tpeak RSS +MiB\tzip bytes');
  for (const n of sizes) {
    const r = await benchExport(n);
    const perSecond = Math.round((r.records / r.wallMs) * 1000);
    console.log(`${r.records}\t${r.wallMs}\t${perSecond}\t${r.peakRssDeltaMiB}\t${r.zipBytes}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
