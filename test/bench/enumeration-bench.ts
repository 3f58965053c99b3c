import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalSystem } from '../../infra/local/system';

/** Medians of `POST /requests` for seeded customers and for addresses nobody holds, interleaved. */
export interface EnumerationBenchResult {
  readonly tries: number;
  readonly knownMedianMs: number;
  readonly unknownMedianMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * The timing side of "no enumeration" (the test asserts the answers' shape): a
 * known and an unknown email should take the same time, because nothing on the
 * submit path looks at the company's stores. Printed, never asserted: timing on
 * a shared machine is noise.
 */
export async function benchEnumeration(tries: number): Promise<EnumerationBenchResult> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-bench-enum-'));
  const limitVar = 'DSR_LIMIT_SUBMIT_PER_IP';
  const previous = process.env[limitVar];
  process.env[limitVar] = '100000';
  const system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: tries });
  try {
    const customers = system.dataMap.stores.find((s) => s.id === 'customers');
    if (customers?.kind !== 'dynamodb') throw new Error('the demo data map has no customers table');
    const out = await system.clients.dynamodb.send(
      new ScanCommand({ TableName: customers.table, ProjectionExpression: 'email' }),
    );
    const known = (out.Items ?? []).map((i) => String(i.email)).slice(0, tries);
    const submit = async (email: string): Promise<number> => {
      const started = performance.now();
      const res = await fetch(`${system.urls.api}/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'access', email }),
      });
      await res.arrayBuffer();
      return performance.now() - started;
    };
    for (let i = 0; i < 5; i++) await submit(`warm.up.${i}@example.test`);
    const knownMs: number[] = [];
    const unknownMs: number[] = [];
    for (let i = 0; i < known.length; i++) {
      knownMs.push(await submit(known[i] as string));
      unknownMs.push(await submit(`nobody.${i}.${Date.now()}@example.test`));
    }
    return { tries: known.length, knownMedianMs: median(knownMs), unknownMedianMs: median(unknownMs) };
  } finally {
    await system.stop();
    if (previous === undefined) delete process.env[limitVar];
    else process.env[limitVar] = previous;
    await rm(dataDir, { recursive: true, force: true });
  }
}
