/**
 * The load test as `npm run load` runs it, small: every request ends, nothing
 * is lost, done twice or leaked, and the summary has the fields it promises.
 */
import { parseMix, runLoad, typesFor } from '../../infra/local/load';

jest.setTimeout(240_000);

describe('the load test', () => {
  it('spreads a mix in proportion and refuses an unknown type', () => {
    expect(typesFor(10, { access: 60, delete: 20, opt_out: 20 }).sort()).toEqual(
      [...Array(6).fill('access'), ...Array(2).fill('delete'), ...Array(2).fill('opt_out')].sort(),
    );
    expect(() => parseMix('access=50,profiling=50')).toThrow(/unknown type "profiling"/);
  });

  it('drives 12 requests of every type 4 at a time with nothing lost, doubled or leaked', async () => {
    const summary = await runLoad({
      requests: 12,
      concurrency: 4,
      mix: { access: 2, delete: 2, opt_out: 2, rectify: 2, restrict: 2, withdraw_consent: 2 },
    });
    expect(summary).toMatchObject({ requests: 12, lost: 0, duplicates: 0, leaks: 0 });
    expect(summary.completed + summary.needsAttention + summary.failed).toBe(12);
    expect(summary.completed).toBe(12);
    expect(summary.p95Ms).toBeGreaterThanOrEqual(summary.p50Ms);
    expect(summary.p50Ms).toBeGreaterThan(0);
    expect(summary.peakRssMiB).toBeGreaterThan(0);
  });
});
