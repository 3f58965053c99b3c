import * as z from 'zod';
import { auditTrail, config, hashingKey, ledgerTable, log, mailer } from '../aws/composition-root';
import { sendExportLink } from '../core/export/export-link';

const Input = z.object({ requestId: z.string().min(1), key: z.string().min(1) });

/**
 * SendExportLink: mints an expiring download token, stores its hash, emails a
 * link to the API (never a pre-signed URL). A subject we hold nothing about is
 * told so plainly, through the same steps and the same kind of email.
 */
export async function handler(event: unknown): Promise<{ requestId: string }> {
  const input = Input.parse(event);
  const cfg = config();
  const settings = { publicUrl: cfg.publicUrl, linkTtlSeconds: cfg.exportLinkTtlSeconds };
  return sendExportLink(
    { ledger: ledgerTable(), hashingKey, mailer: mailer(), log: log(), settings, auditTrail: auditTrail() },
    input,
  );
}
