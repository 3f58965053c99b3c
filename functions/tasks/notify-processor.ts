import { processorPorts } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { type NotifyResult, notifyProcessor } from '../core/processors/notify';
import * as z from '../core/zod';

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  storeId: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
});

/**
 * NotifyProcessor (the processor branch of each Map, `waitForTaskToken`): sends
 * one processor the signed request, records every attempt, and resumes the
 * workflow when the processor acknowledges in its answer; otherwise the workflow
 * waits for the processor's callback or its deadline.
 */
export async function handler(event: unknown): Promise<NotifyResult> {
  const input = z.parse(Input, event);
  const { requestId, storeId: processorId } = input;
  let result: NotifyResult;
  try {
    result = await notifyProcessor(processorPorts(), input);
  } catch (error) {
    // Names only: the workflow escalates Processor* errors; anything else fails the request to support.
    logger.warn('processor notice failed', { requestId, processorId, errorName: (error as Error)?.name });
    throw error;
  }
  logger.info('processor notified', { requestId, processorId, outcome: result.outcome });
  return result;
}
