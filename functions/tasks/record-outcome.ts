import { auditTrail, config, ledgerTable, log, mailer } from '../aws/composition-root';
import { recordOutcome } from '../core/requests/outcome';
import * as z from '../core/zod';

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  outcome: z.enum(['completed', 'failed', 'expired', 'rejected', 'cancelled']),
  // The ASL passes the caught error as { Error, Cause }.
  error: z.optional(z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

/** RecordOutcome: the final status in the ledger, then minimisation (core/requests/outcome). */
export async function handler(event: unknown): Promise<{ requestId: string; status: string }> {
  const mail = { mailer: mailer(), publicUrl: config().publicUrl };
  return recordOutcome(
    { ledger: ledgerTable(), log: log(), auditTrail: auditTrail(), mail },
    z.parse(Input, event),
  );
}
