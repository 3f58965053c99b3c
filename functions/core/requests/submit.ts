/**
 * Request intake: a subject asks for access, deletion or an opt-out. The
 * answer never depends on whether the email is known to the company's stores
 * (nothing here looks there).
 */

import { z } from 'zod';
import { type ClockCalendar, clockFields } from '../clocks';
import { keyedHash, randomToken } from '../crypto';
import type { RequestStatus } from '../lifecycle';
import type { Clock, Log, RequestLedger, SubjectBudgets, SubmissionOnce, WorkflowControl } from '../ports';
import { RefusedError } from '../refusal';
import { type SubmitRequestBody, subjectLookupForm } from '../request';
import { newRequestId } from '../request-id';
import { replayableStatusToken, submissionFingerprint } from './idempotency';

/** `Idempotency-Key`: opaque, unguessable (16+ characters, e.g. a UUID), printable ASCII without spaces. */
const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{16,128}$/);

export interface SubmitPorts {
  readonly ledger: RequestLedger;
  readonly workflow: WorkflowControl;
  readonly budgets: SubjectBudgets;
  /** Only used for submissions with an `Idempotency-Key`. */
  readonly once: SubmissionOnce;
  /** The deployment's hashing key. */
  readonly key: Buffer;
  readonly log: Log;
  readonly clock?: Clock;
  /** Holidays the business-day clocks skip (US-CA). */
  readonly calendar?: ClockCalendar;
}

/** The answer: `statusToken` is null when it names an already open request. */
export interface Submitted {
  readonly requestId: string;
  readonly status: RequestStatus;
  readonly statusToken: string | null;
}

/** What a submission decided, as remembered for a replay: ids and a status only, never a token or contact data. */
interface Outcome extends Record<string, unknown> {
  readonly requestId: string;
  readonly status: RequestStatus;
  /** True when the subject already had an open request of this type and this is it. */
  readonly existing: boolean;
}

/** Records the request in the ledger first, then starts its workflow. */
async function startNew(
  ports: SubmitPorts,
  body: SubmitRequestBody,
  subjectHash: string,
  statusTokenFor: (requestId: string) => string,
): Promise<Outcome> {
  const { ledger, log } = ports;
  const now = ports.clock?.() ?? new Date();
  const requestId = newRequestId(body.type, now);
  await ledger.create(
    {
      requestId,
      type: body.type,
      jurisdiction: body.jurisdiction,
      locale: body.locale,
      receivedAt: now.toISOString(),
      ...clockFields(body.jurisdiction, body.type, now, ports.calendar),
      subjectHash,
      contact: {
        email: body.email,
        ...(body.fullName ? { fullName: body.fullName } : {}),
        ...(body.phone ? { phone: body.phone } : {}),
      },
      statusTokenHash: keyedHash(ports.key, 'status-token', statusTokenFor(requestId)),
    },
    now,
  );
  try {
    await ports.workflow.start({ requestId, type: body.type });
  } catch (error) {
    log.error('could not start the workflow', { requestId, errorName: (error as Error).name });
    await ledger
      .transition(requestId, 'fail', {
        note: 'the workflow could not be started',
        failure: { error: 'WorkflowNotStarted', cause: `StartExecution failed: ${(error as Error).name}` },
      })
      .catch((markError: unknown) =>
        log.error('could not mark the request failed', { requestId, errorName: (markError as Error).name }),
      );
    throw new RefusedError(
      'unavailable',
      'the request could not be started; please try again in a few minutes',
    );
  }
  log.info('request accepted', { requestId });
  return { requestId, status: 'pending_verification', existing: false };
}

/** The per-subject budget, then the subject's open request of this type if there is one, else a new request. */
async function accept(
  ports: SubmitPorts,
  body: SubmitRequestBody,
  statusTokenFor: (requestId: string) => string,
): Promise<Outcome> {
  const subjectHash = keyedHash(ports.key, 'subject', subjectLookupForm(body.email));
  await ports.budgets.submission(subjectHash);
  const open = await ports.ledger.openRequestFor(subjectHash, body.type);
  if (open) {
    ports.log.info('repeated submission answered with the open request', { requestId: open.requestId });
    return { requestId: open.requestId, status: open.status, existing: true };
  }
  return startNew(ports, body, subjectHash, statusTokenFor);
}

/**
 * Accepts one submission.
 *
 * - With an `idempotencyKey` (16 to 128 printable characters, else refused): a repeat with the same key and body gets the
 *   first answer again (same request id and status token) and starts nothing.
 * - The same subject and type while a request is open (not finished): that
 *   request's id and status and `statusToken: null`. Its token went to whoever
 *   submitted it, and is stored only hashed; issuing a new one would let anyone
 *   who knows an email watch that person's request (including per-store record
 *   counts, which would reveal whether the company holds their data).
 */
export async function submitRequest(
  ports: SubmitPorts,
  body: SubmitRequestBody,
  idempotencyKey?: string,
): Promise<Submitted> {
  const clientKey =
    idempotencyKey === undefined ? undefined : IdempotencyKey.safeParse(idempotencyKey.trim());
  if (clientKey?.success === false) {
    throw new RefusedError(
      'invalid_idempotency_key',
      'the Idempotency-Key header must be 16 to 128 printable characters without spaces, e.g. a UUID',
    );
  }
  let tokenFor: (requestId: string) => string;
  let outcome: Outcome;
  if (!clientKey?.success) {
    const statusToken = randomToken();
    tokenFor = () => statusToken;
    outcome = await accept(ports, body, tokenFor);
  } else {
    const fingerprint = submissionFingerprint(ports.key, clientKey.data, body);
    tokenFor = (requestId) => replayableStatusToken(ports.key, fingerprint, requestId);
    outcome = await ports.once.run(fingerprint, () => accept(ports, body, tokenFor));
  }
  return {
    requestId: outcome.requestId,
    status: outcome.status,
    statusToken: outcome.existing ? null : tokenFor(outcome.requestId),
  };
}
