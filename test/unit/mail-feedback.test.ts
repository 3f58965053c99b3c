/**
 * SES bounces and complaints (core/requests/mail-feedback): a verification email that bounced for
 * good ends its request through the workflow's expiry path, with the reason in the ledger and no
 * email to the dead address; everything else is logged by request id only.
 */
import type { LedgerRecord, TransitionOptions } from '../../functions/core/ledger-record';
import { advance, type LifecycleEvent, statusAfter } from '../../functions/core/lifecycle';
import type { Log } from '../../functions/core/ports';
import {
  type MailFeedback,
  recordMailFeedback,
  VERIFICATION_UNDELIVERABLE,
} from '../../functions/core/requests/mail-feedback';
import { recordOutcome } from '../../functions/core/requests/outcome';

const requestId = '20260101-access-abcdefghij';
const email = 'bounced.person@example.com';

function capturingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const write = (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, info: write, warn: write, error: write };
}

function pendingRecord(overrides: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    requestId,
    type: 'access',
    status: 'pending_verification',
    jurisdiction: 'ID',
    locale: 'en',
    receivedAt: '2026-01-01T00:00:00.000Z',
    dueAt: '2026-01-04T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    subjectHash: 'a'.repeat(64),
    contact: { email },
    statusTokenHash: 'x',
    verification: {
      codeHash: 'c',
      linkTokenHash: 'l',
      attempts: 0,
      taskToken: 'token-of-the-verification-wait',
      sentAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T00:15:00.000Z',
    },
    history: [],
    ...overrides,
  };
}

/** The ports with a workflow that records every failed task (or throws `failWith`). */
function portsFor(record: LedgerRecord | undefined, failWith?: Error) {
  const failed: { taskToken: string; error: string; cause: string }[] = [];
  const log = capturingLog();
  return {
    failed,
    log,
    ports: {
      ledger: { get: async () => record },
      workflow: {
        fail: async (taskToken: string, error: string, cause: string) => {
          if (failWith) throw failWith;
          failed.push({ taskToken, error, cause });
        },
      },
      log,
    },
  };
}

const hardBounce: MailFeedback = {
  kind: 'bounce',
  bounceType: 'Permanent',
  bounceSubType: 'NoEmail',
  requestId,
  purpose: 'verification',
};

describe('recordMailFeedback', () => {
  it('fails the verification wait of a request whose verification email bounced for good, saying why', async () => {
    const { ports, failed, log } = portsFor(pendingRecord());

    await expect(recordMailFeedback(ports, hardBounce)).resolves.toBe('expiring');

    expect(failed).toEqual([
      {
        taskToken: 'token-of-the-verification-wait',
        error: VERIFICATION_UNDELIVERABLE,
        cause: 'verification email bounced (Permanent/NoEmail)',
      },
    ]);
    expect(log.lines.join('\n')).toContain(requestId);
    expect(log.lines.join('\n')).not.toContain('bounced.person');
  });

  it.each([
    ['a soft bounce (the person can still ask for a new code)', { ...hardBounce, bounceType: 'Transient' }],
    ['a complaint', { kind: 'complaint', requestId, purpose: 'verification' }],
    ['a bounce of an email without our tags', { kind: 'bounce', bounceType: 'Permanent' }],
  ] as const)('only logs %s', async (_what, feedback) => {
    const { ports, failed, log } = portsFor(pendingRecord());

    await expect(recordMailFeedback(ports, feedback as MailFeedback)).resolves.toBe('recorded');

    expect(failed).toEqual([]);
    expect(log.lines.length).toBeGreaterThan(0);
  });

  it('leaves a request that was verified before the bounce arrived alone', async () => {
    const { ports, failed } = portsFor(pendingRecord({ status: 'in_progress' }));
    await expect(recordMailFeedback(ports, hardBounce)).resolves.toBe('recorded');
    expect(failed).toEqual([]);
  });

  it('takes a repeated event, whose wait is already over, as done', async () => {
    const gone = Object.assign(new Error('gone'), { name: 'TaskTimedOut' });
    const { ports } = portsFor(pendingRecord(), gone);
    await expect(recordMailFeedback(ports, hardBounce)).resolves.toBe('recorded');
  });

  it('lets any other workflow error through, so the event is retried', async () => {
    const { ports } = portsFor(
      pendingRecord(),
      Object.assign(new Error('throttled'), { name: 'Throttling' }),
    );
    await expect(recordMailFeedback(ports, hardBounce)).rejects.toThrow('throttled');
  });
});

describe('recordOutcome after an undeliverable verification email', () => {
  function ledgerOf(record: LedgerRecord) {
    let current = record;
    const transitions: { event: LifecycleEvent; options?: TransitionOptions }[] = [];
    const ledger = {
      get: async () => structuredClone(current),
      advance: async (_id: string, event: LifecycleEvent, options?: TransitionOptions) => {
        const target = statusAfter(event);
        if (current.status === target) return { status: target, already: true };
        current = { ...current, status: advance(current.status, event) };
        transitions.push({ event, ...(options ? { options } : {}) });
        return { status: current.status, already: false };
      },
      minimise: async () => {},
      claimOutcomeMail: async () => true,
      releaseOutcomeMail: async () => {},
    };
    return { ledger: ledger as never, transitions, status: () => current.status };
  }

  it('records expired with the bounce as the reason and emails nobody at the dead address', async () => {
    const fake = ledgerOf(pendingRecord());
    const sent: unknown[] = [];
    const mail = {
      publicUrl: 'https://dsr.example.com',
      mailer: { send: async (m: unknown) => void sent.push(m) },
    };

    await recordOutcome(
      { ledger: fake.ledger, log: capturingLog(), mail },
      {
        requestId,
        outcome: 'expired',
        error: { Error: VERIFICATION_UNDELIVERABLE, Cause: 'verification email bounced (Permanent/General)' },
      },
    );

    expect(fake.status()).toBe('expired');
    expect(fake.transitions[0]?.options?.note).toBe('verification email bounced (Permanent/General)');
    expect(sent).toEqual([]);
  });

  it('still tells the person when a request expired because nobody verified it in time', async () => {
    const fake = ledgerOf(pendingRecord());
    const sent: unknown[] = [];
    const mail = {
      publicUrl: 'https://dsr.example.com',
      mailer: { send: async (m: unknown) => void sent.push(m) },
    };

    await recordOutcome(
      { ledger: fake.ledger, log: capturingLog(), mail },
      { requestId, outcome: 'expired', error: { Error: 'States.Timeout', Cause: '' } },
    );

    expect(fake.status()).toBe('expired');
    expect(fake.transitions[0]?.options?.note).toBeUndefined();
    expect(sent).toHaveLength(1);
  });
});
