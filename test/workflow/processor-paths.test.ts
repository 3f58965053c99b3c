import { WorkflowRunner } from '../../infra/local/workflow-runner';
import { eventually, stubHandlers } from '../support/stub-handlers';

const accessId = '20260101-access-PARTNERSAA';
const deleteId = '20260101-delete-PARTNERSAA';
const optOutId = '20260101-opt-out-PARTNERSA';

class ProcessorUnavailable extends Error {
  override name = 'ProcessorUnavailable';
}
class TransientError extends Error {
  override name = 'TransientError';
}
class ProcessorConfigError extends Error {
  override name = 'ProcessorConfigError';
}
class StoreUnreachable extends Error {
  override name = 'StoreUnreachable';
}

/** Two data stores and one processor, as PlanStores returns them. */
const plan = (ackSeconds: number) => async () => ({
  dataStores: [
    { storeId: 'customers', kind: 'dynamodb', ackSeconds: 0 },
    { storeId: 'orders', kind: 'dynamodb', ackSeconds: 0 },
  ],
  processors: [{ storeId: 'logistics', kind: 'processor', ackSeconds }],
});

interface NotifyPayload {
  readonly requestId: string;
  readonly storeId: string;
  readonly taskToken: string;
}

const runners: WorkflowRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

/** Starts the real definition, already verified (preVerified opt-out) or verified at once; retries wait 0 ms. */
async function runVerified(
  stubs: ReturnType<typeof stubHandlers>,
  runnerRef: { runner?: WorkflowRunner },
  input: { requestId: string; type: string },
) {
  const runner = new WorkflowRunner({ handlers: stubs.handlers, retryIntervalMs: 0 });
  runners.push(runner);
  runnerRef.runner = runner;
  runner.start(input.requestId, JSON.stringify(input));
  const token = await eventually(() => runner.waitingTokens(input.requestId)[0], 5000, 'verification');
  runner.sendTaskSuccess(token, '{}');
  return runner.waitFor(input.requestId);
}

