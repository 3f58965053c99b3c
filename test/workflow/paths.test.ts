import { ReviewInput, reviewStoreOutcomes } from '../../functions/core/support/review';
import { WorkflowRunner } from '../../infra/local/workflow-runner';
import { eventually, STUB_ERASURE_COUNTS, stubHandlers } from '../support/stub-handlers';

const requestId = '20260101-access-ABCDEFGHJK';

/** One Map iteration's input for a data store, as the ItemSelector builds it. */
const storeItem = (id: string, storeId: string) => ({
  requestId: id,
  storeId,
  kind: 'dynamodb',
  ackSeconds: 0,
});

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
        storeItem(requestId, 'customers'),
        storeItem(requestId, 'orders'),
        storeItem(requestId, 'activity'),
      ]),
    );
    expect(stubs.callsOf('ExportStore')).toHaveLength(3);
    // No processor handles this request: its Map runs over none and the request goes on.
    expect(stubs.callsOf('NotifyProcessor')).toEqual([]);
    expect(
      execution.events.filter(
        (e) => e.type === 'StateEntered' && 'state' in e && e.state.name === 'ExportFromProcessors',
      ),
    ).toHaveLength(1);
    expect(stubs.callsOf('PackageExport')[0]).toMatchObject({ requestId, exports: expect.any(Array) });
    expect(stubs.callsOf('SendExportLink')).toEqual([{ requestId, key: 'exports/request.zip' }]);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('SendExportLink');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
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
    expect(stubs.callsOf('RecordOutcome')).toEqual([
      { requestId, outcome: 'expired', error: expect.objectContaining({ Error: 'States.Timeout' }) },
    ]);
    expect(runner.waitingTokens(name)).toEqual([]);
  });

  it('ends the request expired, with the bounce as its reason, when the verification email bounces', async () => {
    const stubs = stubHandlers();
    const { runner, name } = run(stubs, { requestId, type: 'access' });

    runner.sendTaskFailure(
      await verificationToken(runner, name),
      'VerificationUndeliverable',
      'verification email bounced (Permanent/General)',
    );
    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('RecordOutcome')).toEqual([
      {
        requestId,
        outcome: 'expired',
        error: {
          Error: 'VerificationUndeliverable',
          Cause: 'verification email bounced (Permanent/General)',
        },
      },
    ]);
    expect(stubs.callsOf('PlanStores')).toEqual([]);
  });

  it('keeps the other stores when one fails for good, waits for support, and a retry runs only the failed store before packaging everything once', async () => {
    // Prepare: orders fails for good on the first pass only
    let ordersCalls = 0;
    const stubs = stubHandlers({
      ExportStore: async (p) => {
        const { storeId } = p as { storeId: string };
        if (storeId === 'orders' && ordersCalls++ === 0) throw new StoreUnreachable('table not found');
        return { storeId, key: `work/${storeId}.json`, records: 2 };
      },
    });
    const { runner, name } = run(stubs, { requestId, type: 'access' });

    // Act
    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const decisionToken = await eventually(
      () => (stubs.callsOf('RequestSupportDecision')[0] as { taskToken?: string } | undefined)?.taskToken,
      5000,
      'the support decision task',
    );
    expect(stubs.callsOf('RequestSupportDecision')[0]).toMatchObject({
      requestId,
      failed: [{ storeId: 'orders', failed: true, error: 'StoreUnreachable' }],
    });
    expect(stubs.callsOf('PackageExport')).toEqual([]);
    runner.sendTaskSuccess(decisionToken, JSON.stringify({ action: 'retry' }));
    const execution = await runner.waitFor(name);

    // Assess: customers and activity ran once, orders twice; one package of all three; one link; completed
    expect(execution.status).toBe('SUCCEEDED');
    const exported = stubs.callsOf('ExportStore').map((c) => (c as { storeId: string }).storeId);
    expect(exported.sort()).toEqual(['activity', 'customers', 'orders', 'orders']);
    const packaged = stubs.callsOf('PackageExport') as { exports: { storeId: string }[] }[];
    expect(packaged).toHaveLength(1);
    expect(packaged[0]?.exports.map((e) => e.storeId).sort()).toEqual(['activity', 'customers', 'orders']);
    expect(stubs.callsOf('SendExportLink')).toHaveLength(1);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('SendExportLink');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });

  it("ends support's wait at the deadline: waits again once when the deadline was extended, then completes with the other stores", async () => {
    // Prepare: orders fails for good; support's wait is bounded to 1 s; the deadline was extended once
    let deadlineCalls = 0;
    const stubs = stubHandlers({
      ExportStore: async (p) => {
        const { storeId } = p as { storeId: string };
        if (storeId === 'orders') throw new StoreUnreachable('table not found');
        return { storeId, key: `work/${storeId}.json`, records: 2 };
      },
      ReviewStoreOutcomes: async (p) => ({
        ...reviewStoreOutcomes(ReviewInput.parse(p)),
        decisionSeconds: 1,
      }),
      DecideAtDeadline: async () =>
        deadlineCalls++ === 0
          ? { action: 'wait', decisionSeconds: 1 }
          : { action: 'complete', decisionSeconds: 0 },
    });
    const { runner, name } = run(stubs, { requestId, type: 'access' });

    // Act: nobody decides
    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const execution = await runner.waitFor(name);

    // Assess: two waits, two deadline checks, one package of the stores that finished, completed
    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('RequestSupportDecision')).toHaveLength(2);
    expect(stubs.callsOf('DecideAtDeadline')).toEqual([{ requestId }, { requestId }]);
    const packaged = stubs.callsOf('PackageExport') as { exports: { storeId: string }[] }[];
    expect(packaged).toHaveLength(1);
    expect(packaged[0]?.exports.map((e) => e.storeId).sort()).toEqual(['activity', 'customers']);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('SendExportLink');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });

  it('retries a task that fails with a TransientError and carries on when it then succeeds', async () => {
    let failures = 0;
    const stubs = stubHandlers({
      PlanStores: async () => {
        if (failures++ < 2) throw new TransientError('throttled');
        return { dataStores: [{ storeId: 'customers', kind: 'dynamodb', ackSeconds: 0 }], processors: [] };
      },
    });
    const { runner, name } = run(stubs, { requestId, type: 'access' });

    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const execution = await runner.waitFor(name);

    expect(stubs.callsOf('PlanStores')).toHaveLength(3);
    expect(execution.status).toBe('SUCCEEDED');
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('SendExportLink');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
    expect(execution.events.filter((e) => e.type === 'StateRetried')).toHaveLength(2);
  });

  it('answers a verified opt-out by turning consent off in every planned store, suppressing the subject and marking it completed', async () => {
    const optOutId = '20260101-opt-out-ABCDEFGHJK';
    const stubs = stubHandlers();
    const { runner, name } = run(stubs, { requestId: optOutId, type: 'opt_out' });

    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('PlanStores')).toHaveLength(1);
    expect(stubs.callsOf('OptOutStore')).toEqual(
      expect.arrayContaining([
        storeItem(optOutId, 'customers'),
        storeItem(optOutId, 'orders'),
        storeItem(optOutId, 'activity'),
      ]),
    );
    expect(stubs.callsOf('OptOutStore')).toHaveLength(3);
    expect(stubs.callsOf('RecordSuppression')).toEqual([{ requestId: optOutId }]);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('RecordSuppression');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
    expect(stubs.callsOf('ExportStore')).toEqual([]);
    expect(stubs.callsOf('ScheduleErasure')).toEqual([]);
    expect(stubs.callsOf('EraseStore')).toEqual([]);
    // Sticky at once: suppressed before any store is touched; confirmed after the last one.
    const suppressedAt =
      stubs.calls.find((c) => c.task === 'SuppressSubject')?.at ?? Number.POSITIVE_INFINITY;
    const firstStore = Math.min(...stubs.calls.filter((c) => c.task === 'OptOutStore').map((c) => c.at));
    const lastStore = Math.max(...stubs.calls.filter((c) => c.task === 'OptOutStore').map((c) => c.at));
    expect(suppressedAt).toBeLessThanOrEqual(firstStore);
    expect(stubs.callsOf('SuppressSubject')).toEqual([{ requestId: optOutId }]);
    const confirmedAt = stubs.calls.find((c) => c.task === 'RecordSuppression')?.at ?? 0;
    expect(confirmedAt).toBeGreaterThanOrEqual(lastStore);
  });

  it('skips the verification email for an opt-out started by a one-click unsubscribe (preVerified)', async () => {
    const optOutId = '20260101-opt-out-BCDEFGHJKM';
    const stubs = stubHandlers();
    const { runner, name } = run(stubs, { requestId: optOutId, type: 'opt_out', preVerified: true });

    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('ValidateRequest')).toEqual([
      { requestId: optOutId, type: 'opt_out', preVerified: true },
    ]);
    expect(stubs.callsOf('RequestVerification')).toEqual([]);
    expect(stubs.callsOf('OptOutStore')).toHaveLength(3);
    expect(stubs.callsOf('RecordSuppression')).toEqual([{ requestId: optOutId }]);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('RecordSuppression');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });

  it('still asks for verification when preVerified is anything but true', async () => {
    const optOutId = '20260101-opt-out-CDEFGHJKMN';
    const stubs = stubHandlers();
    const { runner, name } = run(stubs, { requestId: optOutId, type: 'opt_out', preVerified: 'yes' });

    const token = await verificationToken(runner, name);
    expect(stubs.callsOf('OptOutStore')).toEqual([]);
    runner.sendTaskSuccess(token, '{}');
    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('RequestVerification')).toEqual([{ requestId: optOutId, taskToken: token }]);
  });

  it('keeps the subject suppressed when a store fails for good and support fails the request', async () => {
    const optOutId = '20260101-opt-out-DEFGHJKMNP';
    const stubs = stubHandlers({
      OptOutStore: async (p) => {
        const { storeId } = p as { storeId: string };
        if (storeId === 'orders') throw new StoreUnreachable('store timed out');
        return { storeId, updated: 1, skipped: false };
      },
    });
    const { runner, name } = run(stubs, { requestId: optOutId, type: 'opt_out' });

    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const decisionToken = await eventually(
      () => (stubs.callsOf('RequestSupportDecision')[0] as { taskToken?: string } | undefined)?.taskToken,
      5000,
      'the support decision task',
    );
    runner.sendTaskSuccess(decisionToken, JSON.stringify({ action: 'fail' }));
    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('FAILED');
    expect(stubs.callsOf('OptOutStore')).toHaveLength(3);
    expect(stubs.callsOf('SuppressSubject')).toEqual([{ requestId: optOutId }]);
    // No confirmation for an opt-out that did not finish; the suppression stays.
    expect(stubs.callsOf('RecordSuppression')).toEqual([]);
    expect(stubs.callsOf('RecordOutcome')).toEqual([
      {
        requestId: optOutId,
        outcome: 'failed',
        error: expect.objectContaining({ Error: 'FailedBySupport' }),
      },
    ]);
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

const deleteId = '20260101-delete-ABCDEFGHJK';

class RequestCancelled extends Error {
  override name = 'RequestCancelled';
}
class ErasureIncomplete extends Error {
  override name = 'ErasureIncomplete';
}

describe('the delete path, run as written with stubbed tasks', () => {
  it('schedules, waits out the grace period, erases and proves every store in one task each, issues the certificate and marks it completed', async () => {
    // Prepare
    const stubs = stubHandlers();
    const { runner, name } = run(stubs, { requestId: deleteId, type: 'delete' });

    // Act
    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const execution = await runner.waitFor(name);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('ScheduleErasure')).toEqual([{ requestId: deleteId }]);
    expect(stubs.callsOf('PlanStores')).toHaveLength(1);
    const stores = ['customers', 'orders', 'activity'];
    expect(stubs.callsOf('EraseStore')).toEqual(
      expect.arrayContaining(stores.map((storeId) => storeItem(deleteId, storeId))),
    );
    expect(stubs.callsOf('EraseStore')).toHaveLength(3);
    // The certificate is issued only once every store's erasure came back proven.
    const certified = stubs.calls.findIndex((c) => c.task === 'IssueCertificate');
    const lastErased = stubs.calls.map((c) => c.task).lastIndexOf('EraseStore');
    expect(certified).toBeGreaterThan(lastErased);
    expect(stubs.callsOf('IssueCertificate')).toEqual([{ requestId: deleteId }]);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('IssueCertificate');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
    expect(stubs.callsOf('ExportStore')).toEqual([]);
    expect(stubs.callsOf('SendExportLink')).toEqual([]);
  });

  it('waits the grace period the schedule returns before anything is planned or erased', async () => {
    const stubs = stubHandlers({
      ScheduleErasure: async () => ({
        requestId: deleteId,
        graceSeconds: 1,
        graceEndsAt: new Date(Date.now() + 1000).toISOString(),
      }),
    });
    const { runner, name } = run(stubs, { requestId: deleteId, type: 'delete' });

    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('SUCCEEDED');
    const scheduled = stubs.calls.find((c) => c.task === 'ScheduleErasure')?.at ?? 0;
    const planned = stubs.calls.find((c) => c.task === 'PlanStores')?.at ?? 0;
    expect(planned - scheduled).toBeGreaterThanOrEqual(950);
    expect(execution.events.some((e) => 'state' in e && e.state.name === 'AwaitGracePeriod')).toBe(true);
  });

  it('stops a delete the subject cancelled during the grace period: nothing is erased and the request ends cancelled', async () => {
    // Prepare: PlanStores sees what the cancel endpoint wrote to the ledger
    let cancelled = false;
    const stubs = stubHandlers({
      ScheduleErasure: async () => ({
        requestId: deleteId,
        graceSeconds: 1,
        graceEndsAt: new Date(Date.now() + 1000).toISOString(),
      }),
      PlanStores: async () => {
        if (cancelled) throw new RequestCancelled('cancelled during the grace period');
        return { dataStores: [{ storeId: 'customers', kind: 'dynamodb', ackSeconds: 0 }], processors: [] };
      },
    });
    const { runner, name } = run(stubs, { requestId: deleteId, type: 'delete' });

    // Act: cancel while the workflow waits
    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    await eventually(() => stubs.callsOf('ScheduleErasure')[0], 5000, 'the schedule');
    cancelled = true;
    const execution = await runner.waitFor(name);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('PlanStores')).toHaveLength(1);
    expect(stubs.callsOf('EraseStore')).toEqual([]);
    expect(stubs.callsOf('IssueCertificate')).toEqual([]);
    expect(stubs.callsOf('RecordOutcome')).toEqual([{ requestId: deleteId, outcome: 'cancelled' }]);
  });

  it('sends an ErasureIncomplete store to support without retrying it, and completes with exceptions when support says so', async () => {
    const stubs = stubHandlers({
      EraseStore: async (p) => {
        const { storeId } = p as { storeId: string };
        if (storeId === 'orders')
          throw new ErasureIncomplete('store orders: 1 record remains that should be gone');
        return { storeId, counts: STUB_ERASURE_COUNTS, remaining: 0, verified: true };
      },
    });
    const { runner, name } = run(stubs, { requestId: deleteId, type: 'delete' });

    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const decisionToken = await eventually(
      () => (stubs.callsOf('RequestSupportDecision')[0] as { taskToken?: string } | undefined)?.taskToken,
      5000,
      'the support decision task',
    );
    expect(stubs.callsOf('RequestSupportDecision')[0]).toMatchObject({
      failed: [{ storeId: 'orders', error: 'ErasureIncomplete' }],
    });
    expect(stubs.callsOf('IssueCertificate')).toEqual([]);
    runner.sendTaskSuccess(decisionToken, JSON.stringify({ action: 'complete' }));
    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('SUCCEEDED');
    const ordersRuns = stubs
      .callsOf('EraseStore')
      .filter((p) => (p as { storeId: string }).storeId === 'orders');
    expect(ordersRuns).toHaveLength(1);
    expect(stubs.callsOf('EraseStore')).toHaveLength(3);
    expect(stubs.callsOf('IssueCertificate')).toHaveLength(1);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('IssueCertificate');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });

  it('retries a store whose erasure hits a TransientError, then completes', async () => {
    let failures = 0;
    const stubs = stubHandlers({
      EraseStore: async (p) => {
        const { storeId } = p as { storeId: string };
        if (storeId === 'activity' && failures++ < 2) throw new TransientError('throttled');
        return {
          storeId,
          counts: { found: 1, deleted: 1, masked: 0, retained: 0, held: 0 },
          remaining: 0,
          verified: true,
        };
      },
    });
    const { runner, name } = run(stubs, { requestId: deleteId, type: 'delete' });

    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('SUCCEEDED');
    expect(stubs.callsOf('EraseStore')).toHaveLength(5);
    // The last task records the completion itself: no MarkCompleted, no RecordOutcome.
    expect(stubs.calls.at(-1)?.task).toBe('IssueCertificate');
    expect(stubs.callsOf('RecordOutcome')).toEqual([]);
  });

  it('marks the request failed when the certificate cannot be issued', async () => {
    const stubs = stubHandlers({
      IssueCertificate: async () => {
        throw new Error('audit bucket refused the write');
      },
    });
    const { runner, name } = run(stubs, { requestId: deleteId, type: 'delete' });

    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    const execution = await runner.waitFor(name);

    expect(execution.status).toBe('FAILED');
    expect(stubs.callsOf('RecordOutcome')).toEqual([
      { requestId: deleteId, outcome: 'failed', error: expect.objectContaining({ Error: 'Error' }) },
    ]);
  });

  it('stops promptly when the local runtime stops during a long grace period, erasing nothing', async () => {
    const stubs = stubHandlers({
      ScheduleErasure: async () => ({
        requestId: deleteId,
        graceSeconds: 24 * 3600,
        graceEndsAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
      }),
    });
    const { runner, name } = run(stubs, { requestId: deleteId, type: 'delete' });
    runner.sendTaskSuccess(await verificationToken(runner, name), '{}');
    await eventually(() => stubs.callsOf('ScheduleErasure')[0], 5000, 'the schedule');

    const stopping = Date.now();
    await runner.stop();

    expect(Date.now() - stopping).toBeLessThan(2000);
    expect(runner.describe(name).status).toBe('ABORTED');
    expect(stubs.callsOf('PlanStores')).toEqual([]);
    expect(stubs.callsOf('EraseStore')).toEqual([]);
  });
});
