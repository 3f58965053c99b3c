import { createHash, randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { createConnector } from '../../functions/connectors/registry';
import { resolveSubject } from '../../functions/connectors/resolve-subject';
import { type DataMap, isDataStore } from '../../functions/core/data-map';
import type { ErasureCounts } from '../../functions/core/erasure/decisions';
import { eraseStore, proveStoreErasure } from '../../functions/core/erasure/erase';
import type { EraseReceipt } from '../../functions/core/ports';
import { createTableInput, DEMO_TABLES } from '../../infra/definitions/tables';
import { type DemoClients, plantSubject } from '../../infra/local/demo-data';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';
import { eraseFloor, type FloorTimes } from './erase-floor';

/** How the erased subject's footprint is planted (see `plantSubject`). */
export interface EraseBenchOptions {
  /** Orders, messages and activity events planted (each). */
  readonly records: number;
  /** Documents planted (at most `records`). */
  readonly documents: number;
  /** Stores erased at once, like the workflow's EraseStores Map (MaxConcurrency 4). */
  readonly concurrency: number;
  /** Other subjects planted around the erased one (records each: 20, documents: 5). */
  readonly others: number;
  /** Also plant a twin of the subject and time the raw I/O floor on it (see erase-floor.ts). */
  readonly floor?: boolean;
}

/** One store's figures. */
export interface StoreBench {
  readonly storeId: string;
  readonly counts: ErasureCounts;
  readonly eraseMs: number;
  /** The proof by re-query (same invocation); undefined when it failed (`verifyError` says why; counts only, no data). */
  readonly verifyMs?: number;
  readonly verifyError?: string;
  /** What the connector wrote (the floor does as many writes). */
  readonly writes: EraseReceipt;
}

/** What one run of the erase benchmark measured. */
export interface EraseBenchResult {
  /** What the connectors found for the subject before erasure, per store. */
  readonly planted: Readonly<Record<string, number>>;
  readonly plantMs: number;
  readonly stores: readonly StoreBench[];
  /** Wall time from the first store's erasure starting to the last store's verification ending. */
  readonly totalMs: number;
  /** CPU time (user + system) this process spent during that wall time: emulators and SDK included, less load-sensitive. */
  readonly cpuMs: number;
  /** Highest RSS seen during erasure minus RSS just before it, in MiB. */
  readonly peakRssDeltaMiB: number;
  /** Whether every other subject's records (all stores, data and refs) are exactly as before the erasure. */
  readonly othersUntouched: boolean;
  /** The raw I/O floor on the twin subject, same concurrency: per store, and wall time of all (when asked for). */
  readonly floor?: {
    readonly stores: Readonly<Record<string, FloorTimes>>;
    readonly totalMs: number;
    /** CPU time of this process during the floor's wall time (as `cpuMs`). */
    readonly cpuMs: number;
  };
}

const EXPORTS = 'dsr-bench-exports';
const SUBJECT = {
  email: 'bench.erasure@example.test',
  fullName: 'Bench Erasure Contoh',
  phone: '+628100000001',
};
const REQUEST_ID = '20260101-delete-benchbench';
const WARM_REQUEST_ID = '20260101-delete-benchwarms';
/** The floor's twin: the same footprint under another identity. */
const TWIN = { email: 'bench.floor@example.test', fullName: 'Bench Floor Kembar', phone: '+628100000002' };
/** Small subjects erased (and floored) unmeasured first, so module loading and JIT warm-up count in neither. */
const WARM = { email: 'bench.warm@example.test', fullName: 'Bench Warm Contoh', phone: '+628100000003' };
const WARM_TWIN = {
  email: 'bench.warm.floor@example.test',
  fullName: 'Bench Warm Kembar',
  phone: '+628100000004',
};
const WARM_FOOTPRINT = {
  records: 40,
  documents: 20,
  orderStatuses: ['delivered', 'paid', 'in_transit', 'delivered'],
};

/** The data map's demo tables and versioned buckets, and the exports bucket `exports`, on fresh emulators. */
export async function createDemoResources(
  raw: DynamoDBClient,
  s3: S3Client,
  dataMap: DataMap,
  exports: string,
): Promise<void> {
  for (const store of dataMap.stores.filter(isDataStore)) {
    if (store.kind === 'dynamodb') {
      const def = DEMO_TABLES[store.id];
      if (!def) throw new Error(`no table definition for demo store ${store.id}`);
      await raw.send(new CreateTableCommand(createTableInput(store.table, def)));
    } else {
      // Versioned, as locally and in AWS: erasure removes old versions too.
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

/** A digest of everything the connectors export for `email` in every store (sorted, so order does not count). */
async function footprintDigest(clients: DemoClients, dataMap: DataMap, email: string): Promise<string> {
  const subject = await resolveSubject(dataMap, clients, email);
  const lines: string[] = [];
  for (const store of dataMap.stores.filter(isDataStore)) {
    for await (const page of createConnector(store, clients).export(subject)) {
      for (const r of page) lines.push(JSON.stringify([store.id, r.ref, Object.entries(r.data).sort()]));
    }
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/** Runs `work` over `inputs` with at most `limit` in flight, results in input order. */
export async function mapLimited<T, R>(inputs: readonly T[], limit: number, work: (input: T) => Promise<R>) {
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

/**
 * Plants one subject with `3 × records + documents + 2` records (an account,
 * a consent record, `records` orders, messages and activity events, and
 * `documents` documents) plus a few other subjects on fresh emulators, then
 * erases every demo store the way the workflow's EraseStores Map does
 * (EraseStore's `eraseStore` then `proveStoreErasure` per store, `concurrency`
 * stores at once), timing each store and the whole, and sampling RSS every 20 ms.
 */
export async function benchErase(options: EraseBenchOptions): Promise<EraseBenchResult> {
  const emulators = await startEmulators();
  const raw = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const s3 = new S3Client({
    endpoint: emulators.endpoints.s3,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  const clients: DemoClients = {
    dynamodb: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    s3,
  };
  const dataMap = loadDemoDataMap();
  try {
    await createDemoResources(raw, s3, dataMap, EXPORTS);
    const plantStarted = performance.now();
    const others = Array.from({ length: options.others }, (_, i) => `bench.other.${i}@example.test`);
    for (const email of others) await plantSubject(clients, dataMap, { email, records: 20, documents: 5 });
    // Every fourth order is in transit (held: open order); the rest are retained with masks.
    const planted = await plantSubject(clients, dataMap, {
      ...SUBJECT,
      records: options.records,
      documents: options.documents,
      orderStatuses: ['delivered', 'paid', 'in_transit', 'delivered'],
    });
    const plantMs = performance.now() - plantStarted;
    if (options.floor) {
      await plantSubject(clients, dataMap, {
        ...TWIN,
        records: options.records,
        documents: options.documents,
        orderStatuses: ['delivered', 'paid', 'in_transit', 'delivered'],
      });
    }
    await plantSubject(clients, dataMap, { ...WARM, ...WARM_FOOTPRINT });
    if (options.floor) await plantSubject(clients, dataMap, { ...WARM_TWIN, ...WARM_FOOTPRINT });
    const othersBefore = await Promise.all(others.map((email) => footprintDigest(clients, dataMap, email)));
    const hashingKey = randomBytes(32);
    const deps = new S3ObjectStore(s3, EXPORTS);
    const dataStores = dataMap.stores.filter(isDataStore);
    // Processors are told over HTTP, not erased here: the bench measures the data stores.
    const eraseAll = async (requestId: string, person: typeof SUBJECT) => {
      const subject = await resolveSubject(dataMap, clients, person.email);
      return mapLimited(dataStores, options.concurrency, async (store): Promise<StoreBench> => {
        const args = {
          requestId,
          storeId: store.id,
          store,
          connector: createConnector(store, clients),
          subject,
          contact: person,
          hashingKey,
          // As EraseStore on a store the ledger has pending: no earlier inventory to look for.
          firstAttempt: true,
        };
        // As EraseStore does in one invocation: erase, then prove against the decisions it holds.
        const eraseStarted = performance.now();
        const { counts, receipt, inventory } = await eraseStore(deps, args);
        const eraseMs = performance.now() - eraseStarted;
        const verifyStarted = performance.now();
        try {
          // The emulators are consistent at once: no waiting for lagging reads.
          await proveStoreErasure(deps, { ...args, settleDelaysMs: [] }, inventory);
          const verifyMs = performance.now() - verifyStarted;
          return { storeId: store.id, counts, eraseMs, verifyMs, writes: receipt };
        } catch (error) {
          const verifyError = (error as Error).message;
          return { storeId: store.id, counts, eraseMs, verifyError, writes: receipt };
        }
      });
    };
    const floorAll = async (person: typeof SUBJECT, erased: readonly StoreBench[]) => {
      const twin = await resolveSubject(dataMap, clients, person.email);
      const times = await mapLimited(erased, options.concurrency, async (s) => {
        const store = dataStores.find((d) => d.id === s.storeId);
        if (!store) throw new Error(`no store ${s.storeId}`);
        return [s.storeId, await eraseFloor(clients, store, twin, s.writes)] as const;
      });
      return Object.fromEntries(times);
    };
    const warm = await eraseAll(WARM_REQUEST_ID, WARM);
    if (options.floor) await floorAll(WARM_TWIN, warm);

    global.gc?.();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 20);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let stores: StoreBench[];
    try {
      stores = await eraseAll(REQUEST_ID, SUBJECT);
    } finally {
      clearInterval(sampler);
    }
    const totalMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    peak = Math.max(peak, process.memoryUsage.rss());
    const othersAfter = await Promise.all(others.map((email) => footprintDigest(clients, dataMap, email)));
    let floor: EraseBenchResult['floor'];
    if (options.floor) {
      const floorCpu = process.cpuUsage();
      const floorStarted = performance.now();
      const times = await floorAll(TWIN, stores);
      const totalMs = performance.now() - floorStarted;
      const used = process.cpuUsage(floorCpu);
      floor = { stores: times, totalMs, cpuMs: (used.user + used.system) / 1000 };
    }
    return {
      planted,
      plantMs,
      stores,
      totalMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssDeltaMiB: (peak - baseline) / (1024 * 1024),
      othersUntouched: JSON.stringify(othersAfter) === JSON.stringify(othersBefore),
      ...(floor ? { floor } : {}),
    };
  } finally {
    raw.destroy();
    s3.destroy();
    await emulators.stop();
  }
}
