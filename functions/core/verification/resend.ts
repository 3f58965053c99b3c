/**
 * A new verification code on request (`POST /requests/{requestId}/resend`):
 * while the request awaits verification, emails a NEW code and link (the old
 * ones stop working) to the address on the request, at most `maxResends`
 * times per request. The wrong-code count carries over.
 */
import { auditCodeSent } from '../audit/events';
import { derivedNewAddressCode, keyedHash, randomCode, randomToken, statusLinkToken } from '../crypto';
import { newAddressMail, statusLink, verificationLink, verificationMail } from '../emails';
import { contactOf } from '../ledger-record';
import type { AuditTrail, Clock, Log, Mailer, RequestLedger, VerificationResends } from '../ports';
import { RefusedError } from '../refusal';

export interface ResendSettings {
  /** setting `maxResends`. */
  readonly maxResends: number;
  /** setting `verificationTtlSeconds`: how long the new code and link work. */
  readonly verificationTtlSeconds: number;
  /** setting `publicUrl`: where the emailed link points. */
  readonly publicUrl: string;
}

export interface ResendPorts {
  readonly ledger: Pick<RequestLedger, 'get'>;
  readonly resends: VerificationResends;
  readonly mailer: Mailer;
  readonly hashingKey: () => Promise<Buffer>;
  readonly log: Log;
  readonly settings: ResendSettings;
  readonly clock?: Clock;
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
}

/** What the person is told after a resend (the 202 body). */
export interface ResendAnswer {
  readonly requestId: string;
  readonly status: 'pending_verification';
  readonly resendsLeft: number;
  readonly message: string;
}

/** The answer to an unknown request id, and to a malformed one alike. */
export const noSuchRequest = (): RefusedError => new RefusedError('not_found', 'there is no such request');

/** The refusal for a request that is no longer waiting for its code (or whose email is not out yet). */
async function refusal(ports: ResendPorts, requestId: string): Promise<RefusedError> {
  const max = ports.settings.maxResends;
  const record = await ports.ledger.get(requestId);
  if (!record) return noSuchRequest();
  if (record.status !== 'pending_verification') {
    const status = record.status.replace('_', ' ');
    return new RefusedError('not_pending', `this request is ${status}, so no new code can be sent`);
  }
  if (!record.verification) {
    return new RefusedError(
      'not_ready',
      'the first verification email has not been sent yet; please try again in a minute',
    );
  }
  if ((record.verification.resends ?? 0) >= max) {
    return new RefusedError(
      'resend_limit',
      `this request already had ${max} new code(s), the most we send; please submit a new request`,
      { resendsLeft: 0 },
    );
  }
  // The task token changed under us (the workflow re-sent the first email): the client may simply retry.
  return new RefusedError('changed', 'a new code was just sent; please check your email or try again');
}

/**
 * Sends a new code and link for `requestId` (already a well-formed id), or
 * throws `RefusedError` saying why not. Concurrent resends never exceed
 * the limit: the ledger counts them in one conditional write.
 */
export async function resendVerification(ports: ResendPorts, requestId: string): Promise<ResendAnswer> {
  const { maxResends: max, verificationTtlSeconds: ttl, publicUrl } = ports.settings;
  const record = await ports.ledger.get(requestId);
  if (!record) throw noSuchRequest();
  const verification = record.verification;
  if (record.status !== 'pending_verification' || !verification) throw await refusal(ports, requestId);

  const key = await ports.hashingKey();
  const code = randomCode();
  const linkToken = randomToken();
  const now = ports.clock?.() ?? new Date();
  const resends = await ports.resends.resendVerification(requestId, {
    taskToken: verification.taskToken,
    max,
    next: {
      codeHash: keyedHash(key, 'verification-code', code),
      linkTokenHash: keyedHash(key, 'verification-link', linkToken),
      sentAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
    },
  });
  if (resends === undefined) throw await refusal(ports, requestId);

  const mail = verificationMail(record.locale, {
    requestId,
    code,
    link: verificationLink(publicUrl, requestId, linkToken),
    minutes: Math.round(ttl / 60),
    statusLink: statusLink(publicUrl, requestId, statusLinkToken(key, requestId)),
  });
  // If this send fails the new code is stored but unknown to anyone; the client's retry sends another (counted).
  await ports.mailer.send({
    to: contactOf(record).email,
    ...mail,
    tags: { requestId, purpose: 'verification' },
  });
  // The new address's code does not change: mailed again so a lost first email is no dead end.
  const newAddress = contactOf(record).corrections?.email;
  if (newAddress) {
    const newCode = derivedNewAddressCode(key, requestId);
    await ports.mailer.send({
      to: newAddress,
      ...newAddressMail(record.locale, { requestId, code: newCode }),
      // A new address that bounces can never confirm: the request ends like any undeliverable code.
      tags: { requestId, purpose: 'verification' },
    });
  }
  ports.log.info('verification re-sent', { requestId, resends });
  await auditCodeSent(ports.auditTrail, requestId, `resend:${resends}`, 'verification-resent', now);
  return {
    requestId,
    status: 'pending_verification',
    resendsLeft: Math.max(0, max - resends),
    message: 'a new code and link are on their way; earlier ones no longer work',
  };
}
