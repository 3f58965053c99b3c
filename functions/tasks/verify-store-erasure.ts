import * as z from 'zod';
import { storePorts } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { type VerifiedStore, verifyRequestStore } from '../core/erasure/verify';

const Input = z.object({ requestId: z.string().min(1), storeId: z.string().min(1) });

/** Tests shorten the waits for lagging reads (see `DEFAULT_SETTLE_DELAYS_MS`). */
export const verifySettings: { settleDelaysMs?: readonly number[] } = {};

/**
 * VerifyStoreErasure (one Map iteration): runs the store's lookups again and
 * throws `ErasureIncomplete` (not retried: support) unless only what the
 * decisions keep remains, without the subject's identifiers.
 */
export async function handler(event: unknown): Promise<VerifiedStore> {
  const input = Input.parse(event);
  const { settleDelaysMs } = verifySettings;
  return withTransient(() => verifyRequestStore(storePorts(), { ...input, settleDelaysMs }));
}
