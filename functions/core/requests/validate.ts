/** The first step of a request's workflow: its input must match the ledger. */
import { auditReceived } from '../audit/events';
import { boundedWaitSeconds, DEFAULT_DEADLINE_MARGIN_SECONDS } from '../clocks';
import { RequestNotFoundError } from '../ledger-record';
import type { AuditTrail, Clock, Log, RequestLedger } from '../ports';
import type { RequestType } from '../request';

export type ValidatedRequest = { requestId: string; type: RequestType; preVerified?: true };

/** Types started already verified: by a signed unsubscribe token, or by support lifting a restriction. */
const PRE_VERIFIED_TYPES: readonly RequestType[] = ['opt_out', 'lift_restriction'];

/** How long the workflow waits for verification at most (3 days), before the deadline bounds it. */
export const VERIFICATION_WAIT_SECONDS = 3 * 24 * 3600;

/** The execution's state after validation: `verificationSeconds` is RequestVerification's `TimeoutSecondsPath`. */
export type ValidRequest = ValidatedRequest & { verificationSeconds: number };

/**
 * The execution's request must exist in the ledger with the same type.
 * `preVerified` passes through (the workflow then skips verification), but only
 * for opt-outs and support's lifts already marked verified: nothing else may bypass verification.
 */
export async function validateRequest(
  ports: {
    readonly ledger: Pick<RequestLedger, 'get'>;
    readonly log: Log;
    readonly clock?: Clock;
    /** Seconds before the due time by which every wait must end (default 6 h). */
    readonly deadlineMarginSeconds?: number;
    readonly auditTrail?: AuditTrail;
  },
  input: ValidatedRequest,
): Promise<ValidRequest> {
  const record = await ports.ledger.get(input.requestId);
  // The unsubscribe endpoint (an opt-out) and support (a lift) record `verify` before they start the
  // execution; an unverified entry, or any other type, is refused.
  const bypassRefused =
    input.preVerified &&
    (!PRE_VERIFIED_TYPES.includes(input.type) || record?.status === 'pending_verification');
  if (!record || record.type !== input.type || bypassRefused) {
    ports.log.error('execution input does not match the ledger', { requestId: input.requestId });
    throw new RequestNotFoundError(input.requestId);
  }
  await auditReceived(ports.auditTrail, record);
  return {
    requestId: input.requestId,
    type: input.type,
    ...(input.preVerified ? { preVerified: true as const } : {}),
    // Nothing waits past the deadline: the verification wait ends the margin before the due time.
    verificationSeconds: record.clocks
      ? boundedWaitSeconds({
          wanted: VERIFICATION_WAIT_SECONDS,
          dueAt: record.dueAt,
          now: ports.clock?.() ?? new Date(),
          marginSeconds: ports.deadlineMarginSeconds ?? DEFAULT_DEADLINE_MARGIN_SECONDS,
        })
      : VERIFICATION_WAIT_SECONDS,
  };
}
