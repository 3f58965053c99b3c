/**
 * Support lifts a restriction for the person (who asked through another
 * channel): a `lift_restriction` request is recorded as verified by support
 * (actor and reason in its history and audit chain) and runs the same
 * workflow branch as the person's own, which tells them. The restriction's
 * request kept only the address, for this.
 */
import { createHash } from 'node:crypto';
import { auditSupportAction } from '../audit/events';
import { clockFields } from '../clocks';
import { randomToken } from '../crypto';
import { DuplicateRequestError, StatusConflictError } from '../ledger-record';
import { InvalidTransitionError } from '../lifecycle';
import type { AuditTrail, Clock, Log, PreferenceList, RequestLedger, WorkflowControl } from '../ports';
import { newRequestId } from '../request-id';
import { requireReason, requireRequest } from './decide';
import { SupportRefusal } from './refusal';

export interface LiftPorts {
  readonly ledger: Pick<RequestLedger, 'get' | 'create' | 'transition'>;
  readonly preferences: Pick<PreferenceList, 'currentRestriction'>;
  readonly workflow: Pick<WorkflowControl, 'start'>;
  readonly log: Log;
  readonly clock: Clock;
  readonly audit?: AuditTrail;
}

/** Starts the lifting of the restriction `requestId` recorded; refused unless it is the one that stands. */
export async function liftRestriction(
  ports: LiftPorts,
  input: { readonly requestId: string; readonly reason: string; readonly actor: string },
): Promise<{ readonly requestId: string; readonly liftRequestId: string; readonly status: 'verified' }> {
  const reason = requireReason(input.reason);
  const restriction = await requireRequest(ports.ledger, input.requestId);
  if (restriction.type !== 'restrict' || restriction.status !== 'completed') {
    throw new SupportRefusal('not_allowed', `${input.requestId} is not a completed restriction`);
  }
  const standing = await ports.preferences.currentRestriction(restriction.subjectHash);
  if (standing !== restriction.requestId || !restriction.contact) {
    throw new SupportRefusal(
      'not_allowed',
      `the restriction of ${input.requestId} no longer stands (lifted, or replaced by a later one)`,
    );
  }
  const now = ports.clock();
  // One lift per restriction and day: running the action again finds the same request.
  const liftRequestId = newRequestId('lift_restriction', now).replace(
    /[a-z2-7]{10}$/,
    liftSuffix(restriction.requestId),
  );
  const note = `lifted by support (${input.actor}): ${reason}`;
  try {
    await ports.ledger.create(
      {
        requestId: liftRequestId,
        type: 'lift_restriction',
        jurisdiction: restriction.jurisdiction,
        locale: restriction.locale,
        receivedAt: now.toISOString(),
        ...clockFields(restriction.jurisdiction, 'lift_restriction', now),
        subjectHash: restriction.subjectHash,
        contact: { email: restriction.contact.email },
        // Nobody holds a status token for a lift support started; the hash of a random one fills the slot.
        statusTokenHash: createHash('sha256').update(randomToken()).digest('hex'),
      },
      now,
    );
  } catch (error) {
    if (!(error instanceof DuplicateRequestError)) throw error;
  }
  // Support's word is the verification; a second run finds it verified (or the workflow moved it on).
  await ports.ledger.transition(liftRequestId, 'verify', { note, now }).catch((error: unknown) => {
    if (!(error instanceof StatusConflictError || error instanceof InvalidTransitionError)) throw error;
  });
  await ports.workflow
    .start({ requestId: liftRequestId, type: 'lift_restriction', preVerified: true })
    .catch((error: unknown) => {
      if ((error as Error)?.name !== 'ExecutionAlreadyExists') throw error;
    });
  await auditSupportAction(ports.audit, liftRequestId, {
    actionId: `lift:${restriction.requestId}`,
    kind: 'support_action',
    name: 'lift',
    actor: input.actor,
    reason,
    at: now,
  });
  ports.log.info('restriction lifted by support', { requestId: restriction.requestId, liftRequestId });
  return { requestId: restriction.requestId, liftRequestId, status: 'verified' };
}

/** The lift's id suffix: derived from the restriction's id, so a second run is the same request. */
function liftSuffix(restrictionId: string): string {
  const digest = createHash('sha256').update(`lift\u0000${restrictionId}`).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from(digest.subarray(0, 10), (b) => alphabet[b % 32]).join('');
}
