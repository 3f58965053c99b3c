import { summarisedManifest } from '../../functions/core/erasure/manifest';
import { erasureDecisionsKey } from '../../functions/core/export/keys';
import type { LedgerRecord } from '../../functions/core/ledger-record';
import type { RequestLedger } from '../../functions/core/ports';
import { type CertifiedErasurePorts, certifyErasure } from '../../functions/core/requests/certified-erasure';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { memoryS3 } from '../support/erasure-fakes';

const dataMap = loadDemoDataMap();
const REQUEST = '20260315-delete-abcdefgh24';
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

const record: LedgerRecord = {
  requestId: REQUEST,
  type: 'delete',
  status: 'in_progress',
  jurisdiction: 'ID',
  locale: 'en',
  receivedAt: '2026-03-15T08:00:00.000Z',
  dueAt: '2026-03-18T08:00:00.000Z',
  updatedAt: '2026-03-15T09:00:00.000Z',
  subjectHash: 'a'.repeat(64),
  contact: { email: 'someone@example.test' },
  statusTokenHash: 'b'.repeat(64),
  stores: { customers: { status: 'completed', records: 1, verified: true } },
  history: [{ status: 'in_progress', at: '2026-03-16T08:05:01.000Z' }],
};

describe('IssueCertificate completes the request itself', () => {
  it('completes on a retry after its completion write failed, without mailing the certificate again', async () => {
    // Prepare: one erased store's summary; the first completion write is throttled
    const bucket = memoryS3();
    // The store's inventory as EraseStore leaves it: one object, the summary its first line.
    bucket.objects.set(
      `exports/${erasureDecisionsKey(REQUEST, 'customers')}`,
      summarisedManifest(
        {
          version: 1,
          requestId: REQUEST,
          storeId: 'customers',
          counts: { found: 1, deleted: 1, masked: 0, retained: 0, held: 0 },
          identifierHashes: [],
          retention: [],
          holds: [],
          createdAt: '2026-03-16T08:05:02.000Z',
        },
        '',
      ),
    );
    let current: LedgerRecord = record;
    let throttled = false;
    const claims = new Set<string>();
    const sent: string[] = [];
    const ledger = {
      get: async () => current,
      require: async () => current,
      setCertificate: async (_id: string, certificate: LedgerRecord['certificate']) => {
        current = { ...current, certificate };
      },
      claimOutcomeMail: async (_id: string, _at: string, mail = 'outcome') => {
        if (claims.has(mail)) return false;
        claims.add(mail);
        return true;
      },
      releaseOutcomeMail: async (_id: string, _at: string, mail = 'outcome') => void claims.delete(mail),
      // The completion minimises in the same write, as the table does.
      advance: async () => {
        if (!throttled) {
          throttled = true;
          throw Object.assign(new Error('throttled'), { name: 'TransientError' });
        }
        const already = current.status === 'completed';
        const { contact: _, ...minimised } = current;
        current = { ...minimised, status: 'completed' };
        return { status: 'completed' as const, already };
      },
      minimise: async () => undefined,
    };
    const ports: CertifiedErasurePorts = {
      exports: bucket.store('exports'),
      audit: bucket.store('audit'),
      dataMap,
      clock: () => new Date('2026-03-16T08:06:00.000Z'),
      log,
      mailer: { send: async (mail) => void sent.push(mail.subject) },
      ledger: ledger as unknown as RequestLedger & typeof ledger,
    };

    // Act
    await expect(certifyErasure(ports, { requestId: REQUEST })).rejects.toMatchObject({
      name: 'TransientError',
    });
    const keys = await certifyErasure(ports, { requestId: REQUEST });

    // Assess
    expect(sent).toHaveLength(1);
    expect(current.status).toBe('completed');
    expect(keys).toEqual({ jsonKey: current.certificate?.jsonKey, htmlKey: current.certificate?.htmlKey });
    bucket.mock.restore();
  });
});
