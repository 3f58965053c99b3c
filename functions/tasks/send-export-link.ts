import { auditTrail, config, hashingKey, ledgerTable, log, mailer } from '../aws/composition-root';
import { sendExportLink } from '../core/export/export-link';
import * as z from '../core/zod';

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  key: z.string().check(z.minLength(1)),
});

/**
 * SendExportLink: mints an expiring download token, stores its hash, emails a
 * link to the API (never a pre-signed URL). A subject we hold nothing about is
 * told so plainly, through the same steps and the same kind of email.
 */
export async function handler(event: unknown): Promise<{ requestId: string }> {
  const input = z.parse(Input, event);
  const cfg = config();
  const settings = { publicUrl: cfg.publicUrl, linkTtlSeconds: cfg.exportLinkTtlSeconds };
  return sendExportLink(
    { ledger: ledgerTable(), hashingKey, mailer: mailer(), log: log(), settings, auditTrail: auditTrail() },
    input,
  );
}
