import type { LedgerRecord } from '../../functions/core/ledger-record';
import { decide } from '../../functions/core/support/decide';
import { verificationRejectedMail } from '../../functions/core/support/person-mails';
import { reviewStoreOutcomes } from '../../functions/core/support/review';
import { recordStoreFailure } from '../../functions/core/support/store-failure';

const requestId = '20260101-access-ABCDEFGHJK';
const record = (over: Partial<LedgerRecord> = {}): LedgerRecord =>
  ({
    requestId,
    type: 'access',
    status: 'needs_attention',
    jurisdiction: 'ID',
    locale: 'id',
    receivedAt: '2026-01-01T00:00:00Z',
    dueAt: '2026-01-04T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    subjectHash: 'h',
    statusTokenHash: 't',
    contact: { email: 'ayu@example.com' },
    attention: {
      since: '2026-01-01T01:00:00Z',
      taskToken: 'token-1',
      failedStores: [{ storeId: 'orders', error: 'ResourceNotFoundException', reason: 'gone' }],
    },
    history: [],
    ...over,
  }) as LedgerRecord;

function ports(current: LedgerRecord | undefined) {
  const calls: string[] = [];
  const sent: { to: string; subject: string; text: string }[] = [];
  return {
    calls,
    sent,
    ports: {
      ledger: {
        get: async () => current,
        transition: async () => {
          calls.push('transition');
          return 'cancelled' as const;
        },
        needAttention: async () => true,
        markAttentionNotified: async () => {},
        decide: async (_id: string, event: string) => {
          calls.push(`decide:${event}`);
        },
      },
      workflow: {
        succeed: async (token: string, output: unknown) => {
          calls.push(`succeed:${token}:${JSON.stringify(output)}`);
        },
      },
      mailer: { send: async (mail: { to: string; subject: string; text: string }) => void sent.push(mail) },
      dataMap: { stores: [] } as never,
      publicUrl: 'https://dsr.example.com',
      log: { info() {}, warn() {}, error() {} },
      clock: () => new Date('2026-01-02T00:00:00Z'),
    },
  };
}

describe('support decisions on a request that needs attention', () => {
  it('completes with exceptions: records the decision, tells the person in their language first what could not be done and why, then resumes the workflow', async () => {
    const p = ports(record());
    const result = await decide(p.ports, {
      requestId,
      action: 'complete',
      reason: 'the order archive was lost',
      actor: 'ana',
    });
    expect(result).toMatchObject({ status: 'in_progress', personNotified: true });
    expect(p.calls).toEqual(['decide:except', `succeed:token-1:${JSON.stringify({ action: 'complete' })}`]);
    expect(p.sent).toHaveLength(1);
    expect(p.sent[0]?.to).toBe('ayu@example.com');
    expect(p.sent[0]?.text.indexOf('Alasannya')).toBeLessThan(p.sent[0]?.text.indexOf('Why') ?? 0);
    expect(p.sent[0]?.text).toContain('orders');
    expect(p.sent[0]?.text).toContain('the order archive was lost');
  });

  it('retries without emailing the person', async () => {
    const p = ports(record());
    await decide(p.ports, { requestId, action: 'retry', reason: 'table restored', actor: 'ana' });
    expect(p.calls[0]).toBe('decide:retry');
    expect(p.sent).toEqual([]);
  });

  it.each([
    ['an unknown request', undefined, 'retry', 'x', /no request/],
    ['a request that does not need attention', record({ status: 'completed' }), 'retry', 'x', /is completed/],
    ['a missing reason', record(), 'fail', '  ', /reason is required/],
  ])('refuses %s with one line and changes nothing', async (_what, current, action, reason, message) => {
    const p = ports(current);
    await expect(
      decide(p.ports, { requestId, action: action as 'retry', reason, actor: 'ana' }),
    ).rejects.toMatchObject({ name: 'SupportRefusal', message: expect.stringMatching(message) });
    expect(p.calls).toEqual([]);
    expect(p.sent).toEqual([]);
  });
});

