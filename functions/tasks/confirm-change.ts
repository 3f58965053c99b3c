import { auditTrail, config, ledgerTable, log, mailer } from '../aws/composition-root';
import { confirmChange } from '../core/requests/change';
import * as z from '../core/zod';

const Input = z.object({ requestId: z.string().check(z.minLength(1)) });

/** ConfirmChange: emails once what was changed, what was kept and why (core/requests/change). */
export async function handler(event: unknown): ReturnType<typeof confirmChange> {
  const { requestId } = z.parse(Input, event);
  const ports = { ledger: ledgerTable(), mailer: mailer(), log: log(), auditTrail: auditTrail() };
  return confirmChange(ports, config().dataMap, requestId);
}
