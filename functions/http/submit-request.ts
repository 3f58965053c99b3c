import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { sfnClient } from '../aws/clients';
import { logger } from '../aws/logger';
import { config, hashingKey, ledgerTable } from '../aws/runtime';
import { startRequestExecution } from '../aws/workflow';
import { keyedHash, randomToken } from '../core/crypto';
import { dueAtFor, SubmitRequestBody, subjectLookupForm } from '../core/request';
import { newRequestId } from '../core/request-id';
import { httpError, httpRoute, json, parseOrThrow } from './middleware';

/**
 * POST /requests: records the request in the ledger first, then starts its
 * workflow. The answer never depends on whether the email is known.
 */
export async function submitRequest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const body = parseOrThrow(SubmitRequestBody, event.body);
  const key = await hashingKey();
  const ledger = ledgerTable();
  const now = new Date();
  const requestId = newRequestId(body.type, now);
  const statusToken = randomToken();
  await ledger.create(
    {
      requestId,
      type: body.type,
      jurisdiction: body.jurisdiction,
      locale: body.locale,
      receivedAt: now.toISOString(),
      dueAt: dueAtFor(body.jurisdiction, now).toISOString(),
      subjectHash: keyedHash(key, 'subject', subjectLookupForm(body.email)),
      contact: {
        email: body.email,
        ...(body.fullName ? { fullName: body.fullName } : {}),
        ...(body.phone ? { phone: body.phone } : {}),
      },
      statusTokenHash: keyedHash(key, 'status-token', statusToken),
    },
    now,
  );
  try {
    await startRequestExecution(sfnClient(), config().DSR_STATE_MACHINE_ARN, { requestId, type: body.type });
  } catch (error) {
    logger.error('could not start the workflow', { requestId, errorName: (error as Error).name });
    await ledger
      .transition(requestId, 'fail', {
        note: 'the workflow could not be started',
        failure: { error: 'WorkflowNotStarted', cause: `StartExecution failed: ${(error as Error).name}` },
      })
      .catch((markError: unknown) =>
        logger.error('could not mark the request failed', {
          requestId,
          errorName: (markError as Error).name,
        }),
      );
    throw httpError(
      503,
      'unavailable',
      'the request could not be started; please try again in a few minutes',
    );
  }
  logger.info('request accepted', { requestId });
  return json(202, { requestId, status: 'pending_verification', statusToken });
}

export const handler = httpRoute(submitRequest, { body: true });
