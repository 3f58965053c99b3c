import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LedgerTable } from '../../functions/aws/ledger';
import { isDataStore } from '../../functions/core/data-map';
import type { PlannedStore } from '../../functions/core/requests/plan';
import { plantSubject } from '../../infra/local/demo-data';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { type Emulators, emulatorEnvironment, startEmulators } from '../../infra/local/emulators';
import { createResources } from '../../infra/local/system';
import { setTestEnvironment } from '../support/http-support';

const dataMap = loadDemoDataMap();
const requestId = '20260101-access-planstores';
/** Every data store is visited whatever the request type; processors only for the types they declare. */
const DATA_STORES: PlannedStore[] = dataMap.stores
  .filter(isDataStore)
  .map((s) => ({ storeId: s.id, kind: s.kind, ackSeconds: 0 }));
// Both demo processors must acknowledge within 3 x 24 h (PDP).
const LOGISTICS: PlannedStore = { storeId: 'logistics', kind: 'processor', ackSeconds: 259200 };
const PAYMENTS: PlannedStore = { storeId: 'payments', kind: 'processor', ackSeconds: 259200 };
const byId = (stores: readonly PlannedStore[]) =>
  [...stores].sort((a, b) => a.storeId.localeCompare(b.storeId));
let emulators: Emulators;
let ledger: LedgerTable;

beforeAll(async () => {
  emulators = await startEmulators();
  setTestEnvironment();
  Object.assign(process.env, emulatorEnvironment(emulators.endpoints));
  process.env.DSR_DATA_MAP = readFileSync(
    path.join(__dirname, '../../config/impor-in.data-map.json'),
    'utf8',
  );
  const raw = new DynamoDBClient({});
  const s3 = new S3Client({ forcePathStyle: true });
  const dynamodb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  await createResources({ dynamodb, s3 }, raw, dataMap);
  await plantSubject({ dynamodb, s3 }, dataMap, { email: 'planned.subject@example.test', records: 2 });
  ledger = new LedgerTable(dynamodb, 'dsr-ledger');
});
afterAll(async () => {
  await emulators?.stop();
});

