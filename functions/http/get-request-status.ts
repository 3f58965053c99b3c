import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { statusPorts } from '../aws/request-ports';
import { requestStatus } from '../core/requests/status';
import { httpError, httpRoute, json } from '../middleware/http';

/** The token of `Authorization: Bearer <statusToken>`, or 401. */
function bearerToken(event: APIGatewayProxyEvent): string {
  const match = /^Bearer\s+(\S+)$/i.exec(event.headers?.authorization ?? '');
  if (match?.[1]) return match[1];
  throw httpError(401, 'unauthorized', 'send the status token as "Authorization: Bearer <statusToken>"', {});
}

/**
 * GET /requests/{requestId} with `Authorization: Bearer <statusToken>`:
 * progress for the token holder, never contact data (core/requests/status).
 */
export async function getRequestStatus(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const token = bearerToken(event);
  return json(200, await requestStatus(await statusPorts(), event.pathParameters?.requestId, token));
}

export const handler = httpRoute(getRequestStatus);
