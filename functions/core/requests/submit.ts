/**
 * Request intake: a subject asks for access, deletion or an opt-out. The
 * answer never depends on whether the email is known to the company's stores
 * (nothing here looks there), nor on whether the person already has a request
 * open: knowing an address gives nothing to act on (issue 18, finding 1).
 */

import { type ClockCalendar, clockFields } from '../clocks';
import { keyedHash, randomToken } from '../crypto';
import type { RequestStatus } from '../lifecycle';
import type { Clock, Log, RequestLedger, SubjectBudgets, SubmissionOnce, WorkflowControl } from '../ports';
import { RefusedError } from '../refusal';
import { subjectLookupForm } from '../request';
import type { SubmitRequestBody } from '../request-bodies';
import { newRequestId } from '../request-id';
import { type ResendPorts, resendVerification } from '../verification/resend';
import * as z from '../zod';
import { decoyStatusToken, submissionFingerprint } from './idempotency';

/** `Idempotency-Key`: opaque, unguessable (16+ characters, e.g. a UUID), printable ASCII without spaces. */
const IdempotencyKey = z.string().check(z.regex(/^[\x21-\x7e]{16,128}$/));

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
  /** Re-sends the open request's code and link to the person when they submit again. */
  readonly resend: ResendPorts;
  /** Holidays the business-day clocks skip (US-CA). */
  readonly calendar?: ClockCalendar;
}

/** The answer: `statusToken` is null only for an `Idempotency-Key` replay (it never goes back out). */
export interface Submitted {
  readonly requestId: string;
  readonly status: RequestStatus;
  readonly statusToken: string | null;
}

/** What a submission decided, as remembered for a replay: ids and a status only, never a token or contact data. */
interface Outcome extends Record<string, unknown> {
  readonly requestId: string;
  readonly status: RequestStatus;
  /** True when the subject already had an open request of this type: `requestId` is then an unused id. */
  readonly existing: boolean;
}

/** Records the request in the ledger first, then starts its workflow. */
async function startNew(
  ports: SubmitPorts,
  body: SubmitRequestBody,
  subjectHash: string,
  statusToken: string,
): Promise<Outcome> {
  const { ledger, log } = ports;
  const now = ports.clock?.() ?? new Date();
  const requestId = newRequestId(body.type, now);
  await ledger.create(
    {
      requestId,
      type: body.type,
      jurisdiction: body.jurisdiction,
      // Callers without an HTTP request to read a language from get the page rule's last word.
      locale: body.locale ?? 'id',
      receivedAt: now.toISOString(),
      ...clockFields(body.jurisdiction, body.type, now, ports.calendar),
      subjectHash,
      contact: {
        email: body.email,
        ...(body.fullName ? { fullName: body.fullName } : {}),
        ...(body.phone ? { phone: body.phone } : {}),
        ...(body.corrections ? { corrections: body.corrections } : {}),
      },
      ...(body.purposes ? { purposes: body.purposes } : {}),
      ...(body.corrections
        ? {
            correctionHashes: Object.fromEntries(
              Object.entries(body.corrections).map(([attribute, value]) => [
                attribute,
                keyedHash(ports.key, 'identifier', String(value)),
              ]),
            ),
          }
        : {}),
      statusTokenHash: keyedHash(ports.key, 'status-token', statusToken),
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

/**
 * The person submitted again while a request of this type is open: its code
 * and link go to the address on it again (the resend limit bounds how often).
 * Nothing of it goes back to the caller, who may only know the address.
 */
async function remind(ports: SubmitPorts, open: { requestId: string; status: RequestStatus }) {
  if (open.status !== 'pending_verification') {
    ports.log.info('repeated submission for a request already verified', { requestId: open.requestId });
    return;
  }
  try {
    await resendVerification(ports.resend, open.requestId);
  } catch (error) {
    // Over the resend limit, or the first email not out yet: the earlier email's link still works.
    ports.log.info('repeated submission: no new link sent', {
      requestId: open.requestId,
      reason: error instanceof RefusedError ? error.reason : (error as Error).name,
    });
  }
}

/** The subject's open request of this type if there is one (answered like a new one), else the budget and a new request. */
async function accept(ports: SubmitPorts, body: SubmitRequestBody, statusToken: string): Promise<Outcome> {
  const subjectHash = keyedHash(ports.key, 'subject', subjectLookupForm(body.email));
  const open = await ports.ledger.openRequestFor(subjectHash, body.type);
  if (open) {
    await remind(ports, open);
    const now = ports.clock?.() ?? new Date();
    return { requestId: newRequestId(body.type, now), status: 'pending_verification', existing: true };
  }
  await ports.budgets.submission(subjectHash, body.type);
  return startNew(ports, body, subjectHash, statusToken);
}

/**
 * Accepts one submission.
 *
 * - With an `idempotencyKey` (16 to 128 printable characters, else refused): a
 *   repeat with the same key and body gets the first answer again with
 *   `statusToken: null` and starts nothing. The token went to the first caller
 *   only: whoever else holds the key and body cannot watch the request (finding 2).
 * - The same subject and type while a request is open (not finished): an answer
 *   of the same shape as a first submission (an unused id and a token that
 *   opens nothing), and the open request's code and link emailed to the person
 *   again. Its id and token never go to a caller who may only know the address.
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
  const statusToken = randomToken();
  let ran = false;
  const run = () => {
    ran = true;
    return accept(ports, body, statusToken);
  };
  const outcome = clientKey?.success
    ? await ports.once.run(submissionFingerprint(ports.key, clientKey.data, body), run)
    : await run();
  const token = outcome.existing ? decoyStatusToken(ports.key, outcome.requestId) : statusToken;
  return { requestId: outcome.requestId, status: outcome.status, statusToken: ran ? token : null };
}
