import { clockFields, type DeadlineNotice } from '../../functions/core/clocks';
import type { LedgerRecord } from '../../functions/core/ledger-record';
import type { DeadlineLedger, Mail } from '../../functions/core/ports';
import { watchDeadlines } from '../../functions/core/support/deadline-watch';
import { extendRequestDeadline } from '../../functions/core/support/extend';

/** An in-memory ledger with the open-by-due index's behaviour. */
function fakeLedger(records: LedgerRecord[]): DeadlineLedger & { records: Map<string, LedgerRecord> } {
  const byId = new Map(records.map((r) => [r.requestId, r]));
  const update = (id: string, change: Partial<LedgerRecord>) => {
    const r = byId.get(id);
    if (r) byId.set(id, { ...r, ...change });
  };
  return {
    records: byId,
    async openByDue(until) {
      return [...byId.values()]
        .filter((r) => r.deadlineWatch === 'open' && r.dueAt <= until)
        .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    },
    async claimDeadlineNotice(id, notice: DeadlineNotice) {
      if (byId.get(id)?.deadlineNotice?.state === notice.state) return false;
      update(id, { deadlineNotice: notice });
      return true;
    },
    async releaseDeadlineNotice(id) {
      update(id, { deadlineNotice: undefined });
    },
    async closeClocks(id) {
      update(id, { deadlineWatch: undefined });
    },
    async extendRespondClock(id, respond) {
      const r = byId.get(id);
      if (!r?.clocks || r.clocks.respond.extensions) return false;
      update(id, { clocks: { ...r.clocks, respond }, dueAt: respond.dueAt });
      return true;
    },
    async restartRespondClock(id, respond, receivedAt) {
      const r = byId.get(id);
      if (!r?.clocks || r.clocks.respond.extensions || r.clocks.respond.startedAt !== receivedAt)
        return false;
      update(id, { clocks: { ...r.clocks, respond }, dueAt: respond.dueAt });
      return true;
    },
  };
}

const record = (
  requestId: string,
  jurisdiction: LedgerRecord['jurisdiction'],
  receivedAt: string,
  status: LedgerRecord['status'] = 'in_progress',
): LedgerRecord => ({
  requestId,
  type: 'access',
  status,
  jurisdiction,
  locale: 'en',
  receivedAt,
  ...clockFields(jurisdiction, 'access', new Date(receivedAt)),
  updatedAt: receivedAt,
  subjectHash: 'h',
  contact: { email: 'person@example.com' },
  statusTokenHash: 't',
  history: [],
});

const log = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };

describe('the deadline watch, with an injected clock', () => {
  it('flags a request due soon and an overdue one, counts them, and emails support once per change of state', async () => {
    // Prepare: now is 2026-01-04T12:00Z.
    const now = new Date('2026-01-04T12:00:00Z');
    const ledger = fakeLedger([
      record('20260101-access-aaaaaaaaaa', 'ID', '2026-01-01T06:00:00Z'), // due 01-04 06:00: overdue by 6 h
      record('20260102-access-bbbbbbbbbb', 'ID', '2026-01-02T08:00:00Z'), // due 01-05 08:00: due in 20 h
      record('20260103-access-cccccccccc', 'EU', '2026-01-03T08:00:00Z'), // due 02-03: not yet
      record('20251230-access-dddddddddd', 'ID', '2025-12-30T08:00:00Z', 'completed'), // finished
    ]);
    const sent: Mail[] = [];
    const counted: Record<string, number>[] = [];
    const ports = {
      ledger,
      mailer: { send: async (m: Mail) => void sent.push(m) },
      metrics: { count: (v: Record<string, number>) => void counted.push({ ...v }) },
      log,
      supportEmail: 'support@impor.in',
    };

    // Act
    const first = await watchDeadlines(ports, now);
    const second = await watchDeadlines(ports, new Date(now.getTime() + 15 * 60_000));
    const later = await watchDeadlines(ports, new Date('2026-01-05T09:00:00Z'));

    // Assess
    expect(first.overdue).toEqual(['20260101-access-aaaaaaaaaa']);
    expect(first.dueSoon).toEqual(['20260102-access-bbbbbbbbbb']);
    expect(counted[0]).toEqual({ DueSoonRequests: 1, OverdueRequests: 1 });
    expect(sent.map((m) => m.subject)).toEqual([
      '[DSR] Overdue: 20260101-access-aaaaaaaaaa (overdue by 6 hours)',
      '[DSR] Due soon: 20260102-access-bbbbbbbbbb (due in 20 hours)',
      '[DSR] Overdue: 20260102-access-bbbbbbbbbb (overdue by 1 hour)',
    ]);
    expect(second.notified).toEqual([]);
    expect(later.notified).toEqual(['20260102-access-bbbbbbbbbb']);
    expect(sent.every((m) => !m.text.includes('person@example.com'))).toBe(true);
    // The finished request left the index.
    expect(ledger.records.get('20251230-access-dddddddddd')?.deadlineWatch).toBeUndefined();
  });

  it('gives the claim back when the email fails, so the next run tries again', async () => {
    const now = new Date('2026-01-04T12:00:00Z');
    const ledger = fakeLedger([record('20260101-access-aaaaaaaaaa', 'ID', '2026-01-01T06:00:00Z')]);
    const failing = { send: async () => Promise.reject(new Error('SES down')) };
    const ports = { ledger, mailer: failing, metrics: { count: () => {} }, log, supportEmail: 's@impor.in' };
    expect((await watchDeadlines(ports, now)).failed).toEqual(['20260101-access-aaaaaaaaaa']);
    const sent: Mail[] = [];
    const retry = await watchDeadlines(
      { ...ports, mailer: { send: async (m: Mail) => void sent.push(m) } },
      now,
    );
    expect(retry.notified).toEqual(['20260101-access-aaaaaaaaaa']);
  });
});

