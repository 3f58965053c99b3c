import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { z } from 'zod';
import { hashingKey, ledgerTable, workflow } from '../aws/composition-root';
import { limitClientIp } from '../aws/rate-limit';
import { log, subjectBudgets, submissionOnce } from '../aws/request-ports';
import { SubmitRequestBody } from '../core/request';
import { submitRequest as submit } from '../core/requests/submit';
import { httpError, httpRoute, json, parseOrThrow } from '../middleware/http';

/** `Idempotency-Key`: opaque, unguessable (16+ characters, e.g. a UUID), printable ASCII without spaces. */
const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{16,128}$/);

function idempotencyKeyOf(event: APIGatewayProxyEvent): string | undefined {
  const raw = event.headers?.['idempotency-key'];
  if (raw === undefined) return undefined;
  const parsed = IdempotencyKey.safeParse(raw.trim());
  if (parsed.success) return parsed.data;
  throw httpError(
    400,
    'invalid_idempotency_key',
    'the Idempotency-Key header must be 16 to 128 printable characters without spaces, e.g. a UUID',
  );
}

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
  const key = await hashingKey();
  const ports = {
    ledger: ledgerTable(),
    workflow: workflow(),
    budgets: subjectBudgets(),
    once: submissionOnce(context),
    key,
    log: log(),
  };
  return json(202, await submit(ports, body, idempotencyKeyOf(event)));
}

export const handler = httpRoute(submitRequest, { body: true });
