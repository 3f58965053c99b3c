import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditTrail } from '../../functions/aws/audit-trail';
import { nextEntry } from '../../functions/core/audit/entry';
import { verifyChain } from '../../functions/core/audit/verify';
import { AUDIT_TABLE, createTableInput } from '../../infra/definitions/tables';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';

const TABLE = 'dsr-audit';
let emulators: Emulators;
let db: DynamoDBDocumentClient;
let trail: DynamoAuditTrail;

beforeAll(async () => {
  emulators = await startEmulators();
  const raw = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await raw.send(new CreateTableCommand(createTableInput(TABLE, AUDIT_TABLE)));
  db = DynamoDBDocumentClient.from(raw);
  trail = new DynamoAuditTrail(db, TABLE);
});
afterAll(async () => {
  db.destroy();
  await emulators.stop();
});

const event = (eventId: string, minute = 0) => ({
  eventId,
  kind: 'store_exported' as const,
  at: `2026-12-05T10:${String(minute).padStart(2, '0')}:00.000Z`,
  details: { storeId: eventId, records: minute },
});

describe('DynamoAuditTrail on dynalite', () => {
  it('appends entries in sequence and reads back a chain that verifies', async () => {
    // Act
    await trail.append('req-a', event('received'));
    await trail.append('req-a', event('orders', 1));
    await trail.append('req-a', event('messages', 2));
    // Assess
    const chain = await trail.read('req-a');
    expect(chain.map((e) => [e.sequence, e.eventId])).toEqual([
      [1, 'received'],
      [2, 'orders'],
      [3, 'messages'],
    ]);
    expect(verifyChain(chain).intact).toBe(true);
    expect(chain[0]).not.toHaveProperty('day');
  });

  it('appends nothing for a retried event: the same event id gives back the first entry', async () => {
    const first = await trail.append('req-b', event('received'));
    const again = await trail.append('req-b', { ...event('received', 9) });
    expect(again).toEqual(first);
    expect(await trail.read('req-b')).toHaveLength(1);
  });

  it('keeps one entry per event when the same event is appended concurrently, and orders different ones', async () => {
    await Promise.all([
      trail.append('req-c', event('orders', 1)),
      trail.append('req-c', event('orders', 1)),
      trail.append('req-c', event('messages', 2)),
      trail.append('req-c', event('customers', 3)),
    ]);
    const chain = await trail.read('req-c');
    expect(chain.map((e) => e.eventId).sort()).toEqual(['customers', 'messages', 'orders']);
    expect(verifyChain(chain).intact).toBe(true);
  });

  it('never overwrites: a put onto a taken sequence is refused by its condition', async () => {
    await trail.append('req-d', event('received'));
    const [existing] = await trail.read('req-d');
    const forged = nextEntry('req-d', undefined, event('forged'));
    await expect(
      db.send(
        new PutCommand({
          TableName: TABLE,
          Item: { ...forged, day: '2026-12-05' },
          ConditionExpression: 'attribute_not_exists(requestId)',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect((await trail.read('req-d'))[0]).toEqual(existing);
  });

  it('names the chains that moved on a day with their heads, for the daily heads job', async () => {
    const heads = await trail.headsTouchedOn('2026-12-05');
    const a = heads.find((h) => h.requestId === 'req-a');
    const chainA = await trail.read('req-a');
    expect(a).toEqual({ requestId: 'req-a', sequence: 3, hash: chainA[2]?.hash });
    expect(await trail.headsTouchedOn('2026-12-04')).toEqual([]);
  });
});