describe('PlanStores', () => {
  it('records the verification itself when the verify endpoint resumed the workflow but its ledger write was lost', async () => {
    // Prepare: the workflow was resumed, yet the ledger still says pending_verification
    await ledger.create({
      requestId,
      type: 'access',
      jurisdiction: 'ID',
      locale: 'en',
      receivedAt: '2026-01-01T00:00:00.000Z',
      dueAt: '2026-01-04T00:00:00.000Z',
      subjectHash: 'subject-hash',
      contact: { email: 'planned.subject@example.test' },
      statusTokenHash: 'token-hash',
    });
    const { handler } =
      require('../../functions/tasks/plan-stores') as typeof import('../../functions/tasks/plan-stores');

    // Act
    const plan = await handler({ requestId });

    // Assess
    expect(plan).toMatchObject({ dataStores: DATA_STORES, processors: [LOGISTICS] });
    // Both in one list too, for an execution started before the Maps were split by kind.
    expect(plan.stores).toEqual([...DATA_STORES, LOGISTICS]);
    const stored = await ledger.get(requestId);
    expect(stored?.status).toBe('in_progress');
    expect(stored?.history.map((h) => h.status)).toEqual(['pending_verification', 'verified', 'in_progress']);
    expect(stored?.identities?.customerId).toHaveLength(1);
  });

  const base = {
    jurisdiction: 'ID' as const,
    locale: 'en' as const,
    receivedAt: '2026-01-01T00:00:00.000Z',
    dueAt: '2026-01-04T00:00:00.000Z',
    statusTokenHash: 'token-hash',
  };
  const handler = () =>
    (require('../../functions/tasks/plan-stores') as typeof import('../../functions/tasks/plan-stores'))
      .handler;

  it('plans an access request for every data store and the logistics partner, but not the payment gateway, which handles no access requests', async () => {
    // Prepare
    const id = '20260101-access-planaccess';
    await ledger.create({
      ...base,
      requestId: id,
      type: 'access',
      subjectHash: 'h-access',
      contact: { email: 'planned.subject@example.test' },
    });
    await ledger.transition(id, 'verify');

    // Act
    const plan = await handler()({ requestId: id });

    // Assess
    // Two lists, one Map each: no data store among the processors, nor the other way round.
    expect(plan).toMatchObject({ dataStores: DATA_STORES, processors: [LOGISTICS] });
    const planned = Object.keys((await ledger.get(id))?.stores ?? {}).sort();
    expect(planned).toEqual([...DATA_STORES.map((s) => s.storeId), 'logistics'].sort());
    expect(planned).not.toContain('payments');
  });

  it('starts a delete whose grace period is over and plans it for every data store and both partners', async () => {
    const id = '20260101-delete-planstarta';
    await ledger.create({
      ...base,
      requestId: id,
      type: 'delete',
      subjectHash: 'h-start',
      contact: { email: 'planned.subject@example.test' },
    });
    await ledger.transition(id, 'verify');
    await ledger.schedule(id, { graceEndsAt: '2026-01-01T00:00:30.000Z', cancelTokenHash: 'h' });

    const plan = await handler()({ requestId: id });

    expect((await ledger.get(id))?.status).toBe('in_progress');
    // A delete reaches both processors, each with its own acknowledgement deadline.
    expect(plan.dataStores).toEqual(DATA_STORES);
    expect(byId(plan.processors)).toEqual(byId([LOGISTICS, PAYMENTS]));
    expect(Object.keys((await ledger.get(id))?.stores ?? {}).sort()).toEqual(
      [...DATA_STORES.map((s) => s.storeId), 'logistics', 'payments'].sort(),
    );
  });

  it('throws RequestCancelled and plans nothing for a delete the subject cancelled', async () => {
    const id = '20260101-delete-plancancel';
    await ledger.create({
      ...base,
      requestId: id,
      type: 'delete',
      subjectHash: 'h-cancel',
      contact: { email: 'planned.subject@example.test' },
    });
    await ledger.transition(id, 'verify');
    await ledger.schedule(id, { graceEndsAt: '2026-01-01T00:00:30.000Z', cancelTokenHash: 'h' });
    await ledger.cancel(id);

    await expect(handler()({ requestId: id })).rejects.toMatchObject({ name: 'RequestCancelled' });

    const stored = await ledger.get(id);
    expect(stored?.status).toBe('cancelled');
    expect(stored?.stores).toBeUndefined();
  });

  it('adds the identities an earlier erasure of the same subject kept, so retained records are still found', async () => {
    // Prepare: an earlier delete of this subject completed and kept records under customerId cus-kept-1
    const earlier = '20260101-delete-planearlie';
    await ledger.create({
      ...base,
      requestId: earlier,
      type: 'delete',
      subjectHash: 'h-retained',
      contact: { email: 'gone.subject@example.test' },
    });
    await ledger.transition(earlier, 'verify');
    await ledger.transition(earlier, 'start');
    await ledger.setCertificate(
      earlier,
      { jsonKey: 'j', htmlKey: 'h', issuedAt: '2026-01-01T00:00:00.000Z' },
      { identities: { customerId: ['cus-kept-1'] }, entries: [], until: '2036-01-01' },
    );
    await ledger.transition(earlier, 'complete');
    const later = '20260101-access-planlatera';
    await ledger.create({
      ...base,
      requestId: later,
      type: 'access',
      subjectHash: 'h-retained',
      contact: { email: 'gone.subject@example.test' },
    });
    await ledger.transition(later, 'verify');

    // Act: the customers record is gone, so the email alone resolves to no customerId
    await handler()({ requestId: later });

    // Assess
    expect((await ledger.get(later))?.identities).toEqual({
      email: ['gone.subject@example.test'],
      customerId: ['cus-kept-1'],
    });
  });
});
