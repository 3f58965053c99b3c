import type { LedgerTable } from '../../functions/aws/ledger';
import type { ProcessorAck, ProcessorEvidence } from '../../functions/core/ledger-record';
import { startLedgerTable } from '../support/ledger-table';

let stopLedger: () => Promise<void>;
let ledger: LedgerTable;
let seq = 0;

beforeAll(async () => {
  ({ ledger, stop: stopLedger } = await startLedgerTable());
});
afterAll(async () => {
  await stopLedger();
});

/** A delete request, verified and in progress with a plan, as PlanStores leaves it. */
async function requestInProgress(): Promise<string> {
  seq += 1;
  const requestId = `20260101-delete-partners${String.fromCharCode(97 + (seq % 26))}${String.fromCharCode(97 + Math.floor(seq / 26))}`;
  await ledger.create({
    requestId,
    type: 'delete',
    jurisdiction: 'ID',
    locale: 'en',
    receivedAt: '2026-01-01T00:00:00.000Z',
    dueAt: '2026-01-04T00:00:00.000Z',
    subjectHash: 'subject-hash',
    contact: { email: 'someone@example.com' },
    statusTokenHash: 'token-hash',
  });
  await ledger.transition(requestId, 'verify');
  await ledger.transition(requestId, 'start');
  await ledger.setPlan(requestId, { email: ['someone@example.com'] }, ['customers', 'logistics']);
  return requestId;
}

const notice = (
  requestId: string,
  taskToken: string,
  at = '2026-01-01T01:00:00.000Z',
): ProcessorEvidence => ({
  processorId: 'logistics',
  name: 'Kirim Cepat Logistics',
  type: 'delete',
  idempotencyKey: `${requestId}:logistics:delete`,
  deadline: new Date(Date.parse(at) + 259_200_000).toISOString(),
  notifiedAt: at,
  status: 'notifying',
  attempts: [],
  taskToken,
});

const ack = (reference: string, via: ProcessorAck['via'] = 'callback'): ProcessorAck => ({
  at: '2026-01-01T02:00:00.000Z',
  via,
  status: 'completed',
  reference,
});

