import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { secretsClient, sfnClient } from '../aws/clients';
import { config, exportObjects, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { completeTask, failTask } from '../aws/workflow';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../core/processors/signature';
import { type CallbackDeps, handleProcessorCallback } from '../processors/callback';
import { loadProcessorSecret } from '../processors/secrets';
import { httpError, httpRoute, json } from './middleware';

/** A processor's callback may carry the records of an access request. */
export const CALLBACK_MAX_BODY_BYTES = 1024 * 1024;

/** The body exactly as the processor sent it: the signature covers these bytes. */
function rawBodyOf(event: APIGatewayProxyEvent): string {
  if (typeof event.body !== 'string') return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** What the route needs, built once per cold start in AWS; tests pass fakes. */
function runtimeDeps(): CallbackDeps {
  const cfg = config();
  const sfn = sfnClient();
  return {
    dataMap: cfg.dataMap,
    ledger: ledgerTable(),
    exports: exportObjects(),
    secretOf: (store) => loadProcessorSecret(store, { dir: cfg.DSR_PROCESSOR_SECRETS_DIR }, secretsClient),
    completeTask: (token, output) => completeTask(sfn, token, output),
    failTask: (token, error, cause) => failTask(sfn, token, error, cause),
    now: () => new Date(),
  };
}

/**
 * POST /processors/{processorId}/callback: a processor's signed acknowledgement.
 * 404 unknown processor; 401 bad signature (nothing written); 400 bad body;
 * 404 a request it was never told about; 200 recorded (`late` after an
 * escalation) or a duplicate. The body is not parsed by the middleware: the
 * signature covers its raw bytes.
 */
export function processorCallbackRoute(deps: () => CallbackDeps) {
  return httpRoute(
    async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
      const processorId = event.pathParameters?.processorId ?? '';
      const outcome = await handleProcessorCallback(deps(), {
        processorId,
        timestamp: event.headers?.[TIMESTAMP_HEADER],
        signature: event.headers?.[SIGNATURE_HEADER],
        rawBody: rawBodyOf(event),
      });
      switch (outcome.kind) {
        case 'unknown_processor':
          throw httpError(404, 'unknown_processor', 'there is no such partner');
        case 'invalid_signature':
          logger.warn('processor callback with an invalid signature', { processorId });
          throw httpError(401, 'invalid_signature', 'the signature is missing, stale or wrong');
        case 'invalid_body':
          throw httpError(400, 'invalid_request', `invalid ${outcome.fields.join(', ')}`, {
            fields: Object.fromEntries(outcome.fields.map((f) => [f, 'is invalid'])),
          });
        case 'unknown_request':
          throw httpError(404, 'unknown_request', 'this partner was not told about such a request');
        case 'duplicate':
          logger.info('processor callback duplicate', { processorId, requestId: outcome.requestId });
          return json(200, { recorded: false, duplicate: true });
        case 'recorded':
          logger.info('processor acknowledged', {
            processorId,
            requestId: outcome.requestId,
            late: outcome.late,
          });
          return json(200, { recorded: true, late: outcome.late });
      }
    },
    { maxBodyBytes: CALLBACK_MAX_BODY_BYTES },
  );
}

export const handler = processorCallbackRoute(runtimeDeps);
