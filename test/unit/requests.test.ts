/**
 * The request use cases in core, on an in-memory ledger port: the races their
 * handlers used to recover from by hand now go through `ledger.advance`.
 */
import demoDataMap from '../../config/impor-in.data-map.json';
import { keyedHash } from '../../functions/core/crypto';
import { parseDataMap } from '../../functions/core/data-map';
import { type LedgerRecord, StatusConflictError } from '../../functions/core/ledger-record';
import { advance, type LifecycleEvent, statusAfter } from '../../functions/core/lifecycle';
import type { Log, Subject } from '../../functions/core/ports';
import { RefusedError } from '../../functions/core/refusal';
import { cancelRequest } from '../../functions/core/requests/cancel';
import { recordOutcome } from '../../functions/core/requests/outcome';
import { planStores } from '../../functions/core/requests/plan';
import { verifyRequest } from '../../functions/core/requests/verify';

const key = Buffer.from('cd'.repeat(32), 'hex');
const requestId = '20260101-delete-abcdefghij';
const CANCEL_TOKEN = 'cancel-token-for-tests-0123456789';
const STATUS_TOKEN = 'status-token-for-tests-0123456789';

const quiet = (): Log & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
};

/**
 * The ledger port's request lifecycle in memory. `raceTo` moves the request to
 * that status between the caller's read and its write, as a concurrent writer would.
 */
function memoryLedger(initial: Partial<LedgerRecord>) {
  let record: LedgerRecord = {
    requestId,
    type: 'delete',
    status: 'scheduled',
    jurisdiction: 'ID',
    locale: 'en',
    receivedAt: '2026-01-01T00:00:00.000Z',
    dueAt: '2026-01-04T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    subjectHash: 'a'.repeat(64),
    contact: { email: 'someone@example.com' },
    statusTokenHash: 'x',
    history: [],
    ...initial,
  };
  const writes: LifecycleEvent[] = [];
  let raceTo: LedgerRecord['status'] | undefined;
  const ledger = {
    get: async () => structuredClone(record),
    require: async () => structuredClone(record),
    advance: async (_id: string, event: LifecycleEvent) => {
      const target = statusAfter(event);
      if (record.status === target) return { status: target, already: true };
      const from = record.status;
      if (raceTo) {
        record = { ...record, status: raceTo };
        raceTo = undefined;
        if (record.status === target) return { status: target, already: true };
        throw new StatusConflictError(requestId, record.status);
      }
      record = { ...record, status: advance(from, event) };
      writes.push(event);
      return { status: record.status, already: false };
    },
    minimise: async () => {
      const { contact: _dropped, ...rest } = record;
      record = rest as LedgerRecord;
    },
    claimOutcomeMail: async (_id: string, at: string) => {
      if (record.outcomeMailAt) return false;
      record = { ...record, outcomeMailAt: at };
      return true;
    },
    releaseOutcomeMail: async () => {
      const { outcomeMailAt: _released, ...rest } = record;
      record = rest as LedgerRecord;
    },
    retainedIdentities: async () => ({}),
    setPlan: async () => {},
  };
  return {
    ledger: ledger as never,
    writes,
    race: (status: LedgerRecord['status']) => {
      raceTo = status;
    },
    status: () => record.status,
  };
}

describe('planStores', () => {
  const dataMap = parseDataMap(demoDataMap);
  const subjects = { resolve: async (): Promise<Subject> => ({ identities: {} }) };

  it('throws RequestCancelled when the subject cancels between the read and the start', async () => {
    // Prepare
    const fake = memoryLedger({ status: 'scheduled' });
    fake.race('cancelled');
    // Act / Assess
    await expect(
      planStores({ ledger: fake.ledger, subjects, log: quiet() }, dataMap, requestId),
    ).rejects.toThrow(expect.objectContaining({ name: 'RequestCancelled' }));
  });

  it('carries on when a retry finds the request already in progress', async () => {
    const fake = memoryLedger({ status: 'in_progress' });
    const { dataStores } = await planStores(
      { ledger: fake.ledger, subjects, log: quiet() },
      dataMap,
      requestId,
    );
    expect(dataStores.length).toBeGreaterThan(0);
    expect(fake.writes).toEqual([]);
  });

  it('records the verification the verify endpoint may have lost, then starts', async () => {
    const fake = memoryLedger({ status: 'pending_verification' });
    await planStores({ ledger: fake.ledger, subjects, log: quiet() }, dataMap, requestId);
    expect(fake.writes).toEqual(['verify', 'start']);
  });
});

describe('recordOutcome', () => {
  it('takes a concurrent writer reaching the same outcome as success', async () => {
    const fake = memoryLedger({ status: 'in_progress' });
    fake.race('completed');
    const log = quiet();
    await expect(
      recordOutcome({ ledger: fake.ledger, log }, { requestId, outcome: 'completed' }),
    ).resolves.toEqual({ requestId, status: 'completed' });
    expect(log.lines).not.toContain('outcome recorded');
  });

  it('fails when a concurrent writer reached another outcome', async () => {
    const fake = memoryLedger({ status: 'in_progress' });
    fake.race('failed');
    await expect(
      recordOutcome({ ledger: fake.ledger, log: quiet() }, { requestId, outcome: 'completed' }),
    ).rejects.toBeInstanceOf(StatusConflictError);
  });
});

