/**
 * Shared fixtures for handler unit tests: environment, API Gateway events and
 * a stateful in-memory ledger behind a mocked DynamoDB DocumentClient.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { mockClient } from 'aws-sdk-client-mock';

export const TEST_KEY_HEX = 'ab'.repeat(32);

/** Sets the env every function reads; call before importing handler modules. */
export function setTestEnvironment(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'dsr-unit-'));
  const secretFile = path.join(dir, 'secret');
  writeFileSync(secretFile, TEST_KEY_HEX);
  Object.assign(process.env, {
    AWS_REGION: 'ap-southeast-3',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    DSR_LEDGER_TABLE: 'dsr-ledger',
    DSR_EXPORT_BUCKET: 'dsr-exports',
    DSR_STATE_MACHINE_ARN: 'arn:aws:states:ap-southeast-3:000000000000:stateMachine:dsr',
    DSR_MAIL_FROM: 'privacy@example.com',
    DSR_PUBLIC_URL: 'https://dsr.example.com',
    DSR_SECRET_FILE: secretFile,
    DSR_DATA_MAP: readFileSync(path.join(__dirname, '../../config/impor-in.data-map.json'), 'utf8'),
  });
}

export function apiEvent(
  overrides: Partial<APIGatewayProxyEvent> & { resource: string },
): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    path: overrides.resource,
    body: null,
    headers: {},
    multiValueHeaders: {},
    isBase64Encoded: false,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { identity: { sourceIp: '203.0.113.7' } } as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}

export type Item = Record<string, unknown>;

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/**
 * A ledger table in memory that honours the ledger adapter's conditions
 * (status checks, attempt limit), so handler tests see real race semantics.
 */
export function fakeLedger(ddb: AwsClientStub<DynamoDBDocumentClient>): Map<string, Item> {
  const items = new Map<string, Item>();
  ddb.on(GetCommand).callsFake((input: { Key: { requestId: string } }) => {
    const item = items.get(input.Key.requestId);
    return { Item: item ? structuredClone(item) : undefined };
  });
  ddb.on(PutCommand).callsFake((input: { Item: Item }) => {
    if (items.has(input.Item.requestId as string)) throw conditionFailed();
    items.set(input.Item.requestId as string, structuredClone(input.Item));
    return {};
  });
  ddb
    .on(UpdateCommand)
    .callsFake(
      (input: {
        Key: { requestId: string };
        UpdateExpression: string;
        ExpressionAttributeValues?: Item;
        ExpressionAttributeNames?: Record<string, string>;
      }) => {
        const item = items.get(input.Key.requestId);
        const v = input.ExpressionAttributeValues ?? {};
        const expr = input.UpdateExpression;
        if (expr.includes('verification.attempts')) {
          const verification = item?.verification as { attempts: number } | undefined;
          if (
            !item ||
            item.status !== v[':expected'] ||
            !verification ||
            verification.attempts >= (v[':max'] as number)
          ) {
            throw conditionFailed();
          }
          verification.attempts += 1;
          return { Attributes: structuredClone(item) };
        }
        if (expr.includes('#status = :next')) {
          if (!item || item.status !== v[':expected']) throw conditionFailed();
          item.status = v[':next'];
          item.updatedAt = v[':at'];
          item.history = [...((item.history as unknown[]) ?? []), ...(v[':entry'] as unknown[])];
          if (v[':failure']) item.failure = v[':failure'];
          if (v[':erasureSchedule']) item.erasureSchedule = structuredClone(v[':erasureSchedule']);
          return {};
        }
        if (expr.includes('erasureSchedule.cancelTokenHash = :hash')) {
          if (!item || item.status !== v[':expected']) throw conditionFailed();
          (item.erasureSchedule as Item).cancelTokenHash = v[':hash'];
          return {};
        }
        if (expr.startsWith('REMOVE contact')) {
          const allowed = Object.entries(v)
            .filter(([k]) => k.startsWith(':done'))
            .map(([, status]) => status);
          if (!item || !allowed.includes(item.status)) throw conditionFailed();
          for (const name of ['contact', 'verification', 'identities', 'erasureSchedule']) delete item[name];
          item.updatedAt = v[':at'];
          return {};
        }
        if (expr.includes('certificate = :c')) {
          if (!item || item.status !== v[':expected']) throw conditionFailed();
          item.certificate = structuredClone(v[':c']);
          if (v[':r']) item.retention = structuredClone(v[':r']);
          return {};
        }
        if (expr.includes('identities = :ids')) {
          if (!item || item.status !== v[':expected']) throw conditionFailed();
          item.identities = structuredClone(v[':ids']);
          item.stores = structuredClone(v[':stores']);
          return {};
        }
        if (expr.includes('verification = :v')) {
          if (!item || item.status !== v[':expected']) throw conditionFailed();
          item.verification = structuredClone(v[':v']);
          return {};
        }
        if (expr.includes('exportInfo = :e')) {
          if (!item || item.status !== v[':expected']) throw conditionFailed();
          item.exportInfo = structuredClone(v[':e']);
          return {};
        }
        if (expr.includes('exportInfo.downloads')) {
          const info = item?.exportInfo as { downloads: number } | undefined;
          if (!info) throw conditionFailed();
          info.downloads += 1;
          return {};
        }
        throw new Error(`fake ledger: unsupported update ${expr}`);
      },
    );
  // The bySubject index: completed deletes of one subject that kept something.
  ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Item }) => ({
    Items: [...items.values()]
      .filter(
        (i) =>
          i.subjectHash === input.ExpressionAttributeValues[':h'] &&
          i.type === 'delete' &&
          i.status === 'completed' &&
          i.retention !== undefined,
      )
      .map((i) => ({ retention: structuredClone(i.retention) })),
  }));
  return items;
}

export const mockDocumentClient = () => mockClient(DynamoDBDocumentClient);
