import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { createZipWriter } from '../../functions/aws/zip-writer';
import { packageExport } from '../../functions/core/export/package';
import { writeStoreExport } from '../../functions/core/export/store-export';
import type { ExportedRecord } from '../../functions/core/ports';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { emulatorEnvironment, startEmulators } from '../../infra/local/emulators';

/** What one run of the export benchmark measured. */
export interface ExportBenchResult {
  readonly records: number;
  /** Wall time of writing the store file plus packaging the zip. */
  readonly wallMs: number;
  /** Highest RSS seen during the run minus RSS just before it, in MiB. */
  readonly peakRssDeltaMiB: number;
  /** Bytes of the resulting zip. */
  readonly zipBytes: number;
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

/**
 * Writes one store of `records` fake records to s3rver and packages it into a
 * zip, measuring wall time and peak RSS growth (sampled every 20 ms). Memory
 * should stay roughly flat as `records` grows; that is what this is for.
 */
export async function benchExport(records: number): Promise<ExportBenchResult> {
  const emulators = await startEmulators();
  const env = emulatorEnvironment(emulators.endpoints);
  const s3 = new S3Client({
    endpoint: emulators.endpoints.s3,
    forcePathStyle: true,
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
  const bucket = 'dsr-bench-exports';
  const deps = { exports: new S3ObjectStore(s3, bucket), zip: createZipWriter };
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const requestId = '20260101-access-benchbench';
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const started = performance.now();
    try {
      const result = await writeStoreExport(deps, {
        requestId,
        storeId: 'orders',
        records: fakeOrders(records),
      });
      const packaged = await packageExport(deps, {
        requestId,
        exports: [result],
        dataMap: loadDemoDataMap(),
      });
      const wallMs = performance.now() - started;
      peak = Math.max(peak, process.memoryUsage().rss);
      return { records, wallMs, peakRssDeltaMiB: (peak - baseline) / (1024 * 1024), zipBytes: packaged.size };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    s3.destroy();
    await emulators.stop();
  }
}
