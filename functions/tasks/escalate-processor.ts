import * as root from '../aws/composition-root';
import { type EscalateResult, escalateProcessor } from '../core/processors/escalation';
import * as z from '../core/zod';

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  storeId: z.string().check(z.minLength(1)),
  // The ASL passes the caught error as { Error, Cause }.
  error: z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }),
});

/** EscalateProcessor: the processor branch's Catch; see `escalateProcessor`. */
export async function handler(event: unknown): Promise<EscalateResult> {
  const input = z.parse(Input, event);
  const cfg = root.config();
  const support = cfg.supportEmail;
  return escalateProcessor(
    {
      dataMap: cfg.dataMap,
      ledger: root.ledgerTable(),
      ...(support ? { support: { mailer: root.mailer(), to: support } } : {}),
      log: root.log(),
      clock: () => new Date(),
      auditTrail: root.auditTrail(),
    },
    input,
  );
}
