import { z } from 'zod';
import { s3Client, secretsClient, sfnClient } from '../aws/clients';
import { logger } from '../aws/logger';
import { config, ledgerTable } from '../aws/runtime';
import { completeTask, failTask } from '../aws/workflow';
import { type NotifyDeps, type NotifyResult, notifyProcessor } from '../processors/notify';
import { loadPartnerSecret } from '../processors/secrets';

const Input = z.object({
  requestId: z.string().min(1),
  storeId: z.string().min(1),
  taskToken: z.string().min(1),
});

/**
 * NotifyProcessor (the partner branch of each Map, `waitForTaskToken`): sends
 * one processor the signed request, records every attempt, and resumes the
 * workflow when the partner acknowledges in its answer; otherwise the workflow
 * waits for the partner's callback or its deadline.
 */
export async function handler(event: unknown): Promise<NotifyResult> {
  const { requestId, storeId, taskToken } = Input.parse(event);
  const cfg = config();
  const sfn = sfnClient();
  const deps: NotifyDeps = {
    dataMap: cfg.dataMap,
    ledger: ledgerTable(),
    exports: { s3: s3Client(), bucket: cfg.DSR_EXPORT_BUCKET },
    secretOf: (store) => loadPartnerSecret(store, { dir: cfg.DSR_PARTNER_SECRETS_DIR }, secretsClient),
    completeTask: (token, output) => completeTask(sfn, token, output),
    failTask: (token, error, cause) => failTask(sfn, token, error, cause),
    publicUrl: cfg.DSR_PUBLIC_URL,
    allowInsecureUrl: cfg.DSR_ALLOW_INSECURE_PARTNER_URLS,
    timeoutMs: cfg.DSR_PARTNER_TIMEOUT_MS,
    now: () => new Date(),
  };
  let result: NotifyResult;
  try {
    result = await notifyProcessor(deps, { requestId, storeId, taskToken });
  } catch (error) {
    // Names only: the workflow escalates Partner* errors; anything else fails the request to support.
    logger.warn('partner notice failed', {
      requestId,
      partnerId: storeId,
      errorName: (error as Error)?.name,
    });
    throw error;
  }
  logger.info('partner notified', { requestId, partnerId: storeId, outcome: result.outcome });
  return result;
}
