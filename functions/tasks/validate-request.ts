import { auditTrail, config, ledgerTable, log } from '../aws/composition-root';
import { RequestType } from '../core/request';
import { type ValidatedRequest, type ValidRequest, validateRequest } from '../core/requests/validate';
import * as z from '../core/zod';

export type { ValidatedRequest };

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  type: RequestType,
  /** Set only by the one-click unsubscribe endpoint: the signed token proved the address. */
  preVerified: z.optional(z.literal(true)),
});

/** ValidateRequest: the execution's input matches the ledger (core/requests/validate). */
export async function handler(event: unknown): Promise<ValidRequest> {
  const { deadlineMarginSeconds } = config();
  return validateRequest(
    { ledger: ledgerTable(), log: log(), auditTrail: auditTrail(), deadlineMarginSeconds },
    z.parse(Input, event),
  );
}
