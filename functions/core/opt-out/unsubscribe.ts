/**
 * One-click unsubscribe (RFC 8058): the signed token in a marketing email
 * proves the address, so the opt-out it starts needs no verification. Reading
 * the link changes nothing (link scanners prefetch links); using it records a
 * verified opt-out request once per token and starts its workflow.
 */

import { clockFields } from '../clocks';
import { keyedHash, randomToken } from '../crypto';
import { DuplicateRequestError, type LedgerRecord, StatusConflictError } from '../ledger-record';
import { InvalidTransitionError } from '../lifecycle';
import type { Clock, Log, RequestLedger, UsedUnsubscribeTokens, WorkflowControl } from '../ports';
import { RefusedError } from '../refusal';
import { type Locale, subjectLookupForm } from '../request';
import { newRequestId } from '../request-id';
import * as z from '../zod';
import { readUnsubscribeToken, UnsubscribeTokenError, usedTokenKey } from './unsubscribe-token';

/** A JSON body (else the body is RFC 8058's form). */
export const JSON_TYPE = /^application\/json($|;)/;

const Token = z.string().check(z.minLength(1), z.maxLength(2000));
/** JSON body of `POST /unsubscribe` when the token is not in the query. */
export const UnsubscribeBody = z.strictObject({ token: Token });
/** Form body: RFC 8058's `List-Unsubscribe=One-Click`, optionally the token. */
const UnsubscribeForm = z.strictObject({
  'List-Unsubscribe': z.optional(z.literal('One-Click')),
  token: z.optional(Token),
});

/** What a use of the link did: a new opt-out, or nothing because this token was used before. */
export interface UnsubscribeOutcome {
  readonly status: 'unsubscribed' | 'already_unsubscribed';
  readonly requestId?: string;
}

/** The opt-out is recorded and the link still works, but its workflow did not start: try again shortly. */
export class OptOutNotStartedError extends Error {
  override readonly name = 'OptOutNotStarted';
}

const invalidLink = () =>
  new RefusedError(
    'invalid_token',
    'this unsubscribe link is not valid; use the link from your most recent email',
  );

export interface UnsubscribePorts {
  readonly ledger: Pick<RequestLedger, 'get' | 'create' | 'transition'>;
  readonly usedTokens: UsedUnsubscribeTokens;
  readonly workflow: WorkflowControl;
  readonly hashingKey: () => Promise<Buffer>;
  readonly log: Log;
  readonly clock?: Clock;
}

/** The address a token stands for, or `UnsubscribeRefused` (invalid or expired). */
function emailOf(key: Buffer, token: string, now: Date): string {
  try {
    return readUnsubscribeToken(key, token, now);
  } catch (error) {
    if (!(error instanceof UnsubscribeTokenError)) throw error;
    if (error.reason !== 'expired') throw invalidLink();
    throw new RefusedError(
      'token_expired',
      'this unsubscribe link has expired; use the link in a more recent email, or ask us to stop marketing on the request form',
    );
  }
}

/** The token of a GET, if the link can be used (`UnsubscribeRefused` otherwise); changes nothing. */
export async function checkUnsubscribeLink(
  ports: Pick<UnsubscribePorts, 'hashingKey' | 'clock'>,
  token: string | undefined,
): Promise<string> {
  if (!token || !Token.safeParse(token).success) throw invalidLink();
  emailOf(await ports.hashingKey(), token, ports.clock?.() ?? new Date());
  return token;
}

/** A POST as received: the query's token, the body (base64 when API Gateway says so) and its type. */
export interface UnsubscribePost {
  readonly query: string | undefined;
  readonly body: string | null;
  readonly isBase64Encoded?: boolean;
  readonly contentType: string;
}

