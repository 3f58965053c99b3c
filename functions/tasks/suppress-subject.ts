import { auditTrail, ledgerTable, log } from '../aws/composition-root';
import { marketingSuppression, subjectResolver } from '../aws/request-ports';
import { suppressAtOnce } from '../core/requests/opt-out';
import * as z from '../core/zod';

const Input = z.object({ requestId: z.string().check(z.minLength(1)) });

/**
 * SuppressSubject: an opt-out is on the suppression list (and off the SES
 * contact list) before any store or processor is touched, and stays there.
 */
export async function handler(event: unknown): ReturnType<typeof suppressAtOnce> {
  const { requestId } = z.parse(Input, event);
  return suppressAtOnce(
    {
      ledger: ledgerTable(),
      suppression: marketingSuppression(),
      subjects: subjectResolver(),
      log: log(),
      auditTrail: auditTrail(),
    },
    requestId,
  );
}
