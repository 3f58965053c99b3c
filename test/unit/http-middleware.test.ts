/**
 * The shared HTTP stack's answers as a browser sees them (issue 18, findings
 * 7, 9 and 10): HSTS on every answer, one Content-Type header, and a
 * `__proto__` key named like any other unknown field.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { apiEvent, setTestEnvironment } from '../support/http-support';
import { lambdaContext } from '../support/lambda-context';

setTestEnvironment();
const { httpRoute, httpError, json } =
  require('../../functions/middleware/http') as typeof import('../../functions/middleware/http');

const context = lambdaContext('dsr-Test', 10);

/** The names of `result`'s headers that are `name`, whatever their case. */
const headerNames = (result: APIGatewayProxyResult, name: string) =>
  Object.keys(result.headers ?? {}).filter((h) => h.toLowerCase() === name);
const header = (result: APIGatewayProxyResult, name: string) => {
  const [key] = headerNames(result, name);
  return key === undefined ? undefined : result.headers?.[key];
};

const answers = {
  ok: httpRoute(async () => json(200, { ok: true })),
  refused: httpRoute(async () => {
    throw httpError(409, 'not_pending', 'this request is not waiting for verification');
  }),
  crashed: httpRoute(async () => {
    throw new Error('a bug');
  }),
  invalid: httpRoute(async () => json(200, { ok: true }), {
    body: true,
    schema: z.strictObject({ name: z.string() }),
  }),
};

const post = (body: string) =>
  apiEvent({
    resource: '/test',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

describe('the shared HTTP stack', () => {
  it.each([
    ['a success', () => answers.ok(apiEvent({ resource: '/test' }), context)],
    ['a refusal', () => answers.refused(apiEvent({ resource: '/test' }), context)],
    ['an internal error', () => answers.crashed(apiEvent({ resource: '/test' }), context)],
    ['a bad body', () => answers.invalid(post('{"nmae":"x"}'), context)],
    ['malformed JSON', () => answers.invalid(post('{'), context)],
  ])('answers %s with Strict-Transport-Security and exactly one Content-Type header', async (_, call) => {
    // Act
    const result = await call();

    // Assess
    expect(header(result, 'strict-transport-security')).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    expect(headerNames(result, 'content-type')).toHaveLength(1);
    expect(header(result, 'content-type')).toBe('application/json');
    expect(header(result, 'cache-control')).toBe('no-store');
  });

  it('names a __proto__ key in a JSON body as an unknown field, like any other', async () => {
    // Act
    const result = await answers.invalid(post('{"name":"x","__proto__":{"polluted":true}}'), context);

    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toEqual({
      error: 'invalid_request',
      message: 'invalid __proto__',
      fields: { ['__proto__']: 'is not a known field' },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
