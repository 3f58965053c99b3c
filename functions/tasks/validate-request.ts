import { z } from 'zod';
import { logger } from '../aws/logger';
import { ledgerTable } from '../aws/runtime';
import { RequestNotFoundError } from '../core/ledger-record';
import { RequestType } from '../core/request';

const Input = z.object({ requestId: z.string().min(1), type: RequestType });

/** ValidateRequest: the execution's request must exist in the ledger with the same type. */
export async function handler(event: unknown): Promise<{ requestId: string; type: RequestType }> {
  const input = Input.parse(event);
  const record = await ledgerTable().get(input.requestId);
  if (!record || record.type !== input.type) {
    logger.error('execution input does not match the ledger', { requestId: input.requestId });
    throw new RequestNotFoundError(input.requestId);
  }
  return { requestId: input.requestId, type: input.type };
}
