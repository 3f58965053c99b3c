/**
 * The opt-out's writes on the DynamoDB emulator: the connector's consent
 * update and the suppression list, exactly as the tasks call them.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SuppressionList, suppressionHash } from '../../functions/aws/suppression';
import { DynamoDbConnector } from '../../functions/connectors/dynamodb';
import { createConnector } from '../../functions/connectors/registry';
import { type DataMap, type DynamoDbStore, dataStoreOf } from '../../functions/core/data-map';
import { createTableInput, DEMO_TABLES, SUPPRESSION_TABLE } from '../../infra/definitions/tables';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';

jest.setTimeout(60_000);

let emulators: Emulators;
let dynamodb: DynamoDBDocumentClient;
const dataMap: DataMap = loadDemoDataMap();
const KEY = Buffer.alloc(32, 7);
const CONTEXT = { requestId: '20261127-opt-out-ABCDEFGHJK', at: '2026-11-27T01:02:03.000Z' };

const dynamoStore = (id: string): DynamoDbStore => {
  const found = dataMap.stores.find((s) => s.id === id);
  if (found?.kind !== 'dynamodb') throw new Error(`no DynamoDB store ${id}`);
  return found;
};
const preferences = dynamoStore('marketing-preferences');
const messages = dynamoStore('messages');

async function consentOf(customerId: string) {
  const out = await dynamodb.send(
    new GetCommand({ TableName: preferences.table, Key: { customerId }, ConsistentRead: true }),
  );
  return out.Item;
}

async function plantConsent(customerId: string) {
  await dynamodb.send(
    new PutCommand({
      TableName: preferences.table,
      Item: {
        customerId,
        emailOptIn: true,
        whatsappOptIn: true,
        smsOptIn: true,
        advertisingCookies: true,
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
    }),
  );
}

beforeAll(async () => {
  emulators = await startEmulators();
  const raw = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  dynamodb = DynamoDBDocumentClient.from(raw);
  for (const store of [preferences, messages]) {
    const def = DEMO_TABLES[store.id];
    if (!def) throw new Error(`no table for ${store.id}`);
    await raw.send(new CreateTableCommand(createTableInput(store.table, def)));
  }
  await raw.send(new CreateTableCommand(createTableInput('dsr-suppression', SUPPRESSION_TABLE)));
});

afterAll(async () => {
  dynamodb?.destroy();
  await emulators?.stop();
});

describe('turning marketing consent off in a DynamoDB store', () => {
  it("sets every consent field of the subject's record to false with the time and request id, and leaves others alone", async () => {
    await plantConsent('cus-optout-1');
    await plantConsent('cus-bystander-1');

    const receipt = await new DynamoDbConnector(preferences, dynamodb).optOut(
      { identities: { customerId: ['cus-optout-1'] } },
      CONTEXT,
    );

    expect(receipt).toEqual({ storeId: 'marketing-preferences', updated: 1 });
    expect(await consentOf('cus-optout-1')).toEqual({
      customerId: 'cus-optout-1',
      emailOptIn: false,
      whatsappOptIn: false,
      smsOptIn: false,
      advertisingCookies: false,
      updatedAt: '2026-01-01T00:00:00.000Z',
      marketingOptOutAt: CONTEXT.at,
      marketingOptOutRequestId: CONTEXT.requestId,
    });
    expect(await consentOf('cus-bystander-1')).toMatchObject({ emailOptIn: true, smsOptIn: true });
  });

  it('ends in the same state when run again (a retry)', async () => {
    await plantConsent('cus-optout-2');
    const connector = new DynamoDbConnector(preferences, dynamodb);
    const subject = { identities: { customerId: ['cus-optout-2'] } };

    await connector.optOut(subject, CONTEXT);
    const first = await consentOf('cus-optout-2');
    const again = await connector.optOut(subject, CONTEXT);

    expect(again.updated).toBe(1);
    expect(await consentOf('cus-optout-2')).toEqual(first);
  });

  it('writes nothing for a subject without a consent record, and never creates one', async () => {
    const receipt = await new DynamoDbConnector(preferences, dynamodb).optOut(
      { identities: { customerId: ['cus-nobody'] } },
      CONTEXT,
    );

    expect(receipt.updated).toBe(0);
    expect(await consentOf('cus-nobody')).toBeUndefined();
  });

  it('leaves a store that declares no consent fields untouched', async () => {
    await dynamodb.send(
      new PutCommand({
        TableName: messages.table,
        Item: { customerId: 'cus-optout-3', messageId: 'm-1', body: 'hello' },
      }),
    );

    const receipt = await new DynamoDbConnector(messages, dynamodb).optOut(
      { identities: { customerId: ['cus-optout-3'] } },
      CONTEXT,
    );

    expect(receipt.updated).toBe(0);
    const item = await dynamodb.send(
      new GetCommand({ TableName: messages.table, Key: { customerId: 'cus-optout-3', messageId: 'm-1' } }),
    );
    expect(item.Item).toEqual({ customerId: 'cus-optout-3', messageId: 'm-1', body: 'hello' });
  });

  it('offers no opt-out on S3 stores, which hold no consent', () => {
    const activity = dataStoreOf(dataMap, 'activity');
    const connector = createConnector(activity, { dynamodb, s3: {} as never });
    expect(connector.optOut).toBeUndefined();
  });
});

describe('the suppression list', () => {
  it('answers true for a suppressed address in any spelling, and false for everyone else', async () => {
    const list = new SuppressionList(dynamodb, 'dsr-suppression');
    const hash = suppressionHash(KEY, 'Opted.Out@Example.com');

    expect(await list.isSuppressedHash(hash)).toBe(false);
    await list.suppress(hash, { ...CONTEXT, channels: ['email', 'sms'] });

    expect(await list.isSuppressedHash(suppressionHash(KEY, '  opted.out@example.COM'))).toBe(true);
    expect(await list.isSuppressedHash(suppressionHash(KEY, 'someone.else@example.com'))).toBe(false);
  });

  it('keeps the first opt-out time and gathers channels and request ids when suppressed again', async () => {
    const list = new SuppressionList(dynamodb, 'dsr-suppression');
    const hash = suppressionHash(KEY, 'twice@example.com');

    await list.suppress(hash, { ...CONTEXT, channels: ['email'] });
    await list.suppress(hash, {
      requestId: '20261128-opt-out-BCDEFGHJKM',
      at: '2026-11-28T00:00:00.000Z',
      channels: ['whatsapp'],
    });

    const out = await dynamodb.send(
      new GetCommand({ TableName: 'dsr-suppression', Key: { subjectHash: hash }, ConsistentRead: true }),
    );
    expect(out.Item).toMatchObject({
      suppressedAt: CONTEXT.at,
      lastOptOutAt: '2026-11-28T00:00:00.000Z',
      lastRequestId: '20261128-opt-out-BCDEFGHJKM',
    });
    expect([...((out.Item?.channels as Set<string> | undefined) ?? [])].sort()).toEqual([
      'email',
      'whatsapp',
    ]);
    expect(JSON.stringify(out.Item)).not.toContain('example.com');
  });

  it('never counts a one-click token marker as a suppressed subject', async () => {
    const list = new SuppressionList(dynamodb, 'dsr-suppression');
    await dynamodb.send(
      new PutCommand({
        TableName: 'dsr-suppression',
        Item: { subjectHash: 'token#abc', suppressedAt: CONTEXT.at },
      }),
    );

    expect(await list.isSuppressedHash('token#abc')).toBe(false);
  });
});
