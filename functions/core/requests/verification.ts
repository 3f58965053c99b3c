/** Sending the verification code and link that let a subject prove the address of a pending request. */
import { auditCodeSent } from '../audit/events';
import { derivedNewAddressCode, derivedVerificationSecrets, keyedHash, statusLinkToken } from '../crypto';
import { newAddressMail, statusLink, verificationLink, verificationMail } from '../emails';
import { contactOf } from '../ledger-record';
import type { AuditTrail, Clock, Log, Mailer, RequestLedger, VerificationLedger } from '../ports';

export interface VerificationPorts {
  readonly ledger: Pick<RequestLedger, 'require'> & VerificationLedger;
  readonly mailer: Mailer;
  readonly key: Buffer;
  readonly log: Log;
  readonly clock?: Clock;
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
}

export interface VerificationSettings {
  /** Base URL of the API, for the emailed link. */
  readonly publicUrl: string;
  /** How long the code and link work. */
  readonly ttlSeconds: number;
}

/**
 * Stores the hashes of the request's code and link token with the workflow's
 * task token and emails them. A retry (SES's answer lost) derives the same code
 * and link, so the first email keeps working, and keeps the counts, so it never
 * grants extra guesses or resends. Once the person asked for a new code, a
 * retry only takes the new task token: the resent code stays the one that works.
 */
export async function sendVerification(
  ports: VerificationPorts,
  settings: VerificationSettings,
  input: { readonly requestId: string; readonly taskToken: string },
): Promise<{ requestId: string }> {
  const { requestId, taskToken } = input;
  const record = await ports.ledger.require(requestId);
  const now = ports.clock?.() ?? new Date();
  const resent =
    record.verification && (record.verification.resends ?? 0) > 0 ? record.verification : undefined;
  if (resent) {
    await ports.ledger.setVerification(requestId, { ...resent, taskToken });
    ports.log.info('verification already resent; task token taken', { requestId });
    return { requestId };
  }
  const { code, linkToken } = derivedVerificationSecrets(ports.key, requestId);
  const newAddress = contactOf(record).corrections?.email;
  const newAddressCode = newAddress ? derivedNewAddressCode(ports.key, requestId) : undefined;
  await ports.ledger.setVerification(requestId, {
    codeHash: keyedHash(ports.key, 'verification-code', code),
    linkTokenHash: keyedHash(ports.key, 'verification-link', linkToken),
    ...(newAddressCode
      ? { newAddressCodeHash: keyedHash(ports.key, 'verification-code', newAddressCode) }
      : {}),
    attempts: record.verification?.attempts ?? 0,
    ...(record.verification?.resends !== undefined ? { resends: record.verification.resends } : {}),
    taskToken,
    sentAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + settings.ttlSeconds * 1000).toISOString(),
  });
  const link = verificationLink(settings.publicUrl, requestId, linkToken);
  const mail = verificationMail(record.locale, {
    requestId,
    code,
    link,
    minutes: Math.round(settings.ttlSeconds / 60),
    statusLink: statusLink(settings.publicUrl, requestId, statusLinkToken(ports.key, requestId)),
  });
  await ports.mailer.send({
    to: contactOf(record).email,
    ...mail,
    tags: { requestId, purpose: 'verification' },
  });
  if (newAddress && newAddressCode) {
    await ports.mailer.send({
      to: newAddress,
      ...newAddressMail(record.locale, { requestId, code: newAddressCode }),
      // A new address that bounces can never confirm: the request ends like any undeliverable code.
      tags: { requestId, purpose: 'verification' },
    });
  }
  ports.log.info('verification sent', { requestId, newAddress: newAddress !== undefined });
  await auditCodeSent(ports.auditTrail, requestId, taskToken, 'verification', now);
  return { requestId };
}
