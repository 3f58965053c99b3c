import { auditTrail, config, ledgerTable, log, mailer } from '../aws/composition-root';
import { marketingSuppression } from '../aws/request-ports';
import { type RecordSuppressionResult, recordSuppression } from '../core/requests/opt-out';
import * as z from '../core/zod';

export type { RecordSuppressionResult };

const Input = z.object({ requestId: z.string().check(z.minLength(1)) });

/**
 * RecordSuppression: the subject on the suppression list (and the SES contact
 * list where configured), and a confirmation mailed once (core/requests/opt-out).
 */
export async function handler(event: unknown): Promise<RecordSuppressionResult> {
  const { requestId } = z.parse(Input, event);
  const ports = {
    ledger: ledgerTable(),
    suppression: marketingSuppression(),
    mailer: mailer(),
    log: log(),
    auditTrail: auditTrail(),
  };
  return recordSuppression(ports, config().dataMap, requestId);
}
