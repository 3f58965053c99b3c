import * as z from 'zod';
import { auditTrail, config, hashingKey, ledgerTable, log, mailer } from '../aws/composition-root';
import { sendVerification } from '../core/requests/verification';

const Input = z.object({ requestId: z.string().min(1), taskToken: z.string().min(1) });

/** RequestVerification (waitForTaskToken): emails a fresh code and link (core/requests/verification). */
export async function handler(event: unknown): Promise<{ requestId: string }> {
  const input = Input.parse(event);
  const cfg = config();
  const ports = {
    ledger: ledgerTable(),
    mailer: mailer(),
    key: await hashingKey(),
    log: log(),
    auditTrail: auditTrail(),
  };
  const settings = { publicUrl: cfg.publicUrl, ttlSeconds: cfg.verificationTtlSeconds };
  return sendVerification(ports, settings, input);
}