describe('recordOutcome: telling the person an unverified request ended', () => {
  const mailbox = (failTimes = 0) => {
    const sent: { to: string; subject: string; text: string }[] = [];
    let failures = failTimes;
    return {
      sent,
      mail: {
        publicUrl: 'https://dsr.example.com',
        mailer: {
          send: async (m: { to: string; subject: string; text: string }) => {
            if (failures-- > 0) throw new Error('SES throttled');
            sent.push(m);
          },
        },
      },
    };
  };

  it.each([
    ['expired', /was not confirmed in time/],
    ['rejected', /wrong confirmation code was entered too many times/],
  ] as const)(
    'emails once when it %s, saying nothing was changed and how to ask again',
    async (outcome, says) => {
      const fake = memoryLedger({ status: 'pending_verification' });
      const box = mailbox();
      const ports = { ledger: fake.ledger, log: quiet(), mail: box.mail };
      await recordOutcome(ports, { requestId, outcome });
      await recordOutcome(ports, { requestId, outcome });
      expect(box.sent).toHaveLength(1);
      expect(box.sent[0]?.to).toBe('someone@example.com');
      expect(box.sent[0]?.text).toMatch(says);
      expect(box.sent[0]?.text).toContain('https://dsr.example.com');
      expect(fake.status()).toBe(outcome);
    },
  );

  it('sends on the retry when the first send failed, and still only once', async () => {
    const fake = memoryLedger({ status: 'pending_verification' });
    const box = mailbox(1);
    const ports = { ledger: fake.ledger, log: quiet(), mail: box.mail };
    await expect(recordOutcome(ports, { requestId, outcome: 'expired' })).rejects.toThrow('SES throttled');
    await recordOutcome(ports, { requestId, outcome: 'expired' });
    await recordOutcome(ports, { requestId, outcome: 'expired' });
    expect(box.sent).toHaveLength(1);
  });

  it('emails nobody when a request completes', async () => {
    const fake = memoryLedger({ status: 'in_progress' });
    const box = mailbox();
    await recordOutcome(
      { ledger: fake.ledger, log: quiet(), mail: box.mail },
      { requestId, outcome: 'completed' },
    );
    expect(box.sent).toEqual([]);
  });
});

describe('cancelRequest', () => {
  const schedule = {
    graceEndsAt: '2026-01-08T00:00:00.000Z',
    cancelTokenHash: keyedHash(key, 'cancel-token', CANCEL_TOKEN),
  } as LedgerRecord['erasureSchedule'];

  it('answers cancelled, without a second write, when the cancel lands twice', async () => {
    const fake = memoryLedger({ status: 'scheduled', erasureSchedule: schedule });
    fake.race('cancelled');
    const log = quiet();
    await expect(cancelRequest({ ledger: fake.ledger, key, log }, requestId, CANCEL_TOKEN)).resolves.toEqual({
      requestId,
      status: 'cancelled',
    });
    expect(fake.writes).toEqual([]);
    expect(log.lines).toEqual([]);
  });

  it('refuses with erasure_started when PlanStores started the erasure first', async () => {
    const fake = memoryLedger({ status: 'scheduled', erasureSchedule: schedule });
    fake.race('in_progress');
    await expect(
      cancelRequest({ ledger: fake.ledger, key, log: quiet() }, requestId, CANCEL_TOKEN),
    ).rejects.toEqual(expect.objectContaining({ reason: 'erasure_started' }));
  });
});

describe('verifyRequest', () => {
  it('verifies when the workflow already moved the request past verified', async () => {
    // Prepare: the code matches; the ledger write loses to PlanStores.
    const fake = memoryLedger({
      type: 'access',
      status: 'pending_verification',
      statusTokenHash: keyedHash(key, 'status-token', STATUS_TOKEN),
      verification: {
        codeHash: keyedHash(key, 'verification-code', '246810'),
        linkTokenHash: 'y',
        attempts: 0,
        taskToken: 'task-1',
        sentAt: '2026-01-01T00:00:00.000Z',
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
      },
    });
    fake.race('in_progress');
    const workflow = { start: async () => {}, succeed: jest.fn(async () => {}), fail: async () => {} };
    const budgets = { submission: async () => {}, verified: async () => {}, codeAttempt: async () => {} };
    // Act
    const verified = await verifyRequest(
      { ledger: fake.ledger, workflow, budgets, key, log: quiet() },
      requestId,
      { code: '246810' },
      STATUS_TOKEN,
    );
    // Assess
    expect(verified).toEqual({ requestId, status: 'verified' });
    expect(workflow.succeed).toHaveBeenCalledWith('task-1', { verifiedAt: expect.any(String) });
  });

  it('refuses a request id of another status with not_pending', async () => {
    const fake = memoryLedger({ status: 'completed' });
    const workflow = { start: async () => {}, succeed: async () => {}, fail: async () => {} };
    const budgets = { submission: async () => {}, verified: async () => {}, codeAttempt: async () => {} };
    await expect(
      verifyRequest({ ledger: fake.ledger, workflow, budgets, key, log: quiet() }, requestId, {
        code: '000000',
      }),
    ).rejects.toEqual(
      new RefusedError('not_pending', 'this request is completed and cannot be verified again'),
    );
  });
});
