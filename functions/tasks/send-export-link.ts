import { z } from 'zod';
import { sesClient } from '../aws/clients';
import { config, hashingKey, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { sendMail } from '../aws/mailer';
import { keyedHash, randomToken } from '../core/crypto';
import { exportReadyMail } from '../core/emails';
import { contactOf } from '../core/ledger-record';

const Input = z.object({ requestId: z.string().min(1), key: z.string().min(1) });

/** Records found across the plan's stores, from the ledger's per-store progress; undefined if any count is missing. */
function recordsFound(stores: Record<string, { readonly records?: number }> | undefined): number | undefined {
  const counts = Object.values(stores ?? {}).map((s) => s.records);
  if (counts.length === 0 || counts.some((n) => typeof n !== 'number')) return undefined;
  return (counts as number[]).reduce((sum, n) => sum + n, 0);
}

/**
 * SendExportLink: mints an expiring download token, stores its hash, emails a
 * link to the API (never a pre-signed URL). A subject we hold nothing about is
 * told so plainly, through the same steps and the same kind of email.
 */
export async function handler(event: unknown): Promise<{ requestId: string }> {
  const { requestId, key } = Input.parse(event);
  const cfg = config();
  const ledger = ledgerTable();
  const record = await ledger.require(requestId);
  const token = randomToken();
  const now = new Date();
  await ledger.setExportInfo(requestId, {
    key,
    tokenHash: keyedHash(await hashingKey(), 'export-token', token),
    expiresAt: new Date(now.getTime() + cfg.DSR_EXPORT_LINK_TTL_SECONDS * 1000).toISOString(),
    downloads: 0,
  });
  const link = `${cfg.DSR_PUBLIC_URL}/requests/${encodeURIComponent(requestId)}/export?token=${encodeURIComponent(token)}`;
  const mail = exportReadyMail(record.locale, {
    requestId,
    link,
    days: Math.max(1, Math.round(cfg.DSR_EXPORT_LINK_TTL_SECONDS / 86400)),
    records: recordsFound(record.stores),
  });
  await sendMail(sesClient(), cfg.DSR_MAIL_FROM, { to: contactOf(record).email, ...mail });
  logger.info('export link sent', { requestId });
  return { requestId };
}
