import { storePorts } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { type VerifiedStore, verifyRequestStore } from '../core/erasure/verify';
import * as z from '../core/zod';

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  storeId: z.string().check(z.minLength(1)),
});

/** Tests shorten the waits for lagging reads (see `DEFAULT_SETTLE_DELAYS_MS`). */
export const verifySettings: { settleDelaysMs?: readonly number[] } = {};

/**
 * VerifyStoreErasure (one Map iteration): runs the store's lookups again and
 * throws `ErasureIncomplete` (not retried: support) unless only what the
 * decisions keep remains, without the subject's identifiers.
 */
export async function handler(event: unknown): Promise<VerifiedStore> {
  const input = z.parse(Input, event);
  const { settleDelaysMs } = verifySettings;
  return withTransient(() => verifyRequestStore(storePorts(), { ...input, settleDelaysMs }));
}
