/**
 * The export's memory figure: one store of generated records written and
 * packaged. Imports only what ExportStore and PackageExport run (no Faker, no
 * emulators, no connectors), so the heap it starts from is close to a Lambda's.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { createZipWriter } from '../../functions/aws/zip-writer';
import { packageExport } from '../../functions/core/export/package';
import { writeStoreExport } from '../../functions/core/export/store-export';
import type { ExportedRecord } from '../../functions/core/ports';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { type EmulatorProcess, startEmulatorProcess } from './emulator-process';

/** What one run of the export benchmark on generated records measured. */
export interface ExportBenchResult {
  readonly records: number;
  /** Wall time of writing the store file plus packaging the zip. */
  readonly wallMs: number;
  /** Highest RSS seen during the run (write and packaging) minus RSS just before it (after a full collection), in MiB. */
  readonly peakRssDeltaMiB: number;
  /** The highest RSS during the write minus RSS before it; during the packaging minus RSS when the write ended. */
  readonly writePeakRssDeltaMiB: number;
  readonly packagePeakRssDeltaMiB: number;
  /** RSS before the run (after a full collection) and the highest seen during it, in MiB. */
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
  /** Bytes of the resulting zip. */
  readonly zipBytes: number;
  /** V8's heap limit in this process (`heap_size_limit`), in MiB: what the V8 flags it ran with allow. */
  readonly heapLimitMiB: number;
}

/** A full garbage collection, so each run starts from the same heap (`--expose-gc` without a flag on the command). */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

const MiB = 1024 * 1024;

/** Samples RSS every 20 ms; `mark()` returns the peak growth since the last mark (or the start) and starts again. */
export function rssSampler() {
  collectGarbage();
  let base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  let highest = base;
  const baseline = base;
  return {
    baseline: () => baseline / MiB,
    highest: () => Math.max(highest, peak) / MiB,
    mark(): number {
      peak = Math.max(peak, process.memoryUsage().rss);
      highest = Math.max(highest, peak);
      const grown = (peak - base) / MiB;
      base = process.memoryUsage().rss;
      peak = base;
      return grown;
    },
    stop: () => clearInterval(timer),
  };
}

/** Fake order records in pages of 500, generated lazily so the generator itself costs no memory. */
async function* fakeOrders(count: number): AsyncIterable<readonly ExportedRecord[]> {
  for (let start = 0; start < count; start += 500) {
    const page: ExportedRecord[] = [];
    for (let i = start; i < Math.min(count, start + 500); i++) {
      page.push({
        ref: { kind: 'dynamodb', key: { orderId: `o-${i}` } },
        data: {
          orderId: `o-${i}`,
          customerId: 'c-bench',
          email: 'bench@example.test',
          total: i * 1000,
          items: [{ sku: `sku-${i % 97}`, qty: 1 + (i % 5) }],
          createdAt: new Date(1_700_000_000_000 + i * 60_000).toISOString(),
        },
      });
    }
    yield page;
  }
}

/** An S3 client for the emulators in the child process. */
export function s3ClientOf(emulators: EmulatorProcess): S3Client {
  return new S3Client({
    endpoint: emulators.endpoints.s3,
    forcePathStyle: true,
    region: emulators.region,
    credentials: emulators.credentials,
  });
}

/** Records of an unmeasured first run: module loading and the compiler's first work stay out of the figures. */
const WARM_UP_RECORDS = 2_000;

/**
 * For each size, writes one store of that many fake records and packages it
 * into a zip, measuring wall time and peak RSS growth (sampled every 20 ms,
 * from a collected heap). The emulators run in a child process, so the
 * figure is this code's and the SDK's, as in the Lambda; an unmeasured run of
 * {@link WARM_UP_RECORDS} records goes first. Memory should stay roughly flat
 * as the size grows; that is what this is for.
 */
export async function benchExport(sizes: readonly number[]): Promise<ExportBenchResult[]> {
  const emulators = await startEmulatorProcess();
  const s3 = s3ClientOf(emulators);
  const bucket = 'dsr-bench-exports';
  const deps = { exports: new S3ObjectStore(s3, bucket), zip: createZipWriter };
  const dataMap = loadDemoDataMap();
  const run = async (records: number, n: number): Promise<ExportBenchResult> => {
    // Request ids are base32 (a–z, 2–7): the run's number as two letters.
    const requestId = `20260101-access-benchrun${String.fromCharCode(97 + Math.floor(n / 26), 97 + (n % 26))}`;
    const rss = rssSampler();
    const started = performance.now();
    try {
      const result = await writeStoreExport(deps, {
        requestId,
        storeId: 'orders',
        records: fakeOrders(records),
      });
      const writePeakRssDeltaMiB = rss.mark();
      const packaged = await packageExport(deps, { requestId, exports: [result], dataMap });
      const wallMs = performance.now() - started;
      const packagePeakRssDeltaMiB = rss.mark();
      return {
        records,
        wallMs,
        // From the RSS before the write to the highest seen in either step (the packaging starts where the write left it).
        peakRssDeltaMiB: rss.highest() - rss.baseline(),
        writePeakRssDeltaMiB,
        packagePeakRssDeltaMiB,
        baselineRssMiB: rss.baseline(),
        peakRssMiB: rss.highest(),
        zipBytes: packaged.size,
        heapLimitMiB: getHeapStatistics().heap_size_limit / MiB,
      };
    } finally {
      rss.stop();
    }
  };
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await run(WARM_UP_RECORDS, 0);
    const results: ExportBenchResult[] = [];
    for (const [i, records] of sizes.entries()) results.push(await run(records, i + 1));
    return results;
  } finally {
    s3.destroy();
    await emulators.stop();
  }
}