describe('a store that fails for good', () => {
  it('is recorded with its error class and a readable reason, never the error message', async () => {
    const writes: unknown[] = [];
    const failure = await recordStoreFailure(
      {
        ledger: { setStoreProgress: async (...args: unknown[]) => void writes.push(args) },
        log: { info() {}, warn() {}, error() {} },
      },
      {
        requestId,
        storeId: 'orders',
        kind: 'dynamodb',
        ackSeconds: 0,
        error: { Error: 'ResourceNotFoundException', Cause: 'ayu@example.com not found' },
      },
    );
    expect(failure).toMatchObject({ storeId: 'orders', failed: true, error: 'ResourceNotFoundException' });
    expect(JSON.stringify(writes)).not.toContain('ayu@example.com');
    expect(failure.reason).toMatch(/table was not found/);
  });

  it('is run again alone on a retry while the stores done earlier stay settled', () => {
    const first = reviewStoreOutcomes({
      requestId,
      dataStoreResults: [
        { storeId: 'customers', records: 1 },
        { storeId: 'orders', kind: 'dynamodb', ackSeconds: 0, failed: true, error: 'E', reason: 'r' },
      ],
      processorResults: [],
    });
    expect(first.failed.map((f) => f.storeId)).toEqual(['orders']);
    expect(first.retry.dataStores.map((f) => f.storeId)).toEqual(['orders']);
    expect(first.retry.processors).toEqual([]);
    const second = reviewStoreOutcomes({
      requestId,
      dataStoreResults: [{ storeId: 'orders', records: 2 }],
      processorResults: [],
      review: { settled: [...first.settled] },
    });
    expect(second.failed).toEqual([]);
    expect(second.settled.map((s) => s.storeId)).toEqual(['customers', 'orders']);
  });

  it('is retried in the Map of its own kind: a failed processor with the processors, a failed data store with the data stores', () => {
    const failure = (storeId: string, kind: string) =>
      ({
        storeId,
        kind,
        ackSeconds: kind === 'processor' ? 60 : 0,
        failed: true,
        error: 'E',
        reason: 'r',
      }) as const;
    const review = reviewStoreOutcomes({
      requestId,
      dataStoreResults: [{ storeId: 'customers', records: 1 }, failure('orders', 'dynamodb')],
      processorResults: [failure('logistics', 'processor'), { storeId: 'payments', outcome: 'acknowledged' }],
    });
    expect(review.failed.map((f) => f.storeId)).toEqual(['orders', 'logistics']);
    expect(review.retry.dataStores.map((f) => f.storeId)).toEqual(['orders']);
    expect(review.retry.processors).toEqual([failure('logistics', 'processor')]);
    expect(review.settled.map((s) => s.storeId)).toEqual(['customers', 'payments']);
  });
});

describe('an execution started before the Maps were split by kind', () => {
  it('is reviewed from its one list of both kinds, and its failures still split by kind for a retry', () => {
    const review = reviewStoreOutcomes({
      requestId,
      erasures: [
        { storeId: 'customers', counts: {} },
        { storeId: 'orders', kind: 'dynamodb', ackSeconds: 0, failed: true, error: 'E', reason: 'r' },
        { storeId: 'payments', kind: 'processor', ackSeconds: 60, failed: true, error: 'E', reason: 'r' },
      ],
      review: { settled: [{ storeId: 'logistics' }] },
    });
    expect(review.settled.map((s) => s.storeId)).toEqual(['logistics', 'customers']);
    expect(review.failed.map((f) => f.storeId)).toEqual(['orders', 'payments']);
    expect(review.retry.dataStores.map((f) => f.storeId)).toEqual(['orders']);
    expect(review.retry.processors.map((f) => f.storeId)).toEqual(['payments']);
  });
});

describe('the person is told how to ask again', () => {
  it('after too many wrong codes, in both languages, the request language first', () => {
    const mail = verificationRejectedMail({
      requestId,
      type: 'access',
      locale: 'en',
      publicUrl: 'https://dsr.example.com',
    });
    expect(mail.text.indexOf('rejected')).toBeLessThan(mail.text.indexOf('ditolak'));
    expect(mail.text).toContain('https://dsr.example.com/');
  });
});
