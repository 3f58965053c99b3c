import type { LedgerTable } from '../../functions/aws/ledger';
import { clockFields, clocksFor, extendDeadline } from '../../functions/core/clocks';
import type { Mail } from '../../functions/core/ports';
import { watchDeadlines } from '../../functions/core/support/deadline-watch';
import { startLedgerTable } from '../support/ledger-table';

let stopLedger: () => Promise<void>;
let ledger: LedgerTable;

beforeAll(async () => {
  ({ ledger, stop: stopLedger } = await startLedgerTable());
});
afterAll(async () => {
  await stopLedger();
});

const newRequest = (requestId: string, jurisdiction: 'ID' | 'EU', receivedAt: string) => ({
  requestId,
  type: 'access' as const,
  jurisdiction,
  locale: 'en' as const,
  receivedAt,
  ...clockFields(jurisdiction, 'access', new Date(receivedAt)),
  subjectHash: 'subject-hash',
  contact: { email: 'someone@example.com' },
  statusTokenHash: 'token-hash',
});

describe('the ledger’s deadlines on DynamoDB, read by the deadline job with an injected clock', () => {
  it('flags a request due soon and an overdue one from the open-by-due index, emails support once each, and drops finished requests', async () => {
    // Prepare
    await ledger.create(newRequest('20260101-access-aaaaaaaaaa', 'ID', '2026-01-01T06:00:00.000Z')); // overdue at now
    await ledger.create(newRequest('20260102-access-bbbbbbbbbb', 'ID', '2026-01-02T08:00:00.000Z')); // due in 20 h
    await ledger.create(newRequest('20260103-access-cccccccccc', 'EU', '2026-01-03T08:00:00.000Z')); // not yet
    await ledger.create(newRequest('20260101-access-dddddddddd', 'ID', '2026-01-01T00:00:00.000Z'));
    await ledger.transition('20260101-access-dddddddddd', 'expire');
    await ledger.closeClocks('20260101-access-dddddddddd', new Date('2026-01-01T01:00:00.000Z'));
    const sent: Mail[] = [];
    const counted: Record<string, number>[] = [];
    const ports = {
      ledger,
      mailer: { send: async (m: Mail) => void sent.push(m) },
      metrics: { count: (v: Readonly<Record<string, number>>) => void counted.push({ ...v }) },
      log: { info: () => {}, warn: () => {}, error: () => {} },
      supportEmail: 'support@impor.in',
    };
    const now = new Date('2026-01-04T12:00:00.000Z');

    // Act
    const first = await watchDeadlines(ports, now);
    const again = await watchDeadlines(ports, new Date(now.getTime() + 15 * 60_000));

    // Assess
    expect(first.overdue).toEqual(['20260101-access-aaaaaaaaaa']);
    expect(first.dueSoon).toEqual(['20260102-access-bbbbbbbbbb']);
    expect(counted[0]).toEqual({ DueSoonRequests: 1, OverdueRequests: 1 });
    expect(sent).toHaveLength(2);
    expect(again.notified).toEqual([]);
    const finished = await ledger.get('20260101-access-dddddddddd');
    expect(finished?.deadlineWatch).toBeUndefined();
    expect(finished?.clocks?.respond.metAt).toBe('2026-01-01T01:00:00.000Z');
  });

  it('extends an open EU request once: the clock and dueAt move, a second extension is not applied', async () => {
    const request = newRequest('20260105-access-eeeeeeeeee', 'EU', '2026-01-05T00:00:00.000Z');
    await ledger.create(request);
    const extended = extendDeadline('EU', request.clocks.respond, {
      now: new Date('2026-01-10T00:00:00.000Z'),
      reason: 'archives',
      actor: 'alice',
    });
    expect(
      await ledger.extendRespondClock(request.requestId, extended, new Date('2026-01-10T00:00:00.000Z')),
    ).toBe(true);
    expect(
      await ledger.extendRespondClock(request.requestId, extended, new Date('2026-01-10T00:00:00.000Z')),
    ).toBe(false);
    const stored = await ledger.get(request.requestId);
    expect(stored?.dueAt).toBe('2026-04-05T00:00:00.000Z');
    expect(stored?.clocks?.respond.extensions?.[0]).toMatchObject({ reason: 'archives', actor: 'alice' });
  });

  it('starts an EU clock again at verification once; never after an extension, never twice', async () => {
    const request = newRequest('20260106-access-ffffffffff', 'EU', '2026-01-06T00:00:00.000Z');
    await ledger.create(request);
    const verifiedAt = new Date('2026-01-09T00:00:00.000Z');
    const restarted = clocksFor('EU', 'access', verifiedAt).respond;
    expect(
      await ledger.restartRespondClock(request.requestId, restarted, request.receivedAt, verifiedAt),
    ).toBe(true);
    expect(
      await ledger.restartRespondClock(request.requestId, restarted, request.receivedAt, verifiedAt),
    ).toBe(false);
    const stored = await ledger.get(request.requestId);
    expect(stored?.dueAt).toBe('2026-02-09T00:00:00.000Z');
    expect(stored?.clocks?.respond.startedAt).toBe('2026-01-09T00:00:00.000Z');
  });
});
