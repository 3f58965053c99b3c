import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { merged, startMetering, total } from '../bench/sdk-meter';

/** A client whose calls never leave the process: each answers `output` as if the service had. */
function answering<C extends DynamoDBClient | S3Client>(client: C, output: object): C {
  const stack: { add(middleware: unknown, options: { step: 'initialize' }): void } = client.middlewareStack;
  stack.add(() => async () => ({ output: { $metadata: {}, ...output }, response: {} }), {
    step: 'initialize',
  });
  return client;
}

const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };

describe("the bench's SDK meter", () => {
  it('counts each call once in all and once under the table or bucket it names, with its units', async () => {
    // Prepare
    const dynamodb = answering(new DynamoDBClient(config), { ConsumedCapacity: { CapacityUnits: 2 } });
    const s3 = answering(new S3Client(config), {});
    const stop = startMetering();
    // Act
    await dynamodb.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: '1' } } }));
    await dynamodb.send(new QueryCommand({ TableName: 'ledger', KeyConditionExpression: 'id = :id' }));
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 'a', Body: 'x' }));
    const metered = stop();
    // Assess
    expect(total(metered.all.dynamodb).calls).toBe(2);
    expect(total(metered.all.dynamodb).units).toBe(4);
    expect(metered.byResource['dynamodb:orders']?.dynamodb.PutItem).toMatchObject({ calls: 1, units: 2 });
    expect(metered.byResource['dynamodb:ledger']?.dynamodb.Query).toMatchObject({ calls: 1, units: 2 });
    expect(metered.byResource['s3:documents']?.s3.PutObject?.calls).toBe(1);
    const stores = merged(
      [metered.byResource['dynamodb:orders'], metered.byResource['s3:documents']].flatMap((m) => m ?? []),
    );
    expect(total(stores.dynamodb).units).toBe(2);
    expect(total(stores.s3).calls).toBe(1);
  });

  it('stops counting when stopped', async () => {
    const dynamodb = answering(new DynamoDBClient(config), {});
    const stop = startMetering();
    const metered = stop();
    await dynamodb.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: '1' } } }));
    expect(metered.all.dynamodb).toEqual({});
  });
});
