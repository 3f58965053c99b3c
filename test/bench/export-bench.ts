import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { createZipWriter } from '../../functions/aws/zip-writer';
import { createConnector } from '../../functions/connectors/registry';
import { resolveSubject } from '../../functions/connectors/resolve-subject';
import { isDataStore } from '../../functions/core/data-map';
import { packageExport } from '../../functions/core/export/package';
import { type StoreExportResult, writeStoreExport } from '../../functions/core/export/store-export';
import { type DemoClients, plantSubject } from '../../infra/local/demo-data';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { startEmulatorProcess } from './emulator-process';
import { createDemoResources, mapLimited } from './erase-bench';
import { type ExportFloorTimes, exportFloor } from './export-floor';
import { rssSampler, s3ClientOf } from './export-memory-bench';

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

const WARM_UP_EMAIL = 'bench.warmup@example.test';
const WARM_UP_REQUEST = '20260101-access-benchwarmu';

/** Documents planted at most: a person with 25,000 uploaded files is not the case to tune for. */
const MAX_DOCUMENTS = 2_500;

/**
 * Plants one subject with about `records` records across the demo stores (an
 * account, a consent record, orders, messages and activity events in equal
 * numbers, and up to {@link MAX_DOCUMENTS} documents) on emulators in a child process, then exports them
 * the way the workflow does — `writeStoreExport` over each data store's
 * connector, `concurrency` stores at once like the Map, then `packageExport` —
 * after the same for a small subject, unmeasured — and runs the raw I/O floor
 * (export-floor.ts) on the same data.
 */
export async function benchExportDemo(records: number, concurrency = 4): Promise<ExportDemoBenchResult> {
  const emulators = await startEmulatorProcess();
  const raw = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: emulators.region,
    credentials: emulators.credentials,
  });
  const s3 = s3ClientOf(emulators);
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
    const exportAll = (who: typeof subject, id: string, storeMs: Record<string, number> = {}) =>
      mapLimited(stores, concurrency, async (store) => {
        const storeStarted = performance.now();
        const result = await writeStoreExport(deps, {
          requestId: id,
          storeId: store.id,
          records: createConnector(store, clients).export(who),
          excludeFields: store.export?.excludeFields ?? [],
        });
        storeMs[store.id] = performance.now() - storeStarted;
        return result;
      });
    // Unmeasured: a small subject exported first loads and compiles every path (a cold start is not per record).
    await plantSubject(clients, dataMap, { email: WARM_UP_EMAIL, records: 20, documents: 5 });
    const warmUp = await exportAll(await resolveSubject(dataMap, clients, WARM_UP_EMAIL), WARM_UP_REQUEST);
    await packageExport(deps, { requestId: WARM_UP_REQUEST, exports: warmUp, dataMap });

    const storeMs: Record<string, number> = {};
    const rss = rssSampler();
    const started = performance.now();
    let results: StoreExportResult[];
    let zipBytes: number;
    let stored: number;
    try {
      results = await exportAll(subject, requestId, storeMs);
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
