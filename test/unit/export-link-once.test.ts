import { sendExportLink } from '../../functions/core/export/export-link';
import type { ExportInfo, LedgerRecord } from '../../functions/core/ledger-record';
import type { Mail, RequestLedger } from '../../functions/core/ports';

const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const requestId = '20261206-access-abcdefghij';

/** A ledger of one access request, with the once-only email claim the real one keeps. */
function fakeLedger(failAdvances = 0) {
  const record: { -readonly [K in keyof LedgerRecord]?: LedgerRecord[K] } = {
    requestId,
    type: 'access',
    status: 'in_progress',
    locale: 'en',
    contact: { email: 'someone@example.com' },
    stores: { customers: { status: 'completed', records: 1 } },
  };
  let failures = failAdvances;
  const ledger = {
    record,
    require: async () => structuredClone(record) as LedgerRecord,
    get: async () => structuredClone(record) as LedgerRecord,
    // Completion minimises in the same write, as the table does; the first `failAdvances` writes fail (throttled).
    advance: async () => {
      if (failures-- > 0) throw Object.assign(new Error('throttled'), { name: 'TransientError' });
      const already = record.status === 'completed';
      record.status = 'completed';
      delete record.contact;
      return { status: 'completed' as const, already };
    },
    minimise: async () => undefined,
    setExportInfo: async (_: string, info: ExportInfo) => {
      record.exportInfo = info;
    },
    claimOutcomeMail: async (_: string, at: string) => {
      if (record.outcomeMailAt) return false;
      record.outcomeMailAt = at;
      return true;
    },
    releaseOutcomeMail: async () => {
      delete record.outcomeMailAt;
    },
  };
  return ledger as unknown as RequestLedger & typeof ledger;
}

/** SendExportLink's ports around a fake ledger and the given mailer. */
function portsWith(ledger: ReturnType<typeof fakeLedger>, mailer: { send: (mail: Mail) => Promise<void> }) {
  return {
    ledger,
    hashingKey: async () => Buffer.alloc(32, 7),
    mailer,
    log,
    settings: { publicUrl: 'http://localhost:3000', linkTtlSeconds: 86400 },
  };
}

describe('SendExportLink run again', () => {
  it('mails the link once and keeps the token the mailed link carries, after a retry past the send', async () => {
    const ledger = fakeLedger();
    const sent: Mail[] = [];
    const ports = portsWith(ledger, { send: async (m: Mail) => void sent.push(m) });
    await sendExportLink(ports, { requestId, key: 'exports/x.zip' });
    const tokenHash = ledger.record.exportInfo?.tokenHash;
    // The task is retried (say its audit write failed after the email went out).
    await sendExportLink(ports, { requestId, key: 'exports/x.zip' });
    expect(sent).toHaveLength(1);
    expect(ledger.record.exportInfo?.tokenHash).toBe(tokenHash);
  });

  it('sends on the retry when the first send failed', async () => {
    const ledger = fakeLedger();
    let calls = 0;
    const ports = portsWith(ledger, {
      send: async () => {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' });
      },
    });
    await expect(sendExportLink(ports, { requestId, key: 'k' })).rejects.toMatchObject({
      name: 'TooManyRequestsException',
    });
    await sendExportLink(ports, { requestId, key: 'k' });
    expect(calls).toBe(2);
  });

  it('completes the request on a retry after its completion write failed, without a second email', async () => {
    const ledger = fakeLedger(1);
    const sent: Mail[] = [];
    const ports = portsWith(ledger, { send: async (m: Mail) => void sent.push(m) });
    await expect(sendExportLink(ports, { requestId, key: 'k' })).rejects.toMatchObject({
      name: 'TransientError',
    });
    await sendExportLink(ports, { requestId, key: 'k' });
    expect(sent).toHaveLength(1);
    expect(ledger.record.status).toBe('completed');
  });
});
