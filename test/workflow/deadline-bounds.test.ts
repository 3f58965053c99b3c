import { WorkflowRunner } from '../../infra/local/workflow-runner';
import { eventually, stubHandlers } from '../support/stub-handlers';

const requestId = '20260101-access-abcdefghjk';

const runners: WorkflowRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

describe('waits bounded by the deadline, as the workflow is written', () => {
  it('ends the verification wait when ValidateRequest’s bound runs out: the request expires, nothing is planned', async () => {
    // Prepare: the deadline leaves 1 second of verification wait.
    const stubs = stubHandlers({
      ValidateRequest: async (p) => ({ ...(p as object), verificationSeconds: 1 }),
    });
    const runner = new WorkflowRunner({ handlers: stubs.handlers, retryIntervalMs: 0 });
    runners.push(runner);

    // Act
    runner.start(requestId, JSON.stringify({ requestId, type: 'access' }));
    await eventually(() => runner.waitingTokens(requestId)[0], 5000, 'the verification task token');
    const execution = await runner.waitFor(requestId);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('RecordOutcome')).toEqual([
      { requestId, outcome: 'expired', error: expect.objectContaining({ Error: 'States.Timeout' }) },
    ]);
    expect(stubs.callsOf('PlanStores')).toEqual([]);
  }, 15000);

  it('keeps waiting for verification within the bound, and goes on once verified', async () => {
    const stubs = stubHandlers({
      ValidateRequest: async (p) => ({ ...(p as object), verificationSeconds: 60 }),
    });
    const runner = new WorkflowRunner({ handlers: stubs.handlers, retryIntervalMs: 0 });
    runners.push(runner);

    runner.start(requestId, JSON.stringify({ requestId, type: 'access' }));
    const token = await eventually(
      () => runner.waitingTokens(requestId)[0],
      5000,
      'the verification task token',
    );
    await new Promise((r) => setTimeout(r, 1500));
    runner.sendTaskSuccess(token, JSON.stringify({ verifiedAt: '2026-01-01T00:00:00Z' }));
    const execution = await runner.waitFor(requestId);

    expect(execution.status).toBe('SUCCEEDED');
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('SendExportLink');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  }, 15000);

  it('escalates a processor when its acknowledgement wait (bounded by PlanStores) runs out', async () => {
    const stubs = stubHandlers({
      PlanStores: async () => ({
        dataStores: [],
        processors: [{ storeId: 'logistics', kind: 'processor', ackSeconds: 1 }],
      }),
      NotifyProcessor: async () => ({}),
    });
    const runner = new WorkflowRunner({ handlers: stubs.handlers, retryIntervalMs: 0 });
    runners.push(runner);

    runner.start(requestId, JSON.stringify({ requestId, type: 'access' }));
    const token = await eventually(
      () => runner.waitingTokens(requestId)[0],
      5000,
      'the verification task token',
    );
    runner.sendTaskSuccess(token, JSON.stringify({ verifiedAt: '2026-01-01T00:00:00Z' }));
    const execution = await runner.waitFor(requestId);

    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('EscalateProcessor')).toEqual([
      expect.objectContaining({
        requestId,
        storeId: 'logistics',
        error: expect.objectContaining({ Error: 'States.Timeout' }),
      }),
    ]);
  }, 15000);
});
