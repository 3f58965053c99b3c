/** Sending the verification code and link that let a subject prove the address of a pending request. */
import { auditCodeSent } from '../audit/events';
import { keyedHash, randomCode, randomToken } from '../crypto';
import { verificationLink, verificationMail } from '../emails';
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
 * Mints a code and link token, stores their hashes with the workflow's task
 * token (a retry replaces both but keeps the counts, so it never grants extra
 * guesses or resends), and emails them to the subject.
 */
export async function sendVerification(
  ports: VerificationPorts,
  settings: VerificationSettings,
  input: { readonly requestId: string; readonly taskToken: string },
): Promise<{ requestId: string }> {
  const { requestId, taskToken } = input;
  const record = await ports.ledger.require(requestId);
  const code = randomCode();
  const linkToken = randomToken();
  const now = ports.clock?.() ?? new Date();
  await ports.ledger.setVerification(requestId, {
    codeHash: keyedHash(ports.key, 'verification-code', code),
    linkTokenHash: keyedHash(ports.key, 'verification-link', linkToken),
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
  });
  await ports.mailer.send({ to: contactOf(record).email, ...mail });
  ports.log.info('verification sent', { requestId });
  await auditCodeSent(ports.auditTrail, requestId, taskToken, 'verification', now);
  return { requestId };
}
