import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { createZipWriter } from '../../functions/aws/zip-writer';
import { createConnector } from '../../functions/connectors/registry';
import { resolveSubject } from '../../functions/connectors/resolve-subject';
import { type DataMap, isDataStore } from '../../functions/core/data-map';
import { packageExport } from '../../functions/core/export/package';
import { type StoreExportResult, writeStoreExport } from '../../functions/core/export/store-export';
import type { ExportedRecord } from '../../functions/core/ports';
import { createTableInput, DEMO_TABLES } from '../../infra/definitions/tables';
import { type DemoClients, plantSubject } from '../../infra/local/demo-data';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators';
import { startEmulatorProcess } from './emulator-process';
import { type ExportFloorTimes, exportFloor } from './export-floor';

/** What one run of the export benchmark on generated records measured. */
export interface ExportBenchResult {
  readonly records: number;
  /** Wall time of writing the store file plus packaging the zip. */
  readonly wallMs: number;
  /** Highest RSS seen during the run minus RSS just before it (after a full collection), in MiB. */
  readonly peakRssDeltaMiB: number;
  /** The same for the writing of the store file and for the packaging, each from the RSS before it. */
  readonly writePeakRssDeltaMiB: number;
  readonly packagePeakRssDeltaMiB: number;
  /** RSS before the run (after a full collection) and the highest seen during it, in MiB. */
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
  /** Bytes of the resulting zip. */
  readonly zipBytes: number;
}

/** A full garbage collection, so each run starts from the same heap (`--expose-gc` without a flag on the command). */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

const MiB = 1024 * 1024;

/** Samples RSS every 20 ms; `mark()` returns the peak growth since the last mark (or the start) and starts again. */
function rssSampler() {
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

function s3ClientOf(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
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
  const s3 = s3ClientOf(emulators.endpoints.s3);
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
        peakRssDeltaMiB: Math.max(writePeakRssDeltaMiB, packagePeakRssDeltaMiB),
        writePeakRssDeltaMiB,
        packagePeakRssDeltaMiB,
        baselineRssMiB: rss.baseline(),
        peakRssMiB: rss.highest(),
        zipBytes: packaged.size,
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

/** What one run of the export benchmark on a planted subject measured, and its floor. */
export interface ExportDemoBenchResult {
  /** Records the connectors found for the subject, per store and in all. */
  readonly planted: Readonly<Record<string, number>>;
  readonly records: number;
  readonly plantMs: number;
  /** Every store's file (ExportStore, `concurrency` at once), then the zip (PackageExport). */
  readonly storesMs: number;
  /** Each store's own ExportStore time (they overlap, `concurrency` at once). */
  readonly storeMs: Readonly<Record<string, number>>;
  readonly packageMs: number;
  readonly wallMs: number;
  /** Peak RSS growth of this process during the export (the emulators run in a child process). */
  readonly peakRssDeltaMiB: number;
  readonly zipBytes: number;
  readonly floor: ExportFloorTimes;
}

async function createDemoResources(raw: DynamoDBClient, s3: S3Client, dataMap: DataMap, exports: string) {
  for (const store of dataMap.stores.filter(isDataStore)) {
    if (store.kind === 'dynamodb') {
      const def = DEMO_TABLES[store.id];
      if (!def) throw new Error(`no table definition for demo store ${store.id}`);
      await raw.send(new CreateTableCommand(createTableInput(store.table, def)));
    } else {
      await s3.send(new CreateBucketCommand({ Bucket: store.bucket }));
      await s3.send(
        new PutBucketVersioningCommand({
          Bucket: store.bucket,
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      );
    }
  }
  await s3.send(new CreateBucketCommand({ Bucket: exports }));
}

/** Runs `work` over `inputs` with at most `limit` in flight, results in input order. */
async function mapLimited<T, R>(inputs: readonly T[], limit: number, work: (input: T) => Promise<R>) {
  const out: R[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      out[i] = await work(inputs[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, worker));
  return out;
}

/** Documents planted at most: a person with 25,000 uploaded files is not the case to tune for. */
const MAX_DOCUMENTS = 2_500;

/**
 * Plants one subject with about `records` records across the demo stores (an
 * account, a consent record, orders, messages and activity events in equal
 * numbers, and up to {@link MAX_DOCUMENTS} documents) on emulators in a child process, then exports them
 * the way the workflow does — `writeStoreExport` over each data store's
 * connector, `concurrency` stores at once like the Map, then `packageExport` —
 * and runs the raw I/O floor (export-floor.ts) on the same data.
 */
export async function benchExportDemo(records: number, concurrency = 4): Promise<ExportDemoBenchResult> {
  const emulators = await startEmulatorProcess();
  const raw = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const s3 = s3ClientOf(emulators.endpoints.s3);
  const clients: DemoClients = {
    dynamodb: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    s3,
  };
  const dataMap = loadDemoDataMap();
  const bucket = 'dsr-bench-exports';
  const email = 'bench.export@example.test';
  const requestId = '20260101-access-benchdemoa';
  try {
    await createDemoResources(raw, s3, dataMap, bucket);
    // A quarter each up to 10,000 records (as the erase bench); past that, documents stay at 2,500 (each is a file
    // to copy) and the rest is orders, messages and activity.
    const documents = Math.min(MAX_DOCUMENTS, Math.max(0, Math.round(records / 4) - 2));
    const each = Math.max(documents, Math.round((records - 2 - documents) / 3));
    const plantStarted = performance.now();
    const planted = await plantSubject(clients, dataMap, {
      email,
      fullName: 'Bench Ekspor Contoh',
      phone: '+628100000003',
      records: each,
      documents,
    });
    const plantMs = performance.now() - plantStarted;
    const subject = await resolveSubject(dataMap, clients, email);
    const stores = dataMap.stores.filter(isDataStore);
    const deps = { exports: new S3ObjectStore(s3, bucket), zip: createZipWriter };

    const storeMs: Record<string, number> = {};
    const rss = rssSampler();
    const started = performance.now();
    let results: StoreExportResult[];
    let zipBytes: number;
    let stored: number;
    try {
      results = await mapLimited(stores, concurrency, async (store) => {
        const storeStarted = performance.now();
        const result = await writeStoreExport(deps, {
          requestId,
          storeId: store.id,
          records: createConnector(store, clients).export(subject),
          excludeFields: store.export?.excludeFields ?? [],
        });
        storeMs[store.id] = performance.now() - storeStarted;
        return result;
      });
      stored = performance.now();
      zipBytes = (await packageExport(deps, { requestId, exports: results, dataMap })).size;
    } finally {
      rss.stop();
    }
    const done = performance.now();
    const peakRssDeltaMiB = rss.mark();
    const floor = await exportFloor(clients, stores, subject, bucket, requestId, concurrency);
    return {
      planted,
      records: Object.values(planted).reduce((a, b) => a + b, 0),
      plantMs,
      storesMs: stored - started,
      storeMs,
      packageMs: done - stored,
      wallMs: done - started,
      peakRssDeltaMiB,
      zipBytes,
      floor,
    };
  } finally {
    raw.destroy();
    s3.destroy();
    await emulators.stop();
  }
}
