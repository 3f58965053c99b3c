/**
 * Support's wait ends at the deadline: how long it may last, and what the
 * system does when it ends without a decision.
 */
import type { LedgerRecord } from '../../functions/core/ledger-record';
import { decideAtDeadline, decisionWaitSeconds } from '../../functions/core/support/deadline-decision';

const requestId = '20260101-delete-abcdefghjk';
const HOUR = 3600;
const record = (over: Partial<LedgerRecord> = {}): LedgerRecord =>
  ({
    requestId,
    type: 'delete',
    status: 'needs_attention',
    jurisdiction: 'ID',
    locale: 'id',
    receivedAt: '2026-01-01T00:00:00Z',
    dueAt: '2026-01-04T00:00:00Z',
    contact: { email: 'ayu@example.com' },
    attention: {
      since: '2026-01-01T01:00:00Z',
      taskToken: 'token-1',
      failedStores: [{ storeId: 'orders', error: 'ResourceNotFoundException', reason: 'gone' }],
    },
    history: [],
    ...over,
  }) as LedgerRecord;

function ports(current: LedgerRecord, now: string) {
  const decided: { event: string; actor: string }[] = [];
  const sent: { to: string; text: string }[] = [];
  return {
    decided,
    sent,
    ports: {
      ledger: {
        get: async () => current,
        transition: async () => 'cancelled' as const,
        needAttention: async () => true,
        markAttentionNotified: async () => {},
        decide: async (_id: string, event: string, decision: { actor: string }) => {
          decided.push({ event, actor: decision.actor });
        },
      },
      mailer: { send: async (mail: { to: string; text: string }) => void sent.push(mail) },
      dataMap: { stores: [] } as never,
      publicUrl: 'https://dsr.example.com',
      log: { info() {}, warn() {}, error() {} },
      clock: () => new Date(now),
      deadlineMarginSeconds: 6 * HOUR,
    },
  };
}

describe("support's wait for a decision", () => {
  it('lasts until the due time minus the margin, at most a week, and at least an hour once the deadline is past', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(decisionWaitSeconds('2026-01-04T00:00:00Z', now, 6 * HOUR)).toBe(66 * HOUR);
    expect(decisionWaitSeconds('2026-03-01T00:00:00Z', now, 6 * HOUR)).toBe(7 * 24 * HOUR);
    expect(decisionWaitSeconds('2025-12-31T00:00:00Z', now, 6 * HOUR)).toBe(HOUR);
  });

  it('completes with exceptions when the deadline arrives without a decision, and tells the person why in both languages', async () => {
    const p = ports(record(), '2026-01-03T18:00:00Z');
    await expect(decideAtDeadline(p.ports, requestId)).resolves.toEqual({
      action: 'complete',
      decisionSeconds: 0,
    });
    expect(p.decided).toEqual([{ event: 'except', actor: 'deadline' }]);
    expect(p.sent).toHaveLength(1);
    expect(p.sent[0]?.text).toContain('orders');
    expect(p.sent[0]?.text).toContain('batas waktu hukum');
    expect(p.sent[0]?.text).toContain('the legal deadline');
  });

  it('waits again, until the new bound, when support extended the deadline while waiting', async () => {
    const p = ports(record({ dueAt: '2026-03-04T00:00:00Z' }), '2026-01-03T18:00:00Z');
    const answer = await decideAtDeadline(p.ports, requestId);
    expect(answer.action).toBe('wait');
    expect(answer.decisionSeconds).toBe(7 * 24 * HOUR);
    expect(p.decided).toEqual([]);
    expect(p.sent).toEqual([]);
  });

  it("follows support's decision when it raced the end of the wait, and decides nothing itself", async () => {
    const decision = { action: 'retry' as const, reason: 'fixed', actor: 'ana', at: '2026-01-03T17:59:59Z' };
    const raced = record({
      status: 'in_progress',
      attention: { ...(record().attention as NonNullable<LedgerRecord['attention']>), decision },
    });
    const p = ports(raced, '2026-01-03T18:00:00Z');
    await expect(decideAtDeadline(p.ports, requestId)).resolves.toEqual({
      action: 'retry',
      decisionSeconds: 0,
    });
    expect(p.decided).toEqual([]);
    expect(p.sent).toEqual([]);
  });
});
