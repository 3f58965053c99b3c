import { WorkflowRunner } from '../../infra/local/workflow-runner';
import { eventually, stubHandlers } from '../support/stub-handlers';

const requestId = '20260101-access-ABCDEFGHJK';

class TransientError extends Error {}
class StoreUnreachable extends Error {
  override name = 'StoreUnreachable';
}

const runners: WorkflowRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

/** Starts the real definition with the given stubs; retries wait 0 ms. */
function run(
  stubs: ReturnType<typeof stubHandlers>,
  input: object,
  options: { verificationTimeout?: number } = {},
) {
  const runner = new WorkflowRunner({
    handlers: stubs.handlers,
    retryIntervalMs: 0,
    ...(options.verificationTimeout
      ? { taskTimeoutOverrides: { RequestVerification: options.verificationTimeout } }
      : {}),
  });
  runners.push(runner);
  const name = (input as { requestId: string }).requestId;
  runner.start(name, JSON.stringify(input));
  return { runner, name };
}

async function verificationToken(runner: WorkflowRunner, name: string): Promise<string> {
  return eventually(() => runner.waitingTokens(name)[0], 5000, 'the verification task token');
}

describe('the workflow, run as written with stubbed tasks', () => {
  it('answers a verified access request by exporting every planned store, packaging, emailing and marking it completed', async () => {
    // Prepare
    const stubs = stubHandlers();
    const { runner, name } = run(stubs, { requestId, type: 'access' });

    // Act
    const token = await verificationToken(runner, name);
    runner.sendTaskSuccess(token, JSON.stringify({ verifiedAt: '2026-01-01T00:00:00Z' }));
    const execution = await runner.waitFor(name);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('RequestVerification')).toEqual([{ requestId, taskToken: token }]);
    expect(stubs.callsOf('ExportStore')).toEqual(
      expect.arrayContaining([
        { requestId, storeId: 'customers' },
        { requestId, storeId: 'orders' },
        { requestId, storeId: 'activity' },
      ]),
    );
    expect(stubs.callsOf('ExportStore')).toHaveLength(3);
    expect(stubs.callsOf('PackageExport')[0]).toMatchObject({ requestId, exports: expect.any(Array) });
    expect(stubs.callsOf('SendExportLink')).toEqual([{ requestId, key: 'exports/request.zip' }]);
    expect(stubs.callsOf('RecordOutcome')).toEqual([{ requestId, outcome: 'completed' }]);
    expect(execution.events.some((e) => e.type === 'StateEntered')).toBe(true);
  });

  it('marks the request rejected when verification is refused', async () => {
    const stubs = stubHandlers();
    const { runner, name } = run(stubs, { requestId, type: 'access' });

    runner.sendTaskFailure(
      await verificationToken(runner, name),
      'VerificationRejected',
      'too many wrong codes',
    );
    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('RecordOutcome')).toEqual([{ requestId, outcome: 'rejected' }]);
    expect(stubs.callsOf('PlanStores')).toEqual([]);
  });

  it('marks the request expired when nobody verifies it in time', async () => {
    const stubs = stubHandlers();
    const { runner, name } = run(stubs, { requestId, type: 'access' }, { verificationTimeout: 1 });

    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('RecordOutcome')).toEqual([{ requestId, outcome: 'expired' }]);
    expect(runner.waitingTokens(name)).toEqual([]);
  });

  it('marks the request failed with the error name when a task fails for good, and fails the execution', async () => {
    const stubs = stubHandlers({
      ExportStore: async () => {
        throw new StoreUnreachable('store timed out');
      },
    });
    const { runner, name } = run(stubs, { requestId, type: 'access' });

    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const execution = await runner.waitFor(name);

    expect(stubs.callsOf('RecordOutcome')).toEqual([
      { requestId, outcome: 'failed', error: { Error: 'StoreUnreachable', Cause: 'store timed out' } },
    ]);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('RequestFailed');
    expect(stubs.callsOf('PackageExport')).toEqual([]);
  });

  it('retries a task that fails with a TransientError and carries on when it then succeeds', async () => {
    let failures = 0;
    const stubs = stubHandlers({
      PlanStores: async () => {
        if (failures++ < 2) throw new TransientError('throttled');
        return { stores: [{ storeId: 'customers' }] };
      },
    });
    const { runner, name } = run(stubs, { requestId, type: 'access' });

    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const execution = await runner.waitFor(name);

    expect(stubs.callsOf('PlanStores')).toHaveLength(3);
    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('RecordOutcome')).toEqual([{ requestId, outcome: 'completed' }]);
    expect(execution.events.filter((e) => e.type === 'StateRetried')).toHaveLength(2);
  });

  it('marks a delete request failed as not yet supported once it is verified', async () => {
    const deleteId = '20260101-delete-ABCDEFGHJK';
    const stubs = stubHandlers();
    const { runner, name } = run(stubs, { requestId: deleteId, type: 'delete' });

    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const execution = await runner.waitFor(name);

    expect(stubs.callsOf('RecordOutcome')).toEqual([
      {
        requestId: deleteId,
        outcome: 'failed',
        error: expect.objectContaining({ Error: 'RequestTypeNotSupported' }),
      },
    ]);
    expect(stubs.callsOf('PlanStores')).toEqual([]);
    expect(execution.status).toBe('FAILED');
  });

  it('refuses a second execution with the same request id', () => {
    const stubs = stubHandlers();
    const { runner, name } = run(stubs, { requestId, type: 'access' });

    expect(() => runner.start(name, JSON.stringify({ requestId, type: 'access' }))).toThrow(
      expect.objectContaining({ name: 'ExecutionAlreadyExists' }),
    );
  });

  it('refuses a callback for a token no task is waiting on', () => {
    const runner = new WorkflowRunner({ handlers: stubHandlers().handlers });
    expect(() => runner.sendTaskSuccess('no-such-token', '{}')).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
  });
});
