import { z } from 'zod';
import { secretsClient, sfnClient } from '../aws/clients';
import { config, exportObjects, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { completeTask, failTask } from '../aws/workflow';
import { type NotifyDeps, type NotifyResult, notifyProcessor } from '../processors/notify';
import { loadProcessorSecret } from '../processors/secrets';

const Input = z.object({
  requestId: z.string().min(1),
  storeId: z.string().min(1),
  taskToken: z.string().min(1),
});

/**
 * NotifyProcessor (the processor branch of each Map, `waitForTaskToken`): sends
 * one processor the signed request, records every attempt, and resumes the
 * workflow when the processor acknowledges in its answer; otherwise the workflow
 * waits for the processor's callback or its deadline.
 */
export async function handler(event: unknown): Promise<NotifyResult> {
  const { requestId, storeId, taskToken } = Input.parse(event);
  const cfg = config();
  const sfn = sfnClient();
  const deps: NotifyDeps = {
    dataMap: cfg.dataMap,
    ledger: ledgerTable(),
    exports: exportObjects(),
    secretOf: (store) => loadProcessorSecret(store, { dir: cfg.DSR_PROCESSOR_SECRETS_DIR }, secretsClient),
    completeTask: (token, output) => completeTask(sfn, token, output),
    failTask: (token, error, cause) => failTask(sfn, token, error, cause),
    publicUrl: cfg.DSR_PUBLIC_URL,
    allowInsecureUrl: cfg.DSR_ALLOW_INSECURE_PROCESSOR_URLS,
    timeoutMs: cfg.DSR_PROCESSOR_TIMEOUT_MS,
    now: () => new Date(),
  };
  let result: NotifyResult;
  try {
    result = await notifyProcessor(deps, { requestId, storeId, taskToken });
  } catch (error) {
    // Names only: the workflow escalates Processor* errors; anything else fails the request to support.
    logger.warn('processor notice failed', {
      requestId,
      processorId: storeId,
      errorName: (error as Error)?.name,
    });
    throw error;
  }
  logger.info('processor notified', { requestId, processorId: storeId, outcome: result.outcome });
  return result;
}
