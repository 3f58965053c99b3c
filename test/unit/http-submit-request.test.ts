import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext } from '../support/lambda-context';
import { apiEvent, fakeLedger, mockDocumentClient, setTestEnvironment } from './http-support';

setTestEnvironment();
// Imported after the environment is set, as a Lambda would.
const { handler } =
  require('../../functions/http/submit-request') as typeof import('../../functions/http/submit-request');

const ddb = mockDocumentClient();
const sfn = mockClient(SFNClient);
let ledger: ReturnType<typeof fakeLedger>;

const post = (body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  handler(apiEvent({ resource: '/requests', httpMethod: 'POST', body, headers }), lambdaContext());

beforeEach(() => {
  ledger = fakeLedger(ddb);
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
});
afterEach(() => {
  ddb.reset();
  sfn.reset();
});

describe('POST /requests', () => {
  it('records the request before starting its workflow and answers 202 with a status token', async () => {
    // Act
    const res = await post(
      JSON.stringify({ type: 'access', email: 'Someone@Example.COM', fullName: 'Test Person' }),
    );
    // Assess
    expect(res.statusCode).toBe(202);
    expect(res.headers?.['content-type']).toBe('application/json');
    expect(res.headers?.['cache-control']).toBe('no-store');
    const body = JSON.parse(res.body);
    expect(body).toEqual({
      requestId: expect.stringMatching(/^[0-9]{8}-access-[a-z2-7]{10}$/),
      status: 'pending_verification',
      statusToken: expect.any(String),
    });
    const item = ledger.get(body.requestId);
    expect(item).toMatchObject({
      status: 'pending_verification',
      jurisdiction: 'ID',
      locale: 'en',
      contact: { email: 'Someone@example.com' },
    });
    expect(item?.statusTokenHash).not.toBe(body.statusToken);
    const start = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start?.name).toBe(body.requestId);
    expect(JSON.parse(start?.input ?? '{}')).toEqual({ requestId: body.requestId, type: 'access' });
  });

  it('marks the request failed and answers 503 when the workflow cannot start', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    const res = await post(JSON.stringify({ type: 'access', email: 'someone@example.com' }));
    expect(res.statusCode).toBe(503);
    const [item] = [...ledger.values()];
    expect(item?.status).toBe('failed');
    expect(item?.failure).toMatchObject({ error: 'WorkflowNotStarted' });
  });

  it('answers malformed JSON with 400 and a plain message', async () => {
    const res = await post('{"type": "access",');
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      error: 'invalid_json',
      message: 'the request body is not valid JSON',
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('names each bad field: an unknown type and an invalid email', async () => {
    const res = await post(JSON.stringify({ type: 'copy', email: 'not-an-email' }));
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.error).toBe('invalid_request');
    expect(Object.keys(body.fields).sort()).toEqual(['email', 'type']);
    expect(body.fields.email).toBe('must be a valid email address');
  });

  it('names an unknown key instead of ignoring it', async () => {
    const res = await post(JSON.stringify({ type: 'access', email: 'someone@example.com', emial: 'x' }));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).fields).toEqual({ emial: 'is not a known field' });
  });

  it('refuses a body over 16 KB with 413 before parsing it', async () => {
    const res = await post(
      JSON.stringify({ type: 'access', email: 'someone@example.com', fullName: 'x'.repeat(17_000) }),
    );
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body).error).toBe('payload_too_large');
    expect(ledger.size).toBe(0);
  });

  it('answers an unexpected failure with a plain 500 that reveals nothing', async () => {
    ddb.reset();
    ddb.onAnyCommand().rejects(new Error('secret internal detail'));
    const res = await post(JSON.stringify({ type: 'access', email: 'someone@example.com' }));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internal detail');
  });
});
