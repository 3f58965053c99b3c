import * as z from 'zod';
import * as root from '../aws/composition-root';
import { type EscalateResult, escalateProcessor } from '../core/processors/escalation';

const Input = z.object({
  requestId: z.string().min(1),
  storeId: z.string().min(1),
  // The ASL passes the caught error as { Error, Cause }.
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough(),
});

/** EscalateProcessor: the processor branch's Catch; see `escalateProcessor`. */
export async function handler(event: unknown): Promise<EscalateResult> {
  const input = Input.parse(event);
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
