/** POST /requests/{requestId}/resend: a new verification code and link (see core/verification/resend). */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as root from '../aws/composition-root';
import { limitClientIp } from '../aws/rate-limit';
import { RequestId } from '../core/request';
import { noSuchRequest, resendVerification as resend } from '../core/verification/resend';
import * as z from '../core/zod';
import { isFormPost } from '../middleware/browser';
import { answerCodeForm } from '../middleware/code-form';
import { httpError, httpRoute, json, parseOrThrow } from '../middleware/http';

/** Body of `POST /requests/{requestId}/resend`: nothing, or an empty JSON object. */
export const ResendVerificationBody = z.strictObject({});

/** The body as JSON, `{}` when empty; malformed JSON is the client's 400. */
function optionalJson(body: string | null | undefined): unknown {
  try {
    return body?.trim() ? (JSON.parse(body) as unknown) : {};
  } catch {
    throw httpError(400, 'invalid_json', 'the request body is not valid JSON');
  }
}

/**
 * JSON: 202 with the resends left. The code page's form post (no JavaScript)
 * gets the code page again, saying a new code is on its way, or why not.
 */
export async function resendVerification(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  if (isFormPost(event)) {
    return answerCodeForm(event, async ({ requestId, show }) => {
      await resend(root.resendPorts(), requestId);
      return show(200, { resent: true });
    });
  }
  // Resends share the verify budget per client IP: every use of a code, token or link counts.
  await limitClientIp(event, 'verify');
  const id = RequestId.safeParse(event.pathParameters?.requestId);
  if (!id.success) throw noSuchRequest();
  parseOrThrow(ResendVerificationBody, optionalJson(event.body));
  return json(202, await resend(root.resendPorts(), id.data));
}

export const handler = httpRoute(resendVerification);
