import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { submitPorts } from '../aws/request-ports';
import { SubmitRequestBody } from '../core/request';
import { submitRequest as submit } from '../core/requests/submit';
import { httpRoute, json, type ParsedEvent } from '../middleware/http';

/**
 * POST /requests: budgets per client IP (every call) and per subject, then the
 * request in the ledger and its workflow started (core/requests/submit). 202
 * with `{ requestId, status, statusToken }`; an `Idempotency-Key` replay gets the
 * first answer again, the same key with another body 422.
 */
export async function submitRequest(
  event: ParsedEvent<SubmitRequestBody>,
  context?: Context,
): Promise<APIGatewayProxyResult> {
  const ports = await submitPorts(context);
  return json(202, await submit(ports, event.body, event.headers?.['idempotency-key']));
}

export const handler = httpRoute(submitRequest, {
  body: true,
  clientBudget: 'submit',
  schema: SubmitRequestBody,
});
