import { z } from 'zod';
import { sesClient } from '../aws/clients';
import { config, hashingKey, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { sendMail } from '../aws/mailer';
import { type HashPurpose, keyedHash, randomToken } from '../core/crypto';
import { erasureScheduledMail } from '../core/emails';
import { contactOf, StatusConflictError } from '../core/ledger-record';

const Input = z.object({ requestId: z.string().min(1) });

// The cancel link's token purpose; the cast goes once `HashPurpose` lists 'cancel-token'.
const CANCEL_TOKEN_PURPOSE = 'cancel-token' satisfies HashPurpose;

/**
 * ScheduleErasure: starts a verified delete's grace period (`scheduled`, with
 * the hash of a fresh cancel token) and emails the cancel link and when erasure
 * starts. Returns the seconds left to wait, which the ASL's Wait state reads.
 * A retry on a scheduled request mints a new token and emails again (only the
 * newest link works), keeping the original end of the grace period.
 */
export async function handler(event: unknown): Promise<{ requestId: string; graceSeconds: number }> {
  const { requestId } = Input.parse(event);
  const cfg = config();
  const ledger = ledgerTable();
  const record = await ledger.require(requestId);
  if (record.status === 'pending_verification') {
    // As in PlanStores: the workflow resumed, so the verify endpoint's own ledger write may have been lost.
    await ledger
      .transition(requestId, 'verify', { note: 'recorded by the workflow' })
      .catch((error: unknown) => {
        if (!(error instanceof StatusConflictError)) throw error;
      });
  }
  const token = randomToken();
  const now = new Date();
  const schedule = await ledger.schedule(
    requestId,
    {
      graceEndsAt: new Date(now.getTime() + cfg.DSR_DELETE_GRACE_SECONDS * 1000).toISOString(),
      cancelTokenHash: keyedHash(await hashingKey(), CANCEL_TOKEN_PURPOSE, token),
    },
    now,
  );
  const startsAt = new Date(schedule.graceEndsAt);
  const graceSeconds = Math.max(0, Math.ceil((startsAt.getTime() - now.getTime()) / 1000));
  const link = `${cfg.DSR_PUBLIC_URL}/requests/${encodeURIComponent(requestId)}/cancel?token=${encodeURIComponent(token)}`;
  const mail = erasureScheduledMail(record.locale, {
    requestId,
    link,
    startsAt,
    graceSeconds,
  });
  await sendMail(sesClient(), cfg.DSR_MAIL_FROM, { to: contactOf(record).email, ...mail });
  logger.info('erasure scheduled', { requestId, graceSeconds });
  return { requestId, graceSeconds };
}
