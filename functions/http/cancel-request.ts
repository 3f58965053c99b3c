import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { cancelPorts } from '../aws/request-ports';
import { pageHeaders } from '../core/html';
import {
  CANCEL_REFUSED,
  cancelConfirmationPage,
  deletionCancelledPage,
  invalidLinkPage,
} from '../core/pages';
import { RequestId } from '../core/request';
import { CancelRequestBody, CancelToken, cancelRequest as cancel } from '../core/requests/cancel';
import { answerJsonOrForm } from '../middleware/form-post';
import { html, httpRoute, parseOrThrow } from '../middleware/http';

/**
 * `GET /requests/{requestId}/cancel?token=…` shows a confirmation page and
 * never cancels (mail scanners prefetch links); `POST` with `{token}` cancels a
 * delete still in its grace period (core/requests/cancel). JSON in, JSON out;
 * the page's form post gets a small HTML page back.
 */
export async function cancelRequest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const requestId = event.pathParameters?.requestId;
  if (event.httpMethod === 'GET') {
    const id = RequestId.safeParse(requestId);
    const token = CancelToken.safeParse(event.queryStringParameters?.token);
    if (!id.success || !token.success) return html(400, invalidLinkPage(), pageHeaders());
    return html(200, cancelConfirmationPage(id.data, token.data), pageHeaders());
  }
  const act = async (body: unknown) => {
    const { token } = parseOrThrow(CancelRequestBody, body);
    return cancel(await cancelPorts(), requestId, token);
  };
  return answerJsonOrForm(event, act, { done: deletionCancelledPage(), refused: CANCEL_REFUSED });
}

export const handler = httpRoute(cancelRequest, { body: true, allowForm: true });
