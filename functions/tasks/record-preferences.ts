import { auditTrail, ledgerTable, log } from '../aws/composition-root';
import { marketingSuppression, preferenceList, subjectResolver } from '../aws/request-ports';
import { recordPreferences } from '../core/requests/change';
import * as z from '../core/zod';

const Input = z.object({ requestId: z.string().check(z.minLength(1)) });

/**
 * RecordPreferences: a restriction, its lifting or a withdrawal of consent is
 * on the preference list before any store is touched (core/requests/change).
 */
export async function handler(event: unknown): ReturnType<typeof recordPreferences> {
  const { requestId } = z.parse(Input, event);
  return recordPreferences(
    {
      ledger: ledgerTable(),
      preferences: preferenceList(),
      suppression: marketingSuppression(),
      subjects: subjectResolver(),
      log: log(),
      auditTrail: auditTrail(),
    },
    requestId,
  );
}
