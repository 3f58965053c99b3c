import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as root from '../aws/composition-root';
import { logger } from '../aws/logger';
import { type CallbackPorts, handleProcessorCallback } from '../core/processors/callback';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../core/processors/signature';
import { httpError, httpRoute, json } from '../middleware/http';

/** A processor's callback may carry the records of an access request. */
export const CALLBACK_MAX_BODY_BYTES = 1024 * 1024;

/**
 * POST /processors/{processorId}/callback: a processor's signed acknowledgement.
 * 401 bad signature or unknown processor, alike (nothing written); 400 bad body;
 * 404 a request it was never told about; 200 recorded (`late` after an
 * escalation) or a duplicate. The body is not parsed by the middleware: the
 * signature covers its raw bytes, exactly as sent.
 */
export function processorCallbackRoute(ports: () => CallbackPorts) {
  return httpRoute(
    async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
      const processorId = event.pathParameters?.processorId ?? '';
      const body = typeof event.body === 'string' ? event.body : '';
      const outcome = await handleProcessorCallback(ports(), {
        processorId,
        timestamp: event.headers?.[TIMESTAMP_HEADER],
        signature: event.headers?.[SIGNATURE_HEADER],
        rawBody: event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body,
      });
      const ids = { processorId, ...('requestId' in outcome ? { requestId: outcome.requestId } : {}) };
      switch (outcome.kind) {
        case 'unknown_processor':
        case 'invalid_signature':
          // One answer for both: the status must not tell which partner ids exist.
          logger.warn(`processor callback with ${outcome.kind.replace('_', ' ')}`, ids);
          throw httpError(401, 'invalid_signature', 'the signature is missing, stale or wrong');
        case 'invalid_body':
          throw httpError(400, 'invalid_request', `invalid ${outcome.fields.join(', ')}`, {
            fields: Object.fromEntries(outcome.fields.map((f) => [f, 'is invalid'])),
          });
        case 'unknown_request':
          throw httpError(404, 'unknown_request', 'this partner was not told about such a request');
        case 'duplicate':
          logger.info('processor callback duplicate', ids);
          return json(200, { recorded: false, duplicate: true });
        case 'recorded':
          logger.info('processor acknowledged', { ...ids, late: outcome.late });
          return json(200, { recorded: true, late: outcome.late });
      }
    },
    { maxBodyBytes: CALLBACK_MAX_BODY_BYTES },
  );
}

export const handler = processorCallbackRoute(root.processorPorts);
