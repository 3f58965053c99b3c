/** Body handling for the HTTP stack: a size guard, JSON parsing, and zod validation with per-field messages. */
import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as z from '../core/zod';
import { httpError } from './errors';

type Middleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

export const FORM_TYPE = /^application\/x-www-form-urlencoded($|;)/;

/** Rejects bodies over `maxBytes` before anything parses them. */
export const bodySizeGuard = (maxBytes: number): Middleware => ({
  before: (request) => {
    const { body, isBase64Encoded } = request.event;
    if (typeof body !== 'string') return;
    const size = isBase64Encoded ? Buffer.from(body, 'base64').length : Buffer.byteLength(body, 'utf8');
    if (size > maxBytes) {
      throw httpError(413, 'payload_too_large', `the request body must be at most ${maxBytes} bytes`);
    }
  },
});

/**
 * @middy/http-json-body-parser, with its 415 for malformed JSON answered as a
 * 400 (the client sent a broken body, not a wrong media type). Form bodies pass
 * through as strings when `allowForm` is set.
 */
export const jsonBody = (allowForm: boolean): Middleware => {
  const parser = httpJsonBodyParser({ disableContentTypeError: allowForm });
  return {
    before: async (request) => {
      if (request.event.body === null || request.event.body === undefined || request.event.body === '') {
        if (request.event.httpMethod === 'GET') return;
        throw httpError(400, 'invalid_request', 'the request needs a JSON body');
      }
      const type = request.event.headers?.['content-type'] ?? '';
      if (allowForm && FORM_TYPE.test(type)) return;
      try {
        await parser.before?.(request as never);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 415 && /malformed/i.test((error as Error).message)) {
          throw httpError(400, 'invalid_json', 'the request body is not valid JSON');
        }
        throw httpError(415, 'unsupported_media_type', 'send the body as application/json');
      }
    },
  };
};

/** Parses `value` with `schema` or throws a 400 naming each bad field. */
export function parseOrThrow<S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // A Map, not an object: a `__proto__` key must be named, not set the object's prototype.
  const fields = new Map<string, string>();
  const note = (path: string, message: string) => {
    if (!fields.has(path)) fields.set(path, message);
  };
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields.set([...issue.path, key].join('.'), 'is not a known field');
      continue;
    }
    if (issue.code === 'invalid_union') {
      // The verify body: report the first alternative's problems, they are the most common case.
      for (const inner of issue.errors[0] ?? [])
        note([...issue.path, ...inner.path].join('.') || 'body', inner.message);
      continue;
    }
    note(issue.path.join('.') || 'body', issue.message);
  }
  throw httpError(400, 'invalid_request', `invalid ${[...fields.keys()].join(', ')}`, {
    fields: Object.fromEntries(fields),
  });
}
