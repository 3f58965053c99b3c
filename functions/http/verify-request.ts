import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { verifyPorts } from '../aws/request-ports';
import { requestConfirmedPage } from '../core/pages/links';
import { verifiedBrowserProof } from '../core/requests/verified-browser';
import { knownRequestId, verifyRequest as verify } from '../core/requests/verify';
import { VerifyRequestBody } from '../core/verify-body';
import { formFields, isFormPost } from '../middleware/browser';
import { answerCodeForm, codeBody } from '../middleware/code-form';
import { answerJsonOrForm } from '../middleware/form-post';
import { httpRoute, parseOrThrow } from '../middleware/http';

/**
 * POST /requests/{requestId}/verify with `{code}` (and `Authorization: Bearer <statusToken>`)
 * or `{token}` (core/requests/verify). JSON in, JSON out. The code page's form
 * post (the status token in this browser's cookie) is sent on to the status
 * page (303); the emailed link's confirmation page gets a small page back.
 */
export async function verifyRequest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  if (isFormPost(event) && !formFields(event).has('token')) {
    return answerCodeForm(event, async ({ browser, requestId, form }) => {
      const ports = await verifyPorts();
      const statusToken = browser.statusTokenFor(requestId);
      await verify(ports, requestId, codeBody(form), statusToken);
      // The code was right and came with the status token: this browser may fetch the outcome.
      if (statusToken)
        browser.keepVerifiedProof(requestId, verifiedBrowserProof(ports.key, requestId, statusToken));
      return browser.redirect('status');
    });
  }
  const act = async (body: unknown) => {
    const requestId = knownRequestId(event.pathParameters?.requestId);
    const verified = parseOrThrow(VerifyRequestBody, body);
    const statusToken = /^Bearer\s+(\S+)$/i.exec(event.headers?.authorization ?? '')?.[1];
    return verify(await verifyPorts(), requestId, verified, statusToken);
  };
  return answerJsonOrForm(event, act, {
    done: (frame) => requestConfirmedPage(frame),
    refused: 'verify.refused',
  });
}

export const handler = httpRoute(verifyRequest, { body: true, allowForm: true });
