import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { verifyPorts } from '../aws/request-ports';
import { requestConfirmedPage, VERIFY_REFUSED } from '../core/pages';
import { VerifyRequestBody } from '../core/request';
import { knownRequestId, verifyRequest as verify } from '../core/requests/verify';
import { answerJsonOrForm } from '../middleware/form-post';
import { httpRoute, parseOrThrow } from '../middleware/http';

/**
 * POST /requests/{requestId}/verify with `{code}` (and `Authorization: Bearer <statusToken>`)
 * or `{token}` (core/requests/verify). JSON in, JSON out; a form post from the
 * confirmation page gets a small HTML page back.
 */
export async function verifyRequest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const act = async (body: unknown) => {
    const requestId = knownRequestId(event.pathParameters?.requestId);
    const verified = parseOrThrow(VerifyRequestBody, body);
    const statusToken = /^Bearer\s+(\S+)$/i.exec(event.headers?.authorization ?? '')?.[1];
    return verify(await verifyPorts(), requestId, verified, statusToken);
  };
  return answerJsonOrForm(event, act, { done: requestConfirmedPage(), refused: VERIFY_REFUSED });
}

export const handler = httpRoute(verifyRequest, { body: true, allowForm: true });
