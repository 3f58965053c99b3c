import { z } from 'zod';
import { dynamoDbClient, s3Client } from '../aws/clients';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { config, ledgerTable } from '../aws/runtime';
import { resolveSubject } from '../connectors/resolve-subject';
import { contactOf, StatusConflictError } from '../core/ledger-record';

const Input = z.object({ requestId: z.string().min(1) });

/** PlanStores: moves the request to in_progress, resolves the subject's identities and plans every store. */
export async function handler(event: unknown): Promise<{ stores: { storeId: string }[] }> {
  const { requestId } = Input.parse(event);
  const ledger = ledgerTable();
  const record = await ledger.require(requestId);
  if (record.status === 'pending_verification') {
    // The workflow only resumes when the verify endpoint completed the task token; its own ledger
    // write (made after resuming) may not have landed yet, or may have been lost.
    await ledger
      .transition(requestId, 'verify', { note: 'recorded by the workflow' })
      .catch((error: unknown) => {
        if (!(error instanceof StatusConflictError)) throw error;
      });
  }
  if (record.status !== 'in_progress') {
    // A retry after a successful transition finds in_progress already: carry on.
    await ledger.transition(requestId, 'start').catch((error: unknown) => {
      if (!(error instanceof StatusConflictError && error.current === 'in_progress')) throw error;
    });
  }
  const { dataMap } = config();
  const subject = await withTransient(() =>
    resolveSubject(dataMap, { dynamodb: dynamoDbClient(), s3: s3Client() }, contactOf(record).email),
  );
  const storeIds = dataMap.stores.map((s) => s.id);
  await ledger.setPlan(requestId, subject.identities, storeIds);
  logger.info('stores planned', { requestId, stores: storeIds.length });
  return { stores: storeIds.map((storeId) => ({ storeId })) };
}
