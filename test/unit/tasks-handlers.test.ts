import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { keyedHash } from '../../functions/core/crypto';
import { fakeLedger, mockDocumentClient, setTestEnvironment, TEST_KEY_HEX } from '../support/http-support';

setTestEnvironment();
// Every send names the deployment's configuration set (SES publishes its bounces and complaints).
process.env.DSR_SES_CONFIGURATION_SET = 'dsr-mail-feedback';
const validate =
  require('../../functions/tasks/validate-request') as typeof import('../../functions/tasks/validate-request');
const requestVerification =
  require('../../functions/tasks/request-verification') as typeof import('../../functions/tasks/request-verification');
const sendExportLink =
  require('../../functions/tasks/send-export-link') as typeof import('../../functions/tasks/send-export-link');
const recordOutcome =
  require('../../functions/tasks/record-outcome') as typeof import('../../functions/tasks/record-outcome');
const scheduleErasure =
  require('../../functions/tasks/schedule-erasure') as typeof import('../../functions/tasks/schedule-erasure');

const ddb = mockDocumentClient();
const ses = mockClient(SESv2Client);
const key = Buffer.from(TEST_KEY_HEX, 'hex');
const requestId = '20260101-access-abcdefghij';
let ledger: ReturnType<typeof fakeLedger>;

function plant(status: string, locale = 'en') {
  ledger.set(requestId, {
    requestId,
    type: 'access',
    status,
    locale,
    contact: { email: 'someone@example.com' },
    history: [{ status, at: '2026-01-01T00:00:00.000Z' }],
  });
}

function sentMail() {
  const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
  return {
    to: input?.Destination?.ToAddresses,
    from: input?.FromEmailAddress,
    subject: input?.Content?.Simple?.Subject?.Data ?? '',
    text: input?.Content?.Simple?.Body?.Text?.Data ?? '',
  };
}

beforeEach(() => {
  ledger = fakeLedger(ddb);
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});
afterEach(() => {
  ddb.reset();
  ses.reset();
});

describe('ValidateRequest', () => {
  it('passes a request that is in the ledger with the same type', async () => {
    plant('pending_verification');
    await expect(validate.handler({ requestId, type: 'access' })).resolves.toEqual({
      requestId,
      type: 'access',
      // An entry without clocks waits the full 3 days for verification.
      verificationSeconds: 259200,
    });
  });

  it('fails with RequestNotFound when the type does not match the ledger', async () => {
    plant('pending_verification');
    await expect(validate.handler({ requestId, type: 'delete' })).rejects.toMatchObject({
      name: 'RequestNotFound',
    });
  });
});

