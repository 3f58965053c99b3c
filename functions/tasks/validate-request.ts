import { z } from 'zod';
import { ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { RequestNotFoundError } from '../core/ledger-record';
import { RequestType } from '../core/request';

const Input = z.object({
  requestId: z.string().min(1),
  type: RequestType,
  /** Set only by the one-click unsubscribe endpoint: the signed token proved the address. */
  preVerified: z.literal(true).optional(),
});

export type ValidatedRequest = { requestId: string; type: RequestType; preVerified?: true };

/**
 * ValidateRequest: the execution's request must exist in the ledger with the
 * same type. `preVerified` passes through (the ASL skips RequestVerification on
 * it), but only for opt-outs already marked verified: nothing else may bypass verification.
 */
export async function handler(event: unknown): Promise<ValidatedRequest> {
  const input = Input.parse(event);
  const record = await ledgerTable().get(input.requestId);
  // The unsubscribe endpoint records `verify` before it starts the execution; an unverified entry is refused.
  const bypassRefused =
    input.preVerified && (input.type !== 'opt_out' || record?.status === 'pending_verification');
  if (!record || record.type !== input.type || bypassRefused) {
    logger.error('execution input does not match the ledger', { requestId: input.requestId });
    throw new RequestNotFoundError(input.requestId);
  }
  return {
    requestId: input.requestId,
    type: input.type,
    ...(input.preVerified ? { preVerified: true as const } : {}),
  };
}
