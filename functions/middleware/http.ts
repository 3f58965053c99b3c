/**
 * The one middy stack every HTTP function uses: no-store headers, normalised
 * headers, a body size guard, JSON parsing, and errors turned into JSON
 * answers. Business errors are http-errors with `expose` (core refusals are
 * mapped to them in ./errors); anything else is a plain 500 without details.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../aws/logger';
import { bodySizeGuard, jsonBody } from './body';
import { BASE_HEADERS, knownErrorsAsHttp } from './errors';

export { parseOrThrow } from './body';
export { asHttpError, httpError, unavailableError } from './errors';

export const MAX_BODY_BYTES = 16 * 1024;

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type Middleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

/** A JSON response that is never cached. */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** An HTML response that is never cached. */
export function html(
  statusCode: number,
  body: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8', ...headers },
    body,
  };
}

/** Adds the no-store headers to every response, errors included (runs last on error). */
const baseHeaders = (): Middleware => {
  const apply: Middleware['after'] = (request) => {
    if (request.response) request.response.headers = { ...BASE_HEADERS, ...request.response.headers };
  };
  return { after: apply, onError: apply };
};

export interface RouteOptions {
  /** Accept `application/x-www-form-urlencoded` bodies as raw strings (the confirmation page's form). */
  readonly allowForm?: boolean;
  /** Parse a body at all (POST routes). Leave unset to get the raw body (e.g. to check a signature over its bytes). */
  readonly body?: boolean;
  /** Largest body accepted, in bytes; default `MAX_BODY_BYTES` (16 KB). */
  readonly maxBodyBytes?: number;
}

/** Wraps an API Gateway handler in the shared stack. */
export function httpRoute(handler: Handler, options: RouteOptions = {}) {
  const stack = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(baseHeaders())
    .use(httpHeaderNormalizer())
    .use(bodySizeGuard(options.maxBodyBytes ?? MAX_BODY_BYTES));
  if (options.body) stack.use(jsonBody(options.allowForm ?? false));
  return (
    stack
      .use(
        httpErrorHandler({
          // Names and statuses only: messages of unexpected errors might carry data.
          logger: (error: unknown) => {
            const statusCode = (error as { statusCode?: number })?.statusCode;
            const fields = { errorName: (error as Error)?.name, statusCode };
            // A client's mistake (wrong code, bad field) is routine; only our own failures are errors.
            if (statusCode !== undefined && statusCode < 500) logger.info('request refused', fields);
            else logger.error('request failed', fields);
          },
          fallbackMessage: JSON.stringify({
            error: 'internal_error',
            message: 'something went wrong on our side',
          }),
        }),
      )
      // Registered after the error handler so it runs before it (middy runs onError in reverse).
      .use(knownErrorsAsHttp())
      .handler(handler)
  );
}
