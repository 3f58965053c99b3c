import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LedgerTable, MAX_VERIFICATION_ATTEMPTS } from '../../functions/aws/ledger';
import { StatusConflictError } from '../../functions/core/ledger-record';
import { InvalidTransitionError } from '../../functions/core/lifecycle';
import { createTableInput, LEDGER_TABLE } from '../../infra/definitions/tables';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';

let emulators: Emulators;
let ledger: LedgerTable;
let seq = 0;

beforeAll(async () => {
  emulators = await startEmulators();
  const raw = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await raw.send(new CreateTableCommand(createTableInput('dsr-ledger', LEDGER_TABLE)));
  ledger = new LedgerTable(
    DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    'dsr-ledger',
  );
});
afterAll(async () => {
  await emulators.stop();
});

function newRequest() {
  seq += 1;
  return {
    requestId: `20260101-access-aaaaaaaa${String.fromCharCode(97 + (seq % 26))}${String.fromCharCode(97 + Math.floor(seq / 26))}`,
    type: 'access' as const,
    jurisdiction: 'ID' as const,
    locale: 'en' as const,
    receivedAt: '2026-01-01T00:00:00.000Z',
    dueAt: '2026-01-04T00:00:00.000Z',
    subjectHash: 'subject-hash',
    contact: { email: 'someone@example.com', fullName: undefined },
    statusTokenHash: 'token-hash',
  };
}

const verification = (taskToken: string) => ({
  codeHash: 'c',
  linkTokenHash: 'l',
  attempts: 0,
  taskToken,
  expiresAt: '2026-01-01T00:15:00.000Z',
  sentAt: '2026-01-01T00:00:00.000Z',
});

describe('request ledger on DynamoDB', () => {
  it('writes a new request as pending_verification with its first history entry', async () => {
    const request = newRequest();
    await ledger.create(request, new Date('2026-01-01T00:00:00.000Z'));
    const stored = await ledger.get(request.requestId);
    expect(stored).toMatchObject({
      status: 'pending_verification',
      contact: { email: 'someone@example.com' },
    });
    expect(stored?.history).toEqual([{ status: 'pending_verification', at: '2026-01-01T00:00:00.000Z' }]);
  });

  it('never overwrites an existing request id', async () => {
    const request = newRequest();
    await ledger.create(request);
    await expect(ledger.create({ ...request, subjectHash: 'other' })).rejects.toMatchObject({
      name: 'DuplicateRequest',
    });
    expect((await ledger.get(request.requestId))?.subjectHash).toBe('subject-hash');
  });

  it('moves a request through the lifecycle, recording each step in history', async () => {
    const request = newRequest();
    await ledger.create(request);
    await ledger.transition(request.requestId, 'verify');
    await ledger.transition(request.requestId, 'start');
    await ledger.setPlan(request.requestId, { email: ['someone@example.com'] }, [
      'customers',
      'marketing-preferences',
    ]);
    await ledger.setStoreProgress(request.requestId, 'marketing-preferences', {
      status: 'completed',
      records: 2,
    });
    await ledger.transition(request.requestId, 'complete');
    const stored = await ledger.get(request.requestId);
    expect(stored?.status).toBe('completed');
    expect(stored?.history.map((h) => h.status)).toEqual([
      'pending_verification',
      'verified',
      'in_progress',
      'completed',
    ]);
    expect(stored?.stores).toEqual({
      customers: { status: 'pending' },
      'marketing-preferences': { status: 'completed', records: 2 },
    });
  });

  it('refuses a transition the lifecycle does not allow', async () => {
    const request = newRequest();
    await ledger.create(request);
    await expect(ledger.transition(request.requestId, 'complete')).rejects.toBeInstanceOf(
      InvalidTransitionError,
    );
  });

  it('lets only one of two concurrent writers move the request', async () => {
    const request = newRequest();
    await ledger.create(request);
    const results = await Promise.allSettled([
      ledger.transition(request.requestId, 'verify'),
      ledger.transition(request.requestId, 'reject'),
    ]);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(StatusConflictError);
    expect((await ledger.get(request.requestId))?.history).toHaveLength(2);
  });

  it('counts wrong codes atomically and stops at the limit, even under concurrent guesses', async () => {
    const request = newRequest();
    await ledger.create(request);
    await ledger.setVerification(request.requestId, verification('token-1'));
    const results = await Promise.allSettled(
      Array.from({ length: MAX_VERIFICATION_ATTEMPTS + 3 }, () =>
        ledger.recordWrongAttempt(request.requestId),
      ),
    );
    const counts = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).sort();
    expect(counts).toEqual([1, 2, 3, 4, 5]);
    expect((await ledger.get(request.requestId))?.verification?.attempts).toBe(MAX_VERIFICATION_ATTEMPTS);
  });

  it('replaces the task token when verification is requested again, and stops once verified', async () => {
    const request = newRequest();
    await ledger.create(request);
    await ledger.setVerification(request.requestId, verification('token-1'));
    await ledger.setVerification(request.requestId, verification('token-2'));
    expect((await ledger.get(request.requestId))?.verification?.taskToken).toBe('token-2');
    await ledger.transition(request.requestId, 'verify');
    await expect(ledger.setVerification(request.requestId, verification('token-3'))).rejects.toBeInstanceOf(
      StatusConflictError,
    );
  });

  it('stores a failure reason with the failed status', async () => {
    const request = newRequest();
    await ledger.create(request);
    await ledger.transition(request.requestId, 'fail', { failure: { error: 'Boom', cause: 'because' } });
    expect(await ledger.get(request.requestId)).toMatchObject({
      status: 'failed',
      failure: { error: 'Boom', cause: 'because' },
    });
  });
});
