import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { SITE_CSS } from '../core/html';
import { codePage } from '../core/pages/code';
import { FORM_SCRIPT, requestFormPage } from '../core/pages/form';
import { invalidLinkPage, verifyConfirmationPage } from '../core/pages/links';
import { RequestId } from '../core/request';
import * as z from '../core/zod';
import { Browser } from '../middleware/browser';
import { httpError, httpRoute, json } from '../middleware/http';

const VerifyQuery = z.object({ token: z.string().check(z.minLength(20), z.maxLength(200)) });
/** One path segment (a stage or base path) without its slash; never `//host`, so never an open redirect. */
const STAGE_ROOT = /^\/[A-Za-z0-9._~-]+$/;

/**
 * GET /, GET /health, the stylesheet, the code page after the form, and the
 * confirmation page of the emailed link (which never verifies by itself).
 */
export async function pages(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const browser = new Browser(event);
  switch (event.resource) {
    case '/health':
      return json(200, { status: 'ok' });
    case '/assets/site.css':
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' },
        body: SITE_CSS,
      };
    case '/': {
      // At …/prod (no trailing slash) relative links would miss the stage: send the browser to …/prod/.
      const at = event.requestContext?.path ?? '/';
      if (STAGE_ROOT.test(at)) return { statusCode: 301, headers: { location: `${at}/` }, body: '' };
      const csrf = browser.csrfToken();
      return browser.page(200, requestFormPage(browser.frame(), { csrf }), FORM_SCRIPT);
    }
    case '/requests/{requestId}/code': {
      const id = RequestId.safeParse(event.pathParameters?.requestId);
      if (!id.success) return browser.page(404, invalidLinkPage(browser.frame()));
      const args = {
        requestId: id.data,
        csrf: browser.csrfToken(),
        newAddress: browser.expectsNewAddressCode(id.data),
      };
      return browser.page(200, codePage(browser.frame(), args));
    }
    case '/requests/{requestId}/verify': {
      const id = RequestId.safeParse(event.pathParameters?.requestId);
      const query = VerifyQuery.safeParse(event.queryStringParameters ?? {});
      if (!id.success || !query.success) return browser.page(400, invalidLinkPage(browser.frame()));
      return browser.page(200, verifyConfirmationPage(browser.frame(), id.data, query.data.token));
    }
    default:
      throw httpError(404, 'not_found', 'there is no such page');
  }
}

export const handler = httpRoute(pages);
