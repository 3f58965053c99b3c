import * as z from 'zod';
import { auditTrail, config, ledgerTable, log, mailer } from '../aws/composition-root';
import { recordOutcome } from '../core/requests/outcome';

const Input = z.object({
  requestId: z.string().min(1),
  outcome: z.enum(['completed', 'failed', 'expired', 'rejected', 'cancelled']),
  // The ASL passes the caught error as { Error, Cause }.
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough().optional(),
});

/** RecordOutcome: the final status in the ledger, then minimisation (core/requests/outcome). */
export async function handler(event: unknown): Promise<{ requestId: string; status: string }> {
  const mail = { mailer: mailer(), publicUrl: config().publicUrl };
  return recordOutcome(
    { ledger: ledgerTable(), log: log(), auditTrail: auditTrail(), mail },
    Input.parse(event),
  );
}
