import { storePorts } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { eraseRequestStore } from '../core/erasure/erase';
import * as z from '../core/zod';

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  storeId: z.string().check(z.minLength(1)),
});

/**
 * EraseStore (one Map iteration): decides once (manifest in the exports bucket)
 * and carries out erasure of the subject's records in one store. A retry after
 * a crash reuses the decisions, so it ends in the same state with the same counts.
 */
export async function handler(event: unknown): ReturnType<typeof eraseRequestStore> {
  const input = z.parse(Input, event);
  return withTransient(() => eraseRequestStore(storePorts(), input));
}
