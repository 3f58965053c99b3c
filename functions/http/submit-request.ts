import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { limitClientIp } from '../aws/rate-limit';
import { submitPorts } from '../aws/request-ports';
import { SubmitRequestBody } from '../core/request';
import { submitRequest as submit } from '../core/requests/submit';
import { httpRoute, json, parseOrThrow } from '../middleware/http';

/**
 * POST /requests: budgets per client IP (every call) and per subject, then the
 * request in the ledger and its workflow started (core/requests/submit). 202
 * with `{ requestId, status, statusToken }`; an `Idempotency-Key` replay gets the
 * first answer again, the same key with another body 422.
 */
export async function submitRequest(
  event: APIGatewayProxyEvent,
  context?: Context,
): Promise<APIGatewayProxyResult> {
  await limitClientIp(event, 'submit');
  const body = parseOrThrow(SubmitRequestBody, event.body);
  const ports = await submitPorts(context);
  return json(202, await submit(ports, body, event.headers?.['idempotency-key']));
}

export const handler = httpRoute(submitRequest, { body: true });
