import type { LedgerTable } from '../../functions/aws/ledger';
import {
  type DueRetention,
  MAX_VERIFICATION_ATTEMPTS,
  StatusConflictError,
} from '../../functions/core/ledger-record';
import { InvalidTransitionError } from '../../functions/core/lifecycle';
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

function newRequest() {
  seq += 1;
  return {
    requestId: `20260101-access-aaaaaaaa${String.fromCharCode(97 + (seq % 26))}${String.fromCharCode(97 + Math.floor(seq / 26))}`,
    type: 'access' as const,
    jurisdiction: 'ID' as const,
    locale: 'en' as const,
    receivedAt: '2026-01-01T00:00:00.000Z',
    dueAt: '2026-01-04T00:00:00.000Z',
    subjectHash: 'subject-hash',
    contact: { email: 'someone@example.com', fullName: undefined },
    statusTokenHash: 'token-hash',
  };
}

const verification = (taskToken: string) => ({
  codeHash: 'c',
  linkTokenHash: 'l',
  attempts: 0,
  taskToken,
  expiresAt: '2026-01-01T00:15:00.000Z',
  sentAt: '2026-01-01T00:00:00.000Z',
});

describe('request ledger on DynamoDB', () => {
  it('writes a new request as pending_verification with its first history entry', async () => {
    const request = newRequest();
    await ledger.create(request, new Date('2026-01-01T00:00:00.000Z'));
    const stored = await ledger.get(request.requestId);
    expect(stored).toMatchObject({
      status: 'pending_verification',
      contact: { email: 'someone@example.com' },
    });
    expect(stored?.history).toEqual([{ status: 'pending_verification', at: '2026-01-01T00:00:00.000Z' }]);
  });

  it('never overwrites an existing request id', async () => {
    const request = newRequest();
    await ledger.create(request);
    await expect(ledger.create({ ...request, subjectHash: 'other' })).rejects.toMatchObject({
      name: 'DuplicateRequest',
    });
    expect((await ledger.get(request.requestId))?.subjectHash).toBe('subject-hash');
  });

  it('moves a request through the lifecycle, recording each step in history', async () => {
    const request = newRequest();
    await ledger.create(request);
    await ledger.transition(request.requestId, 'verify');
    await ledger.transition(request.requestId, 'start');
    await ledger.setPlan(request.requestId, { email: ['someone@example.com'] }, [
      'customers',
      'marketing-preferences',
    ]);
    await ledger.setStoreProgress(request.requestId, 'marketing-preferences', {
      status: 'completed',
      records: 2,
    });
    await ledger.transition(request.requestId, 'complete');
    const stored = await ledger.get(request.requestId);
    expect(stored?.status).toBe('completed');
    expect(stored?.history.map((h) => h.status)).toEqual([
      'pending_verification',
      'verified',
      'in_progress',
      'completed',
    ]);
    expect(stored?.stores).toEqual({
      customers: { status: 'pending' },
      'marketing-preferences': { status: 'completed', records: 2 },
    });
  });

  it('refuses a transition the lifecycle does not allow', async () => {
    const request = newRequest();
    await ledger.create(request);
    await expect(ledger.transition(request.requestId, 'complete')).rejects.toBeInstanceOf(
      InvalidTransitionError,
    );
  });

  it('lets only one of two concurrent writers move the request', async () => {
    const request = newRequest();
    await ledger.create(request);
    const results = await Promise.allSettled([
      ledger.transition(request.requestId, 'verify'),
      ledger.transition(request.requestId, 'reject'),
    ]);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(StatusConflictError);
    expect((await ledger.get(request.requestId))?.history).toHaveLength(2);
  });

  it('counts wrong codes atomically and stops at the limit, even under concurrent guesses', async () => {
    const request = newRequest();
    await ledger.create(request);
    await ledger.setVerification(request.requestId, verification('token-1'));
    const results = await Promise.allSettled(
      Array.from({ length: MAX_VERIFICATION_ATTEMPTS + 3 }, () =>
        ledger.recordWrongAttempt(request.requestId),
      ),
    );
    const counts = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).sort();
    expect(counts).toEqual([1, 2, 3, 4, 5]);
    expect((await ledger.get(request.requestId))?.verification?.attempts).toBe(MAX_VERIFICATION_ATTEMPTS);
  });

  it('replaces the task token when verification is requested again, and stops once verified', async () => {
    const request = newRequest();
    await ledger.create(request);
    await ledger.setVerification(request.requestId, verification('token-1'));
    await ledger.setVerification(request.requestId, verification('token-2'));
    expect((await ledger.get(request.requestId))?.verification?.taskToken).toBe('token-2');
    await ledger.transition(request.requestId, 'verify');
    await expect(ledger.setVerification(request.requestId, verification('token-3'))).rejects.toBeInstanceOf(
      StatusConflictError,
    );
  });

  it('counts resends atomically up to the limit, only for the waiting task, with new hashes each time', async () => {
    // Prepare
    const request = newRequest();
    await ledger.create(request);
    await ledger.setVerification(request.requestId, verification('token-1'));
    const next = (n: number) => ({
      codeHash: `code-${n}`,
      linkTokenHash: `link-${n}`,
      sentAt: `2026-01-01T00:0${n}:00.000Z`,
      expiresAt: `2026-01-01T00:2${n}:00.000Z`,
    });

    // Act
    const stale = await ledger.resendVerification(request.requestId, {
      taskToken: 'token-0',
      max: 2,
      next: next(0),
    });
    const counts = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        ledger.resendVerification(request.requestId, { taskToken: 'token-1', max: 2, next: next(n) }),
      ),
    );

    // Assess
    expect(stale).toBeUndefined();
    expect(counts.filter((c) => c !== undefined).sort()).toEqual([1, 2]);
    const stored = (await ledger.get(request.requestId))?.verification;
    expect(stored).toMatchObject({ resends: 2, attempts: 0, taskToken: 'token-1' });
    expect(stored?.codeHash).toMatch(/^code-[1-4]$/);
  });

  it('stores a failure reason with the failed status', async () => {
    const request = newRequest();
    await ledger.create(request);
    await ledger.transition(request.requestId, 'fail', { failure: { error: 'Boom', cause: 'because' } });
    expect(await ledger.get(request.requestId)).toMatchObject({
      status: 'failed',
      failure: { error: 'Boom', cause: 'because' },
    });
  });
});

