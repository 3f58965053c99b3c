import { z } from 'zod';
import { ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { MINIMISED_STATUSES, StatusConflictError } from '../core/ledger-record';
import { type LifecycleEvent, type RequestStatus, TERMINAL_STATUSES } from '../core/lifecycle';

const Outcome = z.enum(['completed', 'failed', 'expired', 'rejected', 'cancelled']);

const Input = z.object({
  requestId: z.string().min(1),
  outcome: Outcome,
  // The ASL passes the caught error as { Error, Cause }.
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough().optional(),
});

const EVENT: Record<z.infer<typeof Outcome>, LifecycleEvent> = {
  completed: 'complete',
  failed: 'fail',
  expired: 'expire',
  rejected: 'reject',
  cancelled: 'cancel',
};

export const MAX_CAUSE_CHARS = 500;

/**
 * Drops contact data from a finished request. Not on `failed`: support must
 * still be able to reach the person about a request that did not finish.
 */
async function minimiseIfFinished(requestId: string, status: RequestStatus): Promise<void> {
  if (!MINIMISED_STATUSES.includes(status)) return;
  await ledgerTable().minimise(requestId);
  logger.info('ledger entry minimised', { requestId, status });
}

/**
 * RecordOutcome: the final status in the ledger, then minimisation of a
 * finished request; idempotent (a retry minimises again), and a missing
 * request is logged, not retried.
 */
export async function handler(event: unknown): Promise<{ requestId: string; status: string }> {
  const { requestId, outcome, error } = Input.parse(event);
  const ledger = ledgerTable();
  const record = await ledger.get(requestId);
  if (!record) {
    logger.error('outcome for a request missing from the ledger', { requestId, outcome });
    return { requestId, status: 'missing' };
  }
  if (record.status === outcome) {
    await minimiseIfFinished(requestId, outcome);
    return { requestId, status: outcome };
  }
  if (TERMINAL_STATUSES.has(record.status)) {
    // A finished request keeps its outcome; retrying cannot change that, so do not fail the workflow over it.
    logger.warn('outcome ignored for a finished request', { requestId, outcome, status: record.status });
    return { requestId, status: record.status };
  }
  const failure =
    outcome === 'failed'
      ? {
          error: (error?.Error ?? 'Unknown').slice(0, 200),
          cause: (error?.Cause ?? '').slice(0, MAX_CAUSE_CHARS),
        }
      : undefined;
  try {
    await ledger.transition(requestId, EVENT[outcome], failure ? { failure, note: failure.error } : {});
  } catch (caught) {
    // A concurrent writer reaching the same outcome is success.
    if (!(caught instanceof StatusConflictError && caught.current === outcome)) throw caught;
  }
  await minimiseIfFinished(requestId, outcome);
  logger.info('outcome recorded', { requestId, outcome });
  return { requestId, status: outcome };
}