/** The token of a POST: from the query (RFC 8058), else from the form or JSON body. */
export function unsubscribeTokenOf(post: UnsubscribePost): string {
  const sent = typeof post.body === 'string' ? post.body : '';
  const body = post.isBase64Encoded ? Buffer.from(sent, 'base64').toString('utf8') : sent;
  let fromBody: string | undefined;
  if (JSON_TYPE.test(post.contentType)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new RefusedError('invalid_json', 'the request body is not valid JSON');
    }
    const result = z.partial(UnsubscribeBody).safeParse(parsed);
    if (!result.success) throw new RefusedError('invalid_request', 'the body may only hold {"token": "…"}');
    fromBody = result.data.token;
  } else if (body.length > 0) {
    // RFC 8058 mail clients send a form; some send it without a content type.
    const form = UnsubscribeForm.safeParse(Object.fromEntries(new URLSearchParams(body)));
    if (!form.success) throw new RefusedError('invalid_request', 'expected List-Unsubscribe=One-Click');
    fromBody = form.data.token;
  }
  const token = post.query ?? fromBody;
  if (!token || !Token.safeParse(token).success) throw invalidLink();
  return token;
}

/** The opt-out's ledger entry, created once; a concurrent first use may have created it already. */
async function ensureLedgerEntry(
  ledger: UnsubscribePorts['ledger'],
  requestId: string,
  email: string,
  key: Buffer,
  now: Date,
  locale: Locale,
): Promise<LedgerRecord | undefined> {
  const existing = await ledger.get(requestId);
  if (existing) return existing;
  try {
    return await ledger.create(
      {
        requestId,
        type: 'opt_out',
        // The token carries no jurisdiction: Indonesia's deadline. The confirmation comes in the page's language.
        jurisdiction: 'ID',
        locale,
        receivedAt: now.toISOString(),
        ...clockFields('ID', 'opt_out', now),
        subjectHash: keyedHash(key, 'subject', subjectLookupForm(email)),
        contact: { email },
        // Nobody is given a status token for a one-click opt-out; the hash of a random one fills the slot.
        statusTokenHash: keyedHash(key, 'status-token', randomToken()),
      },
      now,
    );
  } catch (error) {
    if (error instanceof DuplicateRequestError) return ledger.get(requestId);
    throw error;
  }
}

/**
 * Opts the token's address out (confirmation email in `locale`): the first use records an opt-out request,
 * verified by the token, and starts its workflow with `preVerified`. A later
 * use of the same token starts nothing new; if the first use was cut short
 * (entry written, workflow not started) it finishes that one.
 */
export async function unsubscribe(
  ports: UnsubscribePorts,
  token: string,
  /** The language of the confirmation email: the page's, or Indonesian for a mail client's one-click post. */
  locale: Locale = 'id',
): Promise<UnsubscribeOutcome> {
  const now = ports.clock?.() ?? new Date();
  const key = await ports.hashingKey();
  const email = emailOf(key, token, now);
  const claim = await ports.usedTokens.claim(usedTokenKey(key, token), newRequestId('opt_out', now), now);
  const { requestId } = claim;
  const record = await ensureLedgerEntry(ports.ledger, requestId, email, key, now, locale);
  const answer: UnsubscribeOutcome = claim.first
    ? { status: 'unsubscribed', requestId }
    : { status: 'already_unsubscribed' };
  if (!record || (record.status !== 'pending_verification' && record.status !== 'verified')) {
    ports.log.info('unsubscribe link used again', { requestId });
    return answer;
  }
  if (record.status === 'pending_verification') {
    await ports.ledger
      .transition(requestId, 'verify', { note: 'one-click unsubscribe', now })
      .catch((error: unknown) => {
        // A concurrent use of the same token recorded it first.
        if (!(error instanceof StatusConflictError || error instanceof InvalidTransitionError)) throw error;
      });
  }
  try {
    await ports.workflow.start({ requestId, type: 'opt_out', preVerified: true });
  } catch (error) {
    // Named after the request: it exists, so an earlier use started it.
    if ((error as Error)?.name !== 'ExecutionAlreadyExists') {
      // The entry stays `verified` and the token claimed: the same link, used again, starts it.
      ports.log.error('could not start the opt-out workflow', {
        requestId,
        errorName: (error as Error)?.name,
      });
      throw new OptOutNotStartedError(`the opt-out workflow of ${requestId} did not start`);
    }
  }
  ports.log.info('one-click unsubscribe accepted', { requestId, first: claim.first });
  return answer;
}
