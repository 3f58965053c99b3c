/** Cancellation of a delete during its grace period, by the subject, with the token from the emailed link. */

import { constantTimeEqual, type HashPurpose, keyedHash } from '../crypto';
import { StatusConflictError } from '../ledger-record';
import { InvalidTransitionError } from '../lifecycle';
import type { Log, RequestLedger } from '../ports';
import { RefusedError } from '../refusal';
import { RequestId } from '../request';
import * as z from '../zod';

// Same purpose as ScheduleErasure's; the cast goes once `HashPurpose` lists 'cancel-token'.
const CANCEL_TOKEN_PURPOSE = 'cancel-token' satisfies HashPurpose;

/** The token of a cancel link. */
export const CancelToken = z.string().check(z.minLength(20), z.maxLength(200));
/** Body of `POST /requests/{requestId}/cancel`: the token from the emailed link. */
export const CancelRequestBody = z.strictObject({ token: CancelToken });

export interface CancelPorts {
  readonly ledger: RequestLedger;
  readonly key: Buffer;
  readonly log: Log;
}

// One answer for "no such request" and "wrong token", so ids cannot be probed.
const notFound = () =>
  new RefusedError('not_found', 'no request matches this cancel link, or the link is no longer valid');

const started = () =>
  new RefusedError(
    'erasure_started',
    'erasure has already started or finished, so it can no longer be cancelled',
  );

/**
 * Cancels the delete if the token matches and its grace period is still
 * running; cancelling again says cancelled. Wrong token and unknown id: the
 * same refusal, in the same time; once erasure started: `erasure_started`.
 */
export async function cancelRequest(
  ports: CancelPorts,
  requestIdRaw: string | undefined,
  token: string,
): Promise<{ requestId: string; status: 'cancelled' }> {
  const presented = keyedHash(ports.key, CANCEL_TOKEN_PURPOSE, token);
  const id = RequestId.safeParse(requestIdRaw);
  if (!id.success) throw notFound();
  const requestId = id.data;
  const record = await ports.ledger.get(requestId);
  // Compare even when there is nothing to compare with, so every miss takes the same time.
  const stored =
    record?.erasureSchedule?.cancelTokenHash ?? keyedHash(ports.key, CANCEL_TOKEN_PURPOSE, 'no-such-request');
  if (!constantTimeEqual(presented, stored) || !record?.erasureSchedule) throw notFound();

  if (record.status !== 'scheduled' && record.status !== 'cancelled') throw started();
  // Conditional on `scheduled`: if PlanStores started the erasure first, this loses and says so.
  const { already } = await ports.ledger
    .advance(requestId, 'cancel', { note: 'cancelled by the subject' })
    .catch((error: unknown) => {
      if (error instanceof StatusConflictError || error instanceof InvalidTransitionError) throw started();
      throw error;
    });
  if (!already) ports.log.info('delete cancelled by the subject', { requestId });
  return { requestId, status: 'cancelled' };
}
