import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { pageHeaders } from '../core/html';
import { FORM_SCRIPT, invalidLinkPage, requestFormPage, verifyConfirmationPage } from '../core/pages';
import { RequestId } from '../core/request';
import { html, httpError, httpRoute, json } from '../middleware/http';

const VerifyQuery = z.object({ token: z.string().min(20).max(200) });

/** GET /, GET /health and the confirmation page GET /requests/{requestId}/verify (which never verifies by itself). */
export async function pages(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  switch (event.resource) {
    case '/health':
      return json(200, { status: 'ok' });
    case '/':
      return html(200, requestFormPage(), pageHeaders(FORM_SCRIPT));
    case '/requests/{requestId}/verify': {
      const id = RequestId.safeParse(event.pathParameters?.requestId);
      const query = VerifyQuery.safeParse(event.queryStringParameters ?? {});
      if (!id.success || !query.success) return html(400, invalidLinkPage(), pageHeaders());
      return html(200, verifyConfirmationPage(id.data, query.data.token), pageHeaders());
    }
    default:
      throw httpError(404, 'not_found', 'there is no such page');
  }
}

export const handler = httpRoute(pages);
