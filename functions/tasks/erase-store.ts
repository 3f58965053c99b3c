import { storePorts } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { eraseRequestStore } from '../core/erasure/erase';
import * as z from '../core/zod';

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  storeId: z.string().check(z.minLength(1)),
});

/** Tests shorten the proof's waits for lagging reads (see `DEFAULT_SETTLE_DELAYS_MS`). */
export const proofSettings: { settleDelaysMs?: readonly number[] } = {};

/**
 * EraseStore (one Map iteration): decides once (manifest in the exports
 * bucket), erases the subject's records in one store, and proves it by
 * re-query, throwing `ErasureIncomplete` (not retried: support) unless only
 * what the decisions keep remains. A retry after a crash reuses the decisions,
 * so it ends in the same state with the same counts.
 */
export async function handler(event: unknown): ReturnType<typeof eraseRequestStore> {
  const input = z.parse(Input, event);
  const { settleDelaysMs } = proofSettings;
  return withTransient(() => eraseRequestStore(storePorts(), { ...input, settleDelaysMs }));
}
