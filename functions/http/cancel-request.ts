import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { cancelPorts } from '../aws/request-ports';
import { cancelConfirmationPage, deletionCancelledPage, invalidLinkPage } from '../core/pages/links';
import { RequestId } from '../core/request';
import { CancelRequestBody, CancelToken, cancelRequest as cancel } from '../core/requests/cancel';
import { Browser } from '../middleware/browser';
import { answerJsonOrForm } from '../middleware/form-post';
import { httpRoute, parseOrThrow } from '../middleware/http';

/**
 * `GET /requests/{requestId}/cancel?token=…` shows a confirmation page and
 * never cancels (mail scanners prefetch links); `POST` with `{token}` cancels a
 * delete still in its grace period (core/requests/cancel). JSON in, JSON out;
 * the page's form post gets a small HTML page back, in the browser's language.
 */
export async function cancelRequest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const requestId = event.pathParameters?.requestId;
  if (event.httpMethod === 'GET') {
    const browser = new Browser(event);
    const id = RequestId.safeParse(requestId);
    const token = CancelToken.safeParse(event.queryStringParameters?.token);
    if (!id.success || !token.success) return browser.page(400, invalidLinkPage(browser.frame()));
    return browser.page(200, cancelConfirmationPage(browser.frame(), id.data, token.data));
  }
  const act = async (body: unknown) => {
    const { token } = parseOrThrow(CancelRequestBody, body);
    return cancel(await cancelPorts(), requestId, token);
  };
  return answerJsonOrForm(event, act, { done: deletionCancelledPage, refused: 'cancel.refused' });
}

export const handler = httpRoute(cancelRequest, { body: true, allowForm: true });
