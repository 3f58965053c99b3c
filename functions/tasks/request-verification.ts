import { z } from 'zod';
import { sesClient } from '../aws/clients';
import { config, hashingKey, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { sendMail } from '../aws/mailer';
import { keyedHash, randomCode, randomToken } from '../core/crypto';
import { verificationLink, verificationMail } from '../core/emails';
import { contactOf } from '../core/ledger-record';

const Input = z.object({ requestId: z.string().min(1), taskToken: z.string().min(1) });

/**
 * RequestVerification (waitForTaskToken): mints a code and link token, stores
 * their hashes with the task token (a retry replaces both), and emails them.
 */
export async function handler(event: unknown): Promise<{ requestId: string }> {
  const { requestId, taskToken } = Input.parse(event);
  const cfg = config();
  const ledger = ledgerTable();
  const record = await ledger.require(requestId);
  const key = await hashingKey();
  const code = randomCode();
  const linkToken = randomToken();
  const now = new Date();
  await ledger.setVerification(requestId, {
    codeHash: keyedHash(key, 'verification-code', code),
    linkTokenHash: keyedHash(key, 'verification-link', linkToken),
    // A retried task keeps the counts, so a retry never grants extra guesses or resends.
    attempts: record.verification?.attempts ?? 0,
    ...(record.verification?.resends !== undefined ? { resends: record.verification.resends } : {}),
    taskToken,
    sentAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + cfg.DSR_VERIFICATION_TTL_SECONDS * 1000).toISOString(),
  });
  const link = verificationLink(cfg.DSR_PUBLIC_URL, requestId, linkToken);
  const mail = verificationMail(record.locale, {
    requestId,
    code,
    link,
    minutes: Math.round(cfg.DSR_VERIFICATION_TTL_SECONDS / 60),
  });
  await sendMail(sesClient(), cfg.DSR_MAIL_FROM, { to: contactOf(record).email, ...mail });
  logger.info('verification sent', { requestId });
  return { requestId };
}