function newDelete(subjectHash = 'delete-subject') {
  const base = newRequest();
  return {
    ...base,
    requestId: base.requestId.replace('-access-', '-delete-'),
    type: 'delete' as const,
    subjectHash,
  };
}

const schedule = (hash: string) => ({ graceEndsAt: '2026-01-02T00:00:00.000Z', cancelTokenHash: hash });

describe('erasure steps in the ledger on DynamoDB', () => {
  it('schedules a verified delete with its grace period in one step, and keeps the end of the grace period on a retry', async () => {
    const request = newDelete();
    await ledger.create(request);
    await ledger.transition(request.requestId, 'verify');

    await ledger.schedule(request.requestId, schedule('hash-1'), new Date('2026-01-01T00:00:00.000Z'));
    const again = await ledger.schedule(request.requestId, {
      graceEndsAt: '2026-01-09T00:00:00.000Z',
      cancelTokenHash: 'hash-2',
    });

    const stored = await ledger.get(request.requestId);
    expect(stored?.status).toBe('scheduled');
    expect(stored?.erasureSchedule).toEqual(schedule('hash-2'));
    expect(again).toEqual(schedule('hash-2'));
    expect(stored?.history.map((h) => h.status)).toEqual(['pending_verification', 'verified', 'scheduled']);
  });

  it('refuses to schedule a request that is not verified', async () => {
    const request = newDelete();
    await ledger.create(request);
    await expect(ledger.schedule(request.requestId, schedule('h'))).rejects.toBeInstanceOf(
      InvalidTransitionError,
    );
    expect((await ledger.get(request.requestId))?.erasureSchedule).toBeUndefined();
  });

  it('cancels only while scheduled: once the erasure started, the cancel loses', async () => {
    const cancelled = newDelete();
    await ledger.create(cancelled);
    await ledger.transition(cancelled.requestId, 'verify');
    await ledger.schedule(cancelled.requestId, schedule('h'));
    await ledger.cancel(cancelled.requestId);
    expect((await ledger.get(cancelled.requestId))?.status).toBe('cancelled');

    const started = newDelete();
    await ledger.create(started);
    await ledger.transition(started.requestId, 'verify');
    await ledger.schedule(started.requestId, schedule('h'));
    const results = await Promise.allSettled([
      ledger.transition(started.requestId, 'start'),
      ledger.cancel(started.requestId),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const status = (await ledger.get(started.requestId))?.status;
    expect(['in_progress', 'cancelled']).toContain(status);
    await expect(ledger.cancel(started.requestId)).rejects.toBeDefined();
  });

  it('records the certificate and what is retained only while the erasure is in progress', async () => {
    const request = newDelete();
    await ledger.create(request);
    await ledger.transition(request.requestId, 'verify');
    const info = {
      jsonKey: 'certificates/x/certificate.json',
      htmlKey: 'certificates/x/certificate.html',
      issuedAt: '2026-01-01T00:00:00.000Z',
    };
    const retention = {
      identities: { customerId: ['cus-kept'] },
      entries: [{ storeId: 'orders', legalBasis: 'tax law', retainedUntil: '2036-01-01', records: 2 }],
      until: '2036-01-01',
    };
    await expect(ledger.setCertificate(request.requestId, info, retention)).rejects.toBeInstanceOf(
      StatusConflictError,
    );

    await ledger.transition(request.requestId, 'start');
    await ledger.setCertificate(request.requestId, info, retention);

    expect(await ledger.get(request.requestId)).toMatchObject({ certificate: info, retention });
  });

  it('minimises a finished request: no contact, verification, identities or schedule, but the proof stays', async () => {
    const request = newDelete('minimised-subject');
    await ledger.create(request);
    await ledger.setVerification(request.requestId, verification('token-1'));
    await ledger.transition(request.requestId, 'verify');
    await ledger.schedule(request.requestId, schedule('h'));
    await ledger.transition(request.requestId, 'start');
    await ledger.setPlan(request.requestId, { email: ['someone@example.com'], customerId: ['cus-1'] }, [
      'orders',
    ]);
    await ledger.setStoreProgress(request.requestId, 'orders', { status: 'completed', records: 2 });
    await expect(ledger.minimise(request.requestId)).rejects.toBeInstanceOf(StatusConflictError);
    await ledger.transition(request.requestId, 'complete');

    await ledger.minimise(request.requestId);

    const stored = await ledger.get(request.requestId);
    for (const gone of ['contact', 'verification', 'identities', 'erasureSchedule'])
      expect(stored).not.toHaveProperty(gone);
    expect(stored).toMatchObject({
      status: 'completed',
      subjectHash: 'minimised-subject',
      stores: { orders: { status: 'completed', records: 2 } },
    });
    expect(JSON.stringify(stored)).not.toContain('someone@example.com');
  });

  it('finishes and minimises in one write when asked, and keeps a failed request whole', async () => {
    const done = newDelete('one-write-subject');
    await ledger.create(done);
    await ledger.transition(done.requestId, 'verify');
    await ledger.schedule(done.requestId, schedule('h'));
    await ledger.transition(done.requestId, 'start');
    await ledger.setPlan(done.requestId, { email: ['someone@example.com'] }, ['orders']);

    await expect(ledger.advance(done.requestId, 'complete', { minimise: true })).resolves.toEqual({
      status: 'completed',
      already: false,
    });

    const stored = await ledger.get(done.requestId);
    expect(stored?.status).toBe('completed');
    expect(JSON.stringify(stored)).not.toContain('someone@example.com');
    const failed = newDelete('failed-subject');
    await ledger.create(failed);
    await ledger.advance(failed.requestId, 'fail', {
      failure: { error: 'Boom', cause: '' },
      minimise: true,
    });
    expect((await ledger.get(failed.requestId))?.contact?.email).toBe('someone@example.com');
  });

  it('never minimises a failed request, whose contact support still needs', async () => {
    const request = newDelete();
    await ledger.create(request);
    await ledger.transition(request.requestId, 'fail', { failure: { error: 'Boom', cause: '' } });
    await expect(ledger.minimise(request.requestId)).rejects.toBeInstanceOf(StatusConflictError);
    expect((await ledger.get(request.requestId))?.contact?.email).toBe('someone@example.com');
  });

  it('finds the pseudonymous identities earlier completed deletes of the same subject kept, and nothing else', async () => {
    const subjectHash = 'retained-subject';
    const finish = async (
      customerIds: string[] | undefined,
      outcome: 'complete' | 'fail',
      hash = subjectHash,
    ) => {
      const request = newDelete(hash);
      await ledger.create(request);
      await ledger.transition(request.requestId, 'verify');
      await ledger.transition(request.requestId, 'start');
      if (customerIds) {
        await ledger.setCertificate(
          request.requestId,
          { jsonKey: 'j', htmlKey: 'h', issuedAt: '2026-01-01T00:00:00.000Z' },
          { identities: { customerId: customerIds }, entries: [], until: '2036-01-01' },
        );
      }
      await ledger.transition(
        request.requestId,
        outcome,
        outcome === 'fail' ? { failure: { error: 'E', cause: '' } } : {},
      );
    };
    await finish(['cus-a'], 'complete');
    await finish(['cus-b', 'cus-a'], 'complete');
    await finish(undefined, 'complete');
    await finish(['cus-failed'], 'fail');
    await finish(['cus-other'], 'complete', 'someone-else');

    expect(await ledger.retainedIdentities(subjectHash)).toEqual({ customerId: ['cus-a', 'cus-b'] });
    expect(await ledger.retainedIdentities('never-seen')).toEqual({});
  });
});

describe("the retention sweep's view of the ledger on DynamoDB", () => {
  const info = { jsonKey: 'j', htmlKey: 'h', issuedAt: '2026-01-01T00:00:00.000Z' };
  /** A delete that retains records until `until`, finished with `outcome` (or left in progress). */
  const retaining = async (until: string | undefined, outcome: 'complete' | 'fail' | 'none' = 'complete') => {
    const request = newDelete('sweep-subject');
    await ledger.create(request);
    await ledger.transition(request.requestId, 'verify');
    await ledger.transition(request.requestId, 'start');
    const entries = until
      ? [{ storeId: 'orders', legalBasis: 'tax law', retainedUntil: until, records: 1 }]
      : [];
    await ledger.setCertificate(request.requestId, info, {
      identities: { customerId: ['cus-swept'] },
      entries,
      ...(until ? { until } : {}),
    });
    if (outcome !== 'none') {
      await ledger.transition(
        request.requestId,
        outcome,
        outcome === 'fail' ? { failure: { error: 'E', cause: '' } } : {},
      );
    }
    return request.requestId;
  };
  const get = async (requestId: string) => (await ledger.get(requestId)) as DueRetention | undefined;
  // Dates well before the other tests' (2036) so only these entries are due.
  let late: string;
  let early: string;

  it('lists completed deletes whose retention has ended, oldest first, and no others', async () => {
    late = await retaining('2030-01-10');
    early = await retaining('2030-01-05');
    await retaining('2030-03-01'); // not yet due
    await retaining('2030-01-01', 'fail'); // failed: support, not the sweep
    await retaining('2030-01-02', 'none'); // still in progress
    await retaining(undefined); // only held records: no date

    const due = await ledger.dueRetentions('2030-02-01');

    expect(due.map((d) => d.requestId)).toEqual([early, late]);
    expect(due[0]).toMatchObject({ retentionDue: 'pending', retentionUntil: '2030-01-05' });
    expect((await ledger.dueRetentions('2030-02-01', 1)).map((d) => d.requestId)).toEqual([early]);
    expect(await ledger.dueRetentions('2029-12-31')).toEqual([]);
  });

  it('closes a retention once: off the list, pseudonymous ids gone, evidence and history kept', async () => {
    const addendumKey = `certificates/${late}/retention-2030-02-01.json`;

    const first = await ledger.closeRetention(late, { addendumKey, deleted: 1 });
    const closed = await get(late);
    const second = await ledger.closeRetention(late, { addendumKey, deleted: 1 });

    expect([first, second]).toEqual([true, false]);
    expect(closed).not.toHaveProperty('retentionDue');
    expect(closed).not.toHaveProperty('retentionUntil');
    expect(closed?.retention).toEqual({
      entries: [{ storeId: 'orders', legalBasis: 'tax law', retainedUntil: '2030-01-10', records: 1 }],
      until: '2030-01-10',
    });
    expect(closed?.history.at(-1)?.note).toBe(
      `retention ended: 1 retained record(s) erased; addendum ${addendumKey}`,
    );
    expect((await get(late))?.history).toEqual(closed?.history);
    expect((await ledger.dueRetentions('2030-02-01')).map((d) => d.requestId)).toEqual([early]);
  });

  it('keeps the first claimed sweep run for reruns, and a deferred entry waits for its next check with a fresh run', async () => {
    const run = await ledger.beginRetentionSweep(early, 'retention-2030-02-01');
    const rerun = await ledger.beginRetentionSweep(early, 'retention-2030-02-02');
    await ledger.deferRetention(early, '2030-02-03');
    const dueMeanwhile = await ledger.dueRetentions('2030-02-02');

    expect([run, rerun]).toEqual(['retention-2030-02-01', 'retention-2030-02-01']);
    expect(dueMeanwhile).toEqual([]);
    expect(await get(early)).toMatchObject({ retentionDue: 'pending', retentionUntil: '2030-02-03' });
    expect(await get(early)).not.toHaveProperty('retentionRun');
    expect(await ledger.beginRetentionSweep(early, 'retention-2030-02-03')).toBe('retention-2030-02-03');
    await expect(ledger.beginRetentionSweep(late, 'retention-2030-02-01')).rejects.toBeInstanceOf(
      StatusConflictError,
    );
  });
});
