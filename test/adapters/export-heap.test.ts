/**
 * ExportStore and PackageExport run with the V8 flags the registry gives them
 * (`nodeOptions`: a small young generation and a capped old one, so memory
 * stays flat). The export path must fit under that cap: a child `node` with
 * exactly those flags writes one store of generated records with
 * writeStoreExport and packages it with packageExport, against s3rver in a
 * process of its own (test/bench/export-memory-bench.ts). Anything retained
 * per record, or a stream buffering without backpressure, runs it out of heap.
 */
import { exportInFreshProcess, exportTaskFlags } from '../bench/export-child';

const RECORDS = 200_000;

const flagValue = (flags: readonly string[], name: string) =>
  Number(flags.find((f) => f.startsWith(`${name}=`))?.slice(name.length + 1));

describe('the export under the heap the registry gives its functions', () => {
  it(`writes and packages ${RECORDS.toLocaleString('en')} records without running out of heap`, async () => {
    // Prepare
    const flags = exportTaskFlags();
    const oldSpaceMiB = flagValue(flags, '--max-old-space-size');
    const semiSpaceMiB = flagValue(flags, '--max-semi-space-size');

    // Act
    const result = await exportInFreshProcess('memory', RECORDS);

    // Assess
    expect(result.records).toBe(RECORDS);
    expect(result.zipBytes).toBeGreaterThan(1_000_000);
    // The child really ran under the cap: the old generation plus the young one's three semi-spaces.
    expect(result.heapLimitMiB).toBeLessThanOrEqual(oldSpaceMiB + 3 * semiSpaceMiB);
  }, 120_000);
});
