import { auditTrail, config, hashingKey, ledgerTable, log, mailer } from '../aws/composition-root';
import { sendVerification } from '../core/requests/verification';
import * as z from '../core/zod';

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
});

/** RequestVerification (waitForTaskToken): emails a fresh code and link (core/requests/verification). */
export async function handler(event: unknown): Promise<{ requestId: string }> {
  const input = z.parse(Input, event);
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
