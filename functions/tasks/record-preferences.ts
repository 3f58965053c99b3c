import * as z from 'zod';
import { auditTrail, ledgerTable, log } from '../aws/composition-root';
import { marketingSuppression, preferenceList, subjectResolver } from '../aws/request-ports';
import { recordPreferences } from '../core/requests/change';

const Input = z.object({ requestId: z.string().min(1) });

/**
 * RecordPreferences: a restriction, its lifting or a withdrawal of consent is
 * on the preference list before any store is touched (core/requests/change).
 */
export async function handler(event: unknown): ReturnType<typeof recordPreferences> {
  const { requestId } = Input.parse(event);
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
