import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { config } from '../aws/composition-root';
import { statusPorts } from '../aws/request-ports';
import { STATUS_SCRIPT, statusNotFoundPage, statusPage, statusPlaces } from '../core/pages/status';
import { RefusedError } from '../core/refusal';
import { requestStatus, type StatusCredential } from '../core/requests/status';
import { provesVerifiedBrowser } from '../core/requests/verified-browser';
import { Browser } from '../middleware/browser';
import { httpError, httpRoute, json } from '../middleware/http';

/** The token of `Authorization: Bearer <statusToken>`, or 401. */
function bearerToken(event: APIGatewayProxyEvent): string {
  const match = /^Bearer\s+(\S+)$/i.exec(event.headers?.authorization ?? '');
  if (match?.[1]) return match[1];
  throw httpError(401, 'unauthorized', 'send the status token as "Authorization: Bearer <statusToken>"', {});
}

/**
 * The status page: the browser that entered the code (status and proof cookies) sees the outcome's
 * links; the emailed link's `?token=`, or the status cookie alone, show progress only.
 */
async function statusPageRoute(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const browser = new Browser(event);
  const requestId = event.pathParameters?.requestId ?? '';
  const linkToken = event.queryStringParameters?.token;
  const statusToken = browser.statusTokenFor(requestId);
  const proof = browser.verifiedProofFor(requestId);
  const ports = await statusPorts();
  // requestStatus below checks the status token itself; the proof is checked here.
  const verified =
    !!statusToken && !!proof && provesVerifiedBrowser(ports.key, requestId, statusToken, proof);
  const credential: StatusCredential | undefined =
    verified || (!linkToken && statusToken)
      ? { statusToken: statusToken as string }
      : linkToken
        ? { linkToken }
        : undefined;
  try {
    if (!credential) throw new RefusedError('not_found', 'no status link or status token');
    const view = await requestStatus(ports, requestId, credential);
    const places = statusPlaces(config().dataMap);
    return browser.page(200, statusPage(browser.frame(), view, places, { links: verified }), STATUS_SCRIPT);
  } catch (error) {
    if (!(error instanceof RefusedError)) throw error;
    return browser.page(404, statusNotFoundPage(browser.frame()));
  }
}

/**
 * GET /requests/{requestId} with `Authorization: Bearer <statusToken>`:
 * progress for the token holder, never contact data (core/requests/status).
 * GET /requests/{requestId}/status: the same progress as a page a person reads.
 */
export async function getRequestStatus(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  if (event.resource === '/requests/{requestId}/status') return statusPageRoute(event);
  const token = bearerToken(event);
  return json(200, await requestStatus(await statusPorts(), event.pathParameters?.requestId, token));
}

export const handler = httpRoute(getRequestStatus);
