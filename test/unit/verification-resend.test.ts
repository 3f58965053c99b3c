/**
 * The verification resend use case on in-memory ports: no SDK, no handler.
 * (The endpoint's answers are covered by http-resend-verification.test.ts.)
 */
import type { LedgerRecord, VerificationState } from '../../functions/core/ledger-record';
import type { Mail } from '../../functions/core/ports';
import { type ResendPorts, resendVerification } from '../../functions/core/verification/resend';

const requestId = '20260101-access-abcdefghij';
const EMAIL = 'resend.subject@example.com';
const NOW = new Date('2026-01-01T00:05:00.000Z');

const verification: VerificationState = {
  codeHash: 'old-code',
  linkTokenHash: 'old-link',
  attempts: 2,
  taskToken: 'task-1',
  expiresAt: '2026-01-01T00:15:00.000Z',
  sentAt: '2026-01-01T00:00:00.000Z',
};

function memoryPorts(record: Partial<LedgerRecord> | undefined, maxResends = 3) {
  let entry = record
    ? ({
        requestId,
        type: 'access',
        status: 'pending_verification',
        locale: 'en',
        contact: { email: EMAIL },
        ...record,
      } as LedgerRecord)
    : undefined;
  const mails: Mail[] = [];
  const ports: ResendPorts = {
    ledger: { get: async () => entry },
    resends: {
      resendVerification: async (_id, resend) => {
        const current = entry?.verification;
        if (!entry || !current || current.taskToken !== resend.taskToken) return undefined;
        if ((current.resends ?? 0) >= resend.max) return undefined;
        const resends = (current.resends ?? 0) + 1;
        entry = { ...entry, verification: { ...current, ...resend.next, resends } };
        return resends;
      },
    },
    mailer: { send: async (mail) => void mails.push(mail) },
    hashingKey: async () => Buffer.alloc(32, 1),
    log: { info: () => {}, warn: () => {}, error: () => {} },
    settings: { maxResends, verificationTtlSeconds: 900, publicUrl: 'https://dsr.example.com' },
    clock: () => NOW,
  };
  return { ports, mails, current: () => entry };
}

describe('resending the verification code', () => {
  it('mails a new code and link to the address on the request, with new hashes and a fresh expiry', async () => {
    // Prepare
    const { ports, mails, current } = memoryPorts({ verification });

    // Act
    const answer = await resendVerification(ports, requestId);

    // Assess
    expect(answer).toEqual({
      requestId,
      status: 'pending_verification',
      resendsLeft: 2,
      message: 'a new code and link are on their way; earlier ones no longer work',
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toBe(EMAIL);
    expect(mails[0]?.text).toMatch(/Confirmation code: \d{6}/);
    expect(current()?.verification).toMatchObject({
      attempts: 2,
      resends: 1,
      sentAt: NOW.toISOString(),
      expiresAt: '2026-01-01T00:20:00.000Z',
    });
    expect(current()?.verification?.codeHash).not.toBe('old-code');
  });

  it.each([
    ['not_found', undefined],
    ['not_pending', { status: 'verified', verification } as const],
    ['not_ready', {}],
    ['resend_limit', { verification: { ...verification, resends: 3 } }],
  ])('refuses with %s and sends nothing', async (reason, record) => {
    const { ports, mails } = memoryPorts(record);

    await expect(resendVerification(ports, requestId)).rejects.toMatchObject({ reason });
    expect(mails).toHaveLength(0);
  });

  it('says the limit is reached with no resends left', async () => {
    const { ports } = memoryPorts({ verification: { ...verification, resends: 1 } }, 1);

    await expect(resendVerification(ports, requestId)).rejects.toMatchObject({
      reason: 'resend_limit',
      details: { resendsLeft: 0 },
      message: expect.stringMatching(/new request/),
    });
  });
});