describe('partner evidence in the request ledger on DynamoDB', () => {
  it('stores the task token with the first notice, and a retry keeps the deadline and attempts but takes the new token', async () => {
    // Prepare
    const requestId = await requestInProgress();
    await ledger.beginProcessorNotice(requestId, notice(requestId, 'token-1'));
    await ledger.recordProcessorAttempt(requestId, 'logistics', {
      attempt: 1,
      at: '2026-01-01T01:00:00.000Z',
      durationMs: 12,
      httpStatus: 503,
      outcome: 'retry',
    });

    // Act: the Task state is retried an hour later
    const current = await ledger.beginProcessorNotice(
      requestId,
      notice(requestId, 'token-2', '2026-01-01T02:00:00.000Z'),
    );

    // Assess
    const stored = (await ledger.get(requestId))?.processors?.logistics;
    expect(stored).toEqual(current);
    expect(stored).toMatchObject({
      notifiedAt: '2026-01-01T01:00:00.000Z',
      deadline: '2026-01-04T01:00:00.000Z',
      taskToken: 'token-2',
      status: 'notifying',
      attempts: [{ attempt: 1, httpStatus: 503, outcome: 'retry' }],
    });
  });

  it('keeps the attempts in the order they were made', async () => {
    const requestId = await requestInProgress();
    await ledger.beginProcessorNotice(requestId, notice(requestId, 'token'));
    for (const attempt of [1, 2, 3]) {
      await ledger.recordProcessorAttempt(requestId, 'logistics', {
        attempt,
        at: `2026-01-01T01:00:0${attempt}.000Z`,
        durationMs: 5,
        ...(attempt < 3 ? { httpStatus: 500 } : { httpStatus: 200 }),
        outcome: attempt < 3 ? 'retry' : 'acknowledged',
      });
    }

    const stored = (await ledger.get(requestId))?.processors?.logistics;
    expect(stored?.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'retry'],
      [2, 'retry'],
      [3, 'acknowledged'],
    ]);
  });

  it('refuses an attempt or acknowledgement for a partner that was never notified of the request', async () => {
    const requestId = await requestInProgress();

    await expect(
      ledger.recordProcessorAttempt(requestId, 'payments', {
        attempt: 1,
        at: '2026-01-01T01:00:00.000Z',
        durationMs: 1,
        outcome: 'network_error',
      }),
    ).rejects.toMatchObject({ name: 'ProcessorNotNotified' });
    await expect(ledger.recordProcessorAck(requestId, 'payments', ack('BYK-1'))).rejects.toMatchObject({
      name: 'ProcessorNotNotified',
    });
  });

  it('lets the first acknowledgement win and answers a second one as a duplicate, with the task token both times', async () => {
    const requestId = await requestInProgress();
    await ledger.beginProcessorNotice(requestId, notice(requestId, 'token'));
    await ledger.markProcessorAwaiting(requestId, 'logistics');

    const first = await ledger.recordProcessorAck(requestId, 'logistics', ack('KCL-FIRST'));
    const second = await ledger.recordProcessorAck(requestId, 'logistics', ack('KCL-SECOND'));

    expect(first).toEqual({ recorded: true, taskToken: 'token', wasEscalated: false });
    expect(second).toEqual({ recorded: false, taskToken: 'token', wasEscalated: false });
    const stored = (await ledger.get(requestId))?.processors?.logistics;
    expect(stored?.status).toBe('acknowledged');
    expect(stored?.ack?.reference).toBe('KCL-FIRST');
  });

  it('records exactly one of many acknowledgements racing each other', async () => {
    const requestId = await requestInProgress();
    await ledger.beginProcessorNotice(requestId, notice(requestId, 'token'));

    const results = await Promise.all(
      ['A', 'B', 'C', 'D'].map((r) => ledger.recordProcessorAck(requestId, 'logistics', ack(`KCL-${r}`))),
    );

    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    const winner = ['A', 'B', 'C', 'D'][results.findIndex((r) => r.recorded)];
    expect((await ledger.get(requestId))?.processors?.logistics?.ack?.reference).toBe(`KCL-${winner}`);
  });

  it('does not mark a partner as awaiting once its callback already acknowledged', async () => {
    const requestId = await requestInProgress();
    await ledger.beginProcessorNotice(requestId, notice(requestId, 'token'));
    await ledger.recordProcessorAck(requestId, 'logistics', ack('KCL-EARLY'));

    await ledger.markProcessorAwaiting(requestId, 'logistics');

    expect((await ledger.get(requestId))?.processors?.logistics?.status).toBe('acknowledged');
  });

  it('lets an escalation lose to an acknowledgement that already landed', async () => {
    const requestId = await requestInProgress();
    await ledger.beginProcessorNotice(requestId, notice(requestId, 'token'));
    await ledger.recordProcessorAck(requestId, 'logistics', ack('KCL-1'));

    const result = await ledger.recordProcessorEscalation(requestId, 'logistics', {
      at: '2026-01-04T01:00:00.000Z',
      reason: 'deadline_passed',
    });

    expect(result).toEqual({ escalated: false });
    const stored = (await ledger.get(requestId))?.processors?.logistics;
    expect(stored?.status).toBe('acknowledged');
    expect(stored?.escalation).toBeUndefined();
  });

  it('escalates a partner whose acknowledgement says it failed', async () => {
    const requestId = await requestInProgress();
    await ledger.beginProcessorNotice(requestId, notice(requestId, 'token'));
    await ledger.recordProcessorAck(requestId, 'logistics', { ...ack('KCL-1'), status: 'failed' });

    const result = await ledger.recordProcessorEscalation(requestId, 'logistics', {
      at: '2026-01-01T03:00:00.000Z',
      reason: 'processor_rejected',
    });

    expect(result).toEqual({ escalated: true });
    expect((await ledger.get(requestId))?.processors?.logistics).toMatchObject({
      status: 'escalated',
      ack: { status: 'failed' },
      escalation: { reason: 'processor_rejected' },
    });
  });

  it('records an acknowledgement after the escalation as late, keeping the escalation, and a repeated escalation keeps the first', async () => {
    const requestId = await requestInProgress();
    await ledger.beginProcessorNotice(requestId, notice(requestId, 'token'));
    const escalation = { at: '2026-01-04T01:00:00.000Z', reason: 'deadline_passed' } as const;
    expect(await ledger.recordProcessorEscalation(requestId, 'logistics', escalation)).toEqual({
      escalated: true,
    });
    await ledger.recordProcessorEscalation(requestId, 'logistics', {
      at: '2026-01-04T02:00:00.000Z',
      reason: 'processor_unavailable',
    });

    const late = await ledger.recordProcessorAck(requestId, 'logistics', ack('KCL-LATE'));

    expect(late).toEqual({ recorded: true, taskToken: 'token', wasEscalated: true });
    expect((await ledger.get(requestId))?.processors?.logistics).toMatchObject({
      status: 'acknowledged',
      escalation,
      ack: { reference: 'KCL-LATE', late: true },
    });
  });

  it('keeps the partner evidence but drops every task token when a finished request is minimised', async () => {
    const requestId = await requestInProgress();
    await ledger.beginProcessorNotice(requestId, notice(requestId, 'waiting-logistics'));
    await ledger.beginProcessorNotice(requestId, {
      ...notice(requestId, 'waiting-payments'),
      processorId: 'payments',
      name: 'BayarKu Payment Gateway',
    });
    await ledger.recordProcessorAck(requestId, 'logistics', ack('KCL-1', 'response'));
    await ledger.transition(requestId, 'complete');

    await ledger.minimise(requestId);

    const stored = await ledger.get(requestId);
    expect(stored?.contact).toBeUndefined();
    expect(Object.keys(stored?.processors ?? {}).sort()).toEqual(['logistics', 'payments']);
    expect(stored?.processors?.logistics).toMatchObject({
      status: 'acknowledged',
      ack: { reference: 'KCL-1' },
    });
    expect(stored?.processors?.logistics).not.toHaveProperty('taskToken');
    expect(stored?.processors?.payments).not.toHaveProperty('taskToken');
    expect(JSON.stringify(stored)).not.toContain('waiting-');
  });
});