describe('RequestVerification', () => {
  it('emails a code and a confirmation link, storing only their hashes and the task token', async () => {
    plant('pending_verification');
    await requestVerification.handler({ requestId, taskToken: 'task-1' });
    const mail = sentMail();
    expect(mail.to).toEqual(['someone@example.com']);
    expect(mail.from).toBe('privacy@example.com');
    const code = /code: ([0-9]{6})/.exec(mail.text)?.[1] ?? '';
    const link = /(https:\/\/dsr\.example\.com\/requests\/\S+)/.exec(mail.text)?.[1] ?? '';
    const token = new URL(link).searchParams.get('token') ?? '';
    expect(new URL(link).pathname).toBe(`/requests/${requestId}/verify`);
    const stored = ledger.get(requestId)?.verification as Record<string, unknown>;
    expect(stored).toMatchObject({
      codeHash: keyedHash(key, 'verification-code', code),
      linkTokenHash: keyedHash(key, 'verification-link', token),
      attempts: 0,
      taskToken: 'task-1',
    });
    expect(JSON.stringify(stored)).not.toContain(code);
  });

  it('writes to Indonesian requesters in Indonesian', async () => {
    plant('pending_verification', 'id');
    await requestVerification.handler({ requestId, taskToken: 'task-1' });
    expect(sentMail().subject).toMatch(/^Kode konfirmasi/);
  });

  it('sends through the configuration set and tags the email with its request, so a bounce finds the waiting request', async () => {
    plant('pending_verification');
    await requestVerification.handler({ requestId, taskToken: 'task-1' });
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.ConfigurationSetName).toBe('dsr-mail-feedback');
    expect(input?.EmailTags).toEqual([
      { Name: 'requestId', Value: requestId },
      { Name: 'purpose', Value: 'verification' },
    ]);
  });

  it('replaces the task token on a retry', async () => {
    plant('pending_verification');
    await requestVerification.handler({ requestId, taskToken: 'task-1' });
    await requestVerification.handler({ requestId, taskToken: 'task-2' });
    expect(ledger.get(requestId)?.verification).toMatchObject({ taskToken: 'task-2' });
  });

  it('mails the same code and link when the send is retried, so the first email keeps working', async () => {
    plant('pending_verification');
    await requestVerification.handler({ requestId, taskToken: 'task-1' });
    const codeHash = () =>
      (ledger.get(requestId)?.verification as { codeHash?: string } | undefined)?.codeHash;
    const firstHash = codeHash();
    await requestVerification.handler({ requestId, taskToken: 'task-2' });
    const texts = ses
      .commandCalls(SendEmailCommand)
      .map((c) => c.args[0].input.Content?.Simple?.Body?.Text?.Data ?? '');
    expect(texts).toHaveLength(2);
    const codes = texts.map((t) => /\b(\d{6})\b/.exec(t)?.[1]);
    expect(codes[0]).toMatch(/^\d{6}$/);
    expect(codes[1]).toBe(codes[0]);
    const links = texts.map((t) => /token=([A-Za-z0-9_-]+)/.exec(t)?.[1]);
    expect(links[1]).toBe(links[0]);
    expect(codeHash()).toBe(firstHash);
    // Another request gets another code.
    const other = (await import('../../functions/core/crypto')).derivedVerificationSecrets;
    expect(other(Buffer.alloc(32, 1), 'a').code).not.toBe(other(Buffer.alloc(32, 1), 'b').code);
  });

  it('after a resend, a retried send only takes the new task token and mails nothing', async () => {
    plant('pending_verification');
    await requestVerification.handler({ requestId, taskToken: 'task-1' });
    const first = ledger.get(requestId) as Record<string, unknown>;
    const resent = { ...(first.verification as object), codeHash: 'resent-code-hash', resends: 1 };
    ledger.set(requestId, { ...first, verification: resent });
    await requestVerification.handler({ requestId, taskToken: 'task-2' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(ledger.get(requestId)?.verification).toMatchObject({
      codeHash: 'resent-code-hash',
      taskToken: 'task-2',
    });
  });

  it('keeps the wrong-code and resend counts on a retry, so a retry grants no extra guesses', async () => {
    plant('pending_verification');
    await requestVerification.handler({ requestId, taskToken: 'task-1' });
    const first = ledger.get(requestId) as Record<string, unknown>;
    ledger.set(requestId, {
      ...first,
      verification: { ...(first.verification as object), attempts: 3, resends: 2 },
    });
    await requestVerification.handler({ requestId, taskToken: 'task-2' });
    expect(ledger.get(requestId)?.verification).toMatchObject({
      attempts: 3,
      resends: 2,
      taskToken: 'task-2',
    });
  });

  it('surfaces SES throttling as a TransientError so the workflow retries', async () => {
    plant('pending_verification');
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
    await expect(requestVerification.handler({ requestId, taskToken: 'task-1' })).rejects.toMatchObject({
      name: 'TransientError',
    });
  });
});

describe('SendExportLink', () => {
  it('emails a link to the API with a token whose hash only is stored, never a pre-signed URL', async () => {
    plant('in_progress');
    await sendExportLink.handler({ requestId, key: `exports/${requestId}/export.zip` });
    const { text } = sentMail();
    const link = new URL(/(https:\/\/dsr\.example\.com\/\S+)/.exec(text)?.[1] ?? '');
    expect(link.pathname).toBe(`/requests/${requestId}/export`);
    expect(text).not.toMatch(/X-Amz-/);
    expect(ledger.get(requestId)?.exportInfo).toMatchObject({
      key: `exports/${requestId}/export.zip`,
      tokenHash: keyedHash(key, 'export-token', link.searchParams.get('token') ?? ''),
      downloads: 0,
    });
  });
});

describe('RecordOutcome', () => {
  it('marks a request failed with the reason, cutting the cause to 500 characters', async () => {
    plant('in_progress');
    await recordOutcome.handler({
      requestId,
      outcome: 'failed',
      error: { Error: 'Boom', Cause: 'x'.repeat(2000) },
    });
    const item = ledger.get(requestId);
    expect(item?.status).toBe('failed');
    expect((item?.failure as { cause: string } | undefined)?.cause).toHaveLength(500);
  });

  it('succeeds again when the request already has that outcome', async () => {
    plant('rejected');
    await expect(recordOutcome.handler({ requestId, outcome: 'rejected' })).resolves.toEqual({
      requestId,
      status: 'rejected',
    });
    expect(ledger.get(requestId)?.history).toHaveLength(1);
  });

  it('logs and returns for a request missing from the ledger instead of failing the workflow', async () => {
    await expect(recordOutcome.handler({ requestId, outcome: 'expired' })).resolves.toEqual({
      requestId,
      status: 'missing',
    });
  });
});

describe('RecordOutcome on a finished request', () => {
  it('keeps the first outcome instead of failing the workflow', async () => {
    plant('completed');
    await expect(
      recordOutcome.handler({ requestId, outcome: 'failed', error: { Error: 'Late' } }),
    ).resolves.toEqual({
      requestId,
      status: 'completed',
    });
    expect(ledger.get(requestId)?.status).toBe('completed');
  });
});

const deleteId = '20260101-delete-abcdefghij';

function plantDelete(status: string, extra: Record<string, unknown> = {}, locale = 'en') {
  ledger.set(deleteId, {
    requestId: deleteId,
    type: 'delete',
    status,
    locale,
    subjectHash: 'subject-hash',
    contact: { email: 'leaving@example.com', fullName: 'Leaving Testperson' },
    history: [{ status, at: '2026-01-01T00:00:00.000Z' }],
    ...extra,
  });
}

const cancelLinkIn = (text: string) =>
  new URL(
    /(https:\/\/dsr\.example\.com\/requests\/\S+\/cancel\S*)/.exec(text)?.[1] ?? 'https://invalid.example',
  );

describe('ScheduleErasure', () => {
  it('schedules a verified delete and emails a cancel link whose token only the hash of is stored', async () => {
    // Prepare
    plantDelete('verified');
    const before = Date.now();

    // Act
    const out = await scheduleErasure.handler({ requestId: deleteId });

    // Assess
    expect(out).toEqual({ requestId: deleteId, graceSeconds: 86400, graceEndsAt: expect.any(String) });
    // The Wait state's time: the grace period's end in whole seconds, never before it.
    expect(out.graceEndsAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(out.graceEndsAt) - before).toBeGreaterThanOrEqual(86_400_000);
    const mail = sentMail();
    expect(mail.to).toEqual(['leaving@example.com']);
    const link = cancelLinkIn(mail.text);
    expect(link.pathname).toBe(`/requests/${deleteId}/cancel`);
    const token = link.searchParams.get('token') ?? '';
    expect(token.length).toBeGreaterThanOrEqual(40);
    expect(mail.subject).not.toContain(token);
    expect(mail.text).toMatch(/Erasure starts in 1 day, at /);
    const stored = ledger.get(deleteId);
    expect(stored?.status).toBe('scheduled');
    const schedule = stored?.erasureSchedule as { graceEndsAt: string; cancelTokenHash: string };
    expect(schedule.cancelTokenHash).toBe(keyedHash(key, 'cancel-token' as never, token));
    expect(Date.parse(schedule.graceEndsAt) - before).toBeGreaterThanOrEqual(86400_000);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('writes to Indonesian requesters in Indonesian', async () => {
    plantDelete('verified', {}, 'id');
    await scheduleErasure.handler({ requestId: deleteId });
    expect(sentMail().subject).toMatch(/^Penghapusan data Anda/);
    expect(sentMail().text).toMatch(/Penghapusan dimulai dalam 1 hari, pada /);
  });

  it('on a retry after the cancel link went out, mails nothing more and keeps that link and the grace period', async () => {
    plantDelete('verified');
    await scheduleErasure.handler({ requestId: deleteId });
    const first = structuredClone(ledger.get(deleteId)?.erasureSchedule) as {
      graceEndsAt: string;
      cancelTokenHash: string;
    };

    const again = await scheduleErasure.handler({ requestId: deleteId });

    const second = ledger.get(deleteId)?.erasureSchedule as { graceEndsAt: string; cancelTokenHash: string };
    expect(second).toEqual(first);
    expect(again.graceSeconds).toBeLessThanOrEqual(86400);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    const mailed =
      ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Body?.Text?.Data ?? '';
    const token = cancelLinkIn(mailed).searchParams.get('token') ?? '';
    expect(second.cancelTokenHash).toBe(keyedHash(key, 'cancel-token' as never, token));
    expect(ledger.get(deleteId)?.history).toHaveLength(2);
  });

  it('records the verification first when the verify endpoint resumed the workflow but its ledger write was lost', async () => {
    plantDelete('pending_verification');
    await scheduleErasure.handler({ requestId: deleteId });
    expect(
      ((ledger.get(deleteId)?.history as { status: string }[] | undefined) ?? []).map((h) => h.status),
    ).toEqual(['pending_verification', 'verified', 'scheduled']);
  });

  it('refuses to schedule a request that was already cancelled', async () => {
    plantDelete('cancelled');
    await expect(scheduleErasure.handler({ requestId: deleteId })).rejects.toThrow();
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('RecordOutcome minimisation', () => {
  const open = {
    verification: { codeHash: 'c', linkTokenHash: 'l', attempts: 0, taskToken: 't' },
    identities: { email: ['leaving@example.com'], customerId: ['cus-1'] },
    erasureSchedule: { graceEndsAt: '2026-01-02T00:00:00.000Z', cancelTokenHash: 'h' },
    certificate: { jsonKey: 'certificates/x/certificate.json', htmlKey: 'certificates/x/certificate.html' },
    retention: { identities: { customerId: ['cus-1'] }, entries: [], until: '2036-01-01' },
    stores: { orders: { status: 'completed', records: 2 } },
  };

  it('drops the contact, verification, identities and cancel schedule of a completed delete, keeping its proof', async () => {
    plantDelete('in_progress', open);

    await recordOutcome.handler({ requestId: deleteId, outcome: 'completed' });

    const item = ledger.get(deleteId) as Record<string, unknown>;
    expect(item.status).toBe('completed');
    for (const gone of ['contact', 'verification', 'identities', 'erasureSchedule'])
      expect(item).not.toHaveProperty(gone);
    expect(item).toMatchObject({
      subjectHash: 'subject-hash',
      certificate: open.certificate,
      retention: open.retention,
      stores: open.stores,
    });
    expect(JSON.stringify(item)).not.toContain('leaving@example.com');
  });

  it('keeps the contact of a failed request so support can reach the person', async () => {
    plantDelete('in_progress', open);
    await recordOutcome.handler({
      requestId: deleteId,
      outcome: 'failed',
      error: { Error: 'ErasureIncomplete' },
    });
    expect(ledger.get(deleteId)).toMatchObject({
      status: 'failed',
      contact: { email: 'leaving@example.com' },
      failure: { error: 'ErasureIncomplete' },
    });
  });

  it('minimises a delete the subject cancelled, and does so again on a retry', async () => {
    plantDelete('cancelled', open);
    await expect(recordOutcome.handler({ requestId: deleteId, outcome: 'cancelled' })).resolves.toEqual({
      requestId: deleteId,
      status: 'cancelled',
    });
    await recordOutcome.handler({ requestId: deleteId, outcome: 'cancelled' });
    expect(ledger.get(deleteId)).not.toHaveProperty('contact');
    expect(ledger.get(deleteId)?.history).toHaveLength(1);
  });

  it('minimises expired and rejected requests too', async () => {
    plant('pending_verification');
    await recordOutcome.handler({ requestId, outcome: 'expired' });
    expect(ledger.get(requestId)).not.toHaveProperty('contact');
  });
});