describe('support extends a deadline', () => {
  it('moves an EU request’s due date by two months and emails the person the new date and reason, in both languages', async () => {
    const ledger = fakeLedger([record('20260101-access-eeeeeeeeee', 'EU', '2026-01-01T00:00:00Z')]);
    const sent: Mail[] = [];
    const out = await extendRequestDeadline(
      {
        ledger: { ...ledger, require: async (id: string) => ledger.records.get(id) as LedgerRecord },
        mailer: { send: async (m: Mail) => void sent.push(m) },
        log,
      },
      { requestId: '20260101-access-eeeeeeeeee', reason: 'a partner holds archives', actor: 'alice' },
      new Date('2026-01-10T00:00:00Z'),
    );
    expect(out).toEqual({
      requestId: '20260101-access-eeeeeeeeee',
      fromDueAt: '2026-02-01T00:00:00.000Z',
      toDueAt: '2026-04-01T00:00:00.000Z',
    });
    expect(ledger.records.get('20260101-access-eeeeeeeeee')?.dueAt).toBe('2026-04-01T00:00:00.000Z');
    expect(sent[0]?.to).toBe('person@example.com');
    expect(sent[0]?.text).toMatch(
      /New due date: 1 April 2026[\s\S]*a partner holds archives[\s\S]*Batas waktu baru/,
    );
  });

  it('refuses an Indonesian request and changes nothing', async () => {
    const ledger = fakeLedger([record('20260101-access-ffffffffff', 'ID', '2026-01-01T00:00:00Z')]);
    const send = jest.fn();
    await expect(
      extendRequestDeadline(
        {
          ledger: { ...ledger, require: async (id: string) => ledger.records.get(id) as LedgerRecord },
          mailer: { send },
          log,
        },
        { requestId: '20260101-access-ffffffffff', reason: 'busy', actor: 'alice' },
        new Date('2026-01-02T00:00:00Z'),
      ),
    ).rejects.toMatchObject({ name: 'ExtensionRefused', reason: 'not_allowed_by_law' });
    expect(send).not.toHaveBeenCalled();
    expect(ledger.records.get('20260101-access-ffffffffff')?.dueAt).toBe('2026-01-04T00:00:00.000Z');
  });
});

describe('the status API’s deadline', () => {
  it('shows "due in N hours" for an open request and "overdue by N hours" once it has passed, with each clock', async () => {
    const { statusView } = await import('../../functions/core/requests/status');
    const open = record('20260101-access-gggggggggg', 'ID', '2026-01-01T00:00:00Z');
    expect(statusView(open, new Date('2026-01-03T19:00:00Z'))).toMatchObject({
      dueAt: '2026-01-04T00:00:00.000Z',
      deadline: { state: 'due', hours: 5, text: 'due in 5 hours' },
      clocks: [{ name: 'respond', rule: 'uu-pdp-3x24h', dueAt: '2026-01-04T00:00:00.000Z' }],
    });
    expect(statusView(open, new Date('2026-01-04T03:00:00Z')).deadline?.text).toBe('overdue by 3 hours');
    const done = { ...open, status: 'completed' as const };
    expect(statusView(done, new Date('2026-01-05T00:00:00Z'))).not.toHaveProperty('deadline');
  });
});
