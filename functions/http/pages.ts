import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { pageHeaders } from '../core/html';
import { FORM_SCRIPT, invalidLinkPage, requestFormPage, verifyConfirmationPage } from '../core/pages';
import { RequestId } from '../core/request';
import { html, httpError, httpRoute, json } from '../middleware/http';

const VerifyQuery = z.object({ token: z.string().min(20).max(200) });
/** One path segment (a stage or base path) without its slash; never `//host`, so never an open redirect. */
const STAGE_ROOT = /^\/[A-Za-z0-9._~-]+$/;

/** GET /, GET /health and the confirmation page GET /requests/{requestId}/verify (which never verifies by itself). */
export async function pages(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  switch (event.resource) {
    case '/health':
      return json(200, { status: 'ok' });
    case '/': {
      // At …/prod (no trailing slash) the form's relative calls would miss the stage: send the browser to …/prod/.
      const at = event.requestContext?.path ?? '/';
      if (STAGE_ROOT.test(at)) return { statusCode: 301, headers: { location: `${at}/` }, body: '' };
      return html(200, requestFormPage(), pageHeaders(FORM_SCRIPT));
    }
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