describe('the partner branch of the workflow, run as written with stubbed tasks', () => {
  it('asks an access partner instead of exporting it, and packages its records with the data stores', async () => {
    // Prepare: the processor acknowledges in its webhook answer, so NotifyProcessor completes its own token
    const ref: { runner?: WorkflowRunner } = {};
    const processorExport = { storeId: 'logistics', key: 'work/logistics.json', records: 4 };
    const stubs = stubHandlers({
      PlanStores: plan(60),
      NotifyProcessor: async (p) => {
        ref.runner?.sendTaskSuccess((p as NotifyPayload).taskToken, JSON.stringify(processorExport));
        return { storeId: 'logistics', outcome: 'acknowledged' };
      },
    });

    // Act
    const execution = await runVerified(stubs, ref, { requestId: accessId, type: 'access' });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('NotifyProcessor')).toEqual([
      { requestId: accessId, storeId: 'logistics', taskToken: expect.any(String) },
    ]);
    expect(
      stubs
        .callsOf('ExportStore')
        .map((p) => (p as { storeId: string }).storeId)
        .sort(),
    ).toEqual(['customers', 'orders']);
    const packaged = stubs.callsOf('PackageExport')[0] as { exports: unknown[] };
    expect(packaged.exports).toEqual(expect.arrayContaining([processorExport]));
    expect(packaged.exports).toHaveLength(3);
    expect(stubs.callsOf('EscalateProcessor')).toEqual([]);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('SendExportLink');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });

  it('waits for a partner that calls back later, then issues the certificate of the delete', async () => {
    const ref: { runner?: WorkflowRunner } = {};
    const stubs = stubHandlers({ PlanStores: plan(60) });
    const runner = new WorkflowRunner({ handlers: stubs.handlers, retryIntervalMs: 0 });
    runners.push(runner);
    ref.runner = runner;
    runner.start(deleteId, JSON.stringify({ requestId: deleteId, type: 'delete' }));
    runner.sendTaskSuccess(
      await eventually(() => runner.waitingTokens(deleteId)[0], 5000, 'verification'),
      '{}',
    );

    // The processor answered "accepted": the workflow waits on its token, nothing is certified yet
    const notice = (await eventually(
      () => stubs.callsOf('NotifyProcessor')[0],
      5000,
      'the notice',
    )) as NotifyPayload;
    await eventually(() => (stubs.callsOf('EraseStore').length === 2 ? true : undefined), 5000, 'stores');
    expect(runner.waitingTokens(deleteId)).toEqual([notice.taskToken]);
    expect(stubs.callsOf('IssueCertificate')).toEqual([]);

    // Its callback resumes the workflow
    runner.sendTaskSuccess(
      notice.taskToken,
      JSON.stringify({ storeId: 'logistics', processor: { status: 'completed', reference: 'KCL-1' } }),
    );
    const execution = await runner.waitFor(deleteId);

    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('EraseStore')).toHaveLength(2);
    expect(stubs.callsOf('EscalateProcessor')).toEqual([]);
    expect(stubs.callsOf('IssueCertificate')).toEqual([{ requestId: deleteId }]);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('IssueCertificate');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });

  it('escalates a partner that never acknowledges once its deadline passes, refuses its late callback there, and still completes the delete', async () => {
    // Prepare: the escalation tries the processor's token, as a late callback would
    const ref: { runner?: WorkflowRunner } = {};
    let lateCallback: string | undefined;
    const stubs = stubHandlers({
      PlanStores: plan(1),
      EscalateProcessor: async (p) => {
        const notice = stubs.callsOf('NotifyProcessor')[0] as NotifyPayload;
        try {
          ref.runner?.sendTaskSuccess(notice.taskToken, '{}');
        } catch (error) {
          lateCallback = (error as Error).name;
        }
        return { storeId: (p as { storeId: string }).storeId, escalated: true, reason: 'deadline_passed' };
      },
    });

    // Act
    const started = Date.now();
    const execution = await runVerified(stubs, ref, { requestId: deleteId, type: 'delete' });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(stubs.callsOf('EscalateProcessor')).toEqual([
      {
        requestId: deleteId,
        storeId: 'logistics',
        error: expect.objectContaining({ Error: 'States.Timeout' }),
      },
    ]);
    expect(lateCallback).toBe('TaskTimedOut');
    expect(stubs.callsOf('IssueCertificate')).toEqual([{ requestId: deleteId }]);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('IssueCertificate');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });

  it('escalates an unreachable partner at once, without waiting for its deadline, and the opt-out still suppresses the subject', async () => {
    const ref: { runner?: WorkflowRunner } = {};
    const stubs = stubHandlers({
      PlanStores: plan(3600),
      NotifyProcessor: async () => {
        throw new ProcessorUnavailable('partner logistics is unavailable (HTTP 503)');
      },
    });

    const started = Date.now();
    const execution = await runVerified(stubs, ref, { requestId: optOutId, type: 'opt_out' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(stubs.callsOf('NotifyProcessor')).toHaveLength(1);
    expect(stubs.callsOf('EscalateProcessor')).toEqual([
      {
        requestId: optOutId,
        storeId: 'logistics',
        error: { Error: 'ProcessorUnavailable', Cause: 'partner logistics is unavailable (HTTP 503)' },
      },
    ]);
    expect(stubs.callsOf('OptOutStore')).toHaveLength(2);
    expect(stubs.callsOf('RecordSuppression')).toEqual([{ requestId: optOutId }]);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('RecordSuppression');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });

  it('retries a partner notice that hits a TransientError with a fresh task token', async () => {
    const ref: { runner?: WorkflowRunner } = {};
    let failures = 0;
    const stubs = stubHandlers({
      PlanStores: plan(60),
      NotifyProcessor: async (p) => {
        if (failures++ === 0) throw new TransientError('throttled');
        ref.runner?.sendTaskSuccess((p as NotifyPayload).taskToken, '{"storeId":"logistics"}');
        return { storeId: 'logistics', outcome: 'acknowledged' };
      },
    });

    const execution = await runVerified(stubs, ref, { requestId: optOutId, type: 'opt_out' });

    expect(execution.status).toBe('SUCCEEDED');
    const tokens = stubs.callsOf('NotifyProcessor').map((p) => (p as NotifyPayload).taskToken);
    expect(tokens).toHaveLength(2);
    expect(new Set(tokens).size).toBe(2);
    expect(stubs.callsOf('EscalateProcessor')).toEqual([]);
  });

  it("sends a partner notice that fails for a reason that is ours to support, with the other stores done, and fails the request on support's decision", async () => {
    const ref: { runner?: WorkflowRunner } = {};
    const stubs = stubHandlers({
      PlanStores: plan(60),
      NotifyProcessor: async () => {
        throw new ProcessorConfigError('processor logistics has a non-https endpoint');
      },
      // Support decides at once: fail.
      RequestSupportDecision: async (p) => {
        const { taskToken } = p as { taskToken: string };
        setImmediate(() => ref.runner?.sendTaskSuccess(taskToken, JSON.stringify({ action: 'fail' })));
        return { status: 'needs_attention' };
      },
    });

    const execution = await runVerified(stubs, ref, { requestId: deleteId, type: 'delete' });

    expect(execution.status).toBe('FAILED');
    expect(stubs.callsOf('EscalateProcessor')).toEqual([]);
    expect(stubs.callsOf('EraseStore')).toHaveLength(2);
    expect(stubs.callsOf('RequestSupportDecision')[0]).toMatchObject({
      failed: [{ storeId: 'logistics', error: 'ProcessorConfigError' }],
    });
    expect(stubs.callsOf('IssueCertificate')).toEqual([]);
    expect(stubs.callsOf('RecordOutcome')).toEqual([
      {
        requestId: deleteId,
        outcome: 'failed',
        error: expect.objectContaining({ Error: 'FailedBySupport' }),
      },
    ]);
  });

  it('sends a failed data store and a failed partner to support together, and a retry runs each again in its own Map, nothing else', async () => {
    // Prepare: orders and the partner's notice each fail for good on the first pass only; support retries at once
    const ref: { runner?: WorkflowRunner } = {};
    let ordersCalls = 0;
    let notices = 0;
    const stubs = stubHandlers({
      PlanStores: plan(60),
      ExportStore: async (p) => {
        const { storeId } = p as { storeId: string };
        if (storeId === 'orders' && ordersCalls++ === 0) throw new StoreUnreachable('table not found');
        return { storeId, key: `work/${storeId}.json`, records: 2 };
      },
      NotifyProcessor: async (p) => {
        if (notices++ === 0) throw new ProcessorConfigError('processor logistics has a non-https endpoint');
        ref.runner?.sendTaskSuccess(
          (p as NotifyPayload).taskToken,
          JSON.stringify({ storeId: 'logistics', records: 1 }),
        );
        return { storeId: 'logistics', outcome: 'acknowledged' };
      },
      RequestSupportDecision: async (p) => {
        const { taskToken } = p as { taskToken: string };
        setImmediate(() => ref.runner?.sendTaskSuccess(taskToken, JSON.stringify({ action: 'retry' })));
        return { status: 'needs_attention' };
      },
    });

    // Act
    const execution = await runVerified(stubs, ref, { requestId: accessId, type: 'access' });

    // Assess: support saw both; customers ran once, orders and the partner twice; one package of all three
    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('RequestSupportDecision')).toEqual([
      expect.objectContaining({
        failed: [
          expect.objectContaining({ storeId: 'orders', kind: 'dynamodb', error: 'StoreUnreachable' }),
          expect.objectContaining({ storeId: 'logistics', kind: 'processor', error: 'ProcessorConfigError' }),
        ],
      }),
    ]);
    const exported = stubs.callsOf('ExportStore').map((p) => (p as { storeId: string }).storeId);
    expect(exported.sort()).toEqual(['customers', 'orders', 'orders']);
    expect(stubs.callsOf('NotifyProcessor').map((p) => (p as NotifyPayload).storeId)).toEqual([
      'logistics',
      'logistics',
    ]);
    const packaged = stubs.callsOf('PackageExport') as { exports: { storeId: string }[] }[];
    expect(packaged).toHaveLength(1);
    expect(packaged[0]?.exports.map((e) => e.storeId).sort()).toEqual(['customers', 'logistics', 'orders']);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('SendExportLink');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });

  it('retries only the partner when only the partner failed: no data store is erased or verified twice', async () => {
    const ref: { runner?: WorkflowRunner } = {};
    let notices = 0;
    const stubs = stubHandlers({
      PlanStores: plan(60),
      NotifyProcessor: async (p) => {
        if (notices++ === 0) throw new ProcessorConfigError('processor logistics has a non-https endpoint');
        ref.runner?.sendTaskSuccess((p as NotifyPayload).taskToken, JSON.stringify({ storeId: 'logistics' }));
        return { storeId: 'logistics', outcome: 'acknowledged' };
      },
      RequestSupportDecision: async (p) => {
        const { taskToken } = p as { taskToken: string };
        setImmediate(() => ref.runner?.sendTaskSuccess(taskToken, JSON.stringify({ action: 'retry' })));
        return { status: 'needs_attention' };
      },
    });

    const execution = await runVerified(stubs, ref, { requestId: deleteId, type: 'delete' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('RequestSupportDecision')).toEqual([
      expect.objectContaining({ failed: [expect.objectContaining({ storeId: 'logistics' })] }),
    ]);
    expect(stubs.callsOf('NotifyProcessor')).toHaveLength(2);
    expect(stubs.callsOf('EraseStore')).toHaveLength(2);
    // The retry's data-store Map ran over none; both Maps were still entered, in order.
    const maps = execution.events
      .filter((e) => e.type === 'StateEntered' && 'state' in e && e.state.type === 'Map')
      .map((e) => ('state' in e ? e.state.name : ''));
    expect(maps).toEqual([
      'EraseStores',
      'NotifyProcessorsOfErasure',
      'EraseStores',
      'NotifyProcessorsOfErasure',
    ]);
    expect(stubs.callsOf('IssueCertificate')).toEqual([{ requestId: deleteId }]);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('IssueCertificate');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });
});
