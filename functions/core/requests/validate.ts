/** The first step of a request's workflow: its input must match the ledger. */
import { auditReceived } from '../audit/events';
import { RequestNotFoundError } from '../ledger-record';
import type { AuditTrail, Log, RequestLedger } from '../ports';
import type { RequestType } from '../request';

export type ValidatedRequest = { requestId: string; type: RequestType; preVerified?: true };

/**
 * The execution's request must exist in the ledger with the same type.
 * `preVerified` passes through (the workflow then skips verification), but only
 * for opt-outs already marked verified: nothing else may bypass verification.
 */
export async function validateRequest(
  ports: { readonly ledger: Pick<RequestLedger, 'get'>; readonly log: Log; readonly auditTrail?: AuditTrail },
  input: ValidatedRequest,
): Promise<ValidatedRequest> {
  const record = await ports.ledger.get(input.requestId);
  // The unsubscribe endpoint records `verify` before it starts the execution; an unverified entry is refused.
  const bypassRefused =
    input.preVerified && (input.type !== 'opt_out' || record?.status === 'pending_verification');
  if (!record || record.type !== input.type || bypassRefused) {
    ports.log.error('execution input does not match the ledger', { requestId: input.requestId });
    throw new RequestNotFoundError(input.requestId);
  }
  await auditReceived(ports.auditTrail, record);
  return {
    requestId: input.requestId,
    type: input.type,
    ...(input.preVerified ? { preVerified: true as const } : {}),
  };
}
