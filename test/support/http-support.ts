/**
 * Shared fixtures for handler unit tests: environment, API Gateway events and
 * a stateful in-memory ledger behind a mocked DynamoDB DocumentClient.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
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
export const RATE_LIMIT_TABLE_NAME = 'dsr-rate-limits';
/** The audit chains (owner: audit): the fake ledger keeps their entries apart from the ledger's items. */
export const AUDIT_TABLE_NAME = 'dsr-audit';

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
    DSR_AUDIT_TABLE: AUDIT_TABLE_NAME,
    DSR_RATE_LIMIT_TABLE: RATE_LIMIT_TABLE_NAME,
    DSR_IDEMPOTENCY_TABLE: 'dsr-idempotency',
    DSR_EXPORT_BUCKET: 'dsr-exports',
    DSR_AUDIT_BUCKET: 'dsr-audit',
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
export function fakeLedger(
  ddb: AwsClientStub<DynamoDBDocumentClient>,
  /** Rate-limit counters by `limitKey` (the rate-limit table's `ADD hits :one`). */
  limits: Map<string, number> = new Map(),
): Map<string, Item> {
  const items = new Map<string, Item>();
  ddb
    .on(GetCommand)
    .callsFake((input: { TableName: string; Key: { requestId: string; limitKey?: string } }) => {
      if (input.TableName === RATE_LIMIT_TABLE_NAME) {
        const hits = limits.get(input.Key.limitKey as string);
        return { Item: hits === undefined ? undefined : { hits } };
      }
      const item = items.get(input.Key.requestId);
      return { Item: item ? structuredClone(item) : undefined };
    });
  const audit = new Map<string, Item>();
  ddb.on(PutCommand).callsFake((input: { TableName: string; Item: Item }) => {
    if (input.TableName === AUDIT_TABLE_NAME) {
      const key = `${input.Item.requestId}#${input.Item.sequence}`;
      if (audit.has(key)) throw conditionFailed();
      audit.set(key, structuredClone(input.Item));
      return {};
    }
    if (items.has(input.Item.requestId as string)) throw conditionFailed();
    items.set(input.Item.requestId as string, structuredClone(input.Item));
    return {};
  });
  ddb
    .on(UpdateCommand)
    .callsFake(
      (input: {
        TableName: string;
        Key: { requestId: string; limitKey?: string };
        UpdateExpression: string;
        ExpressionAttributeValues?: Item;
        ExpressionAttributeNames?: Record<string, string>;
      }) => {
        if (input.TableName === RATE_LIMIT_TABLE_NAME) {
          const limitKey = input.Key.limitKey as string;
          // `ADD hits :zero` reads the count without counting (RateLimiter.check).
          const hits =
            (limits.get(limitKey) ?? 0) + (input.ExpressionAttributeValues?.[':zero'] === 0 ? 0 : 1);
          limits.set(limitKey, hits);
          return { Attributes: { hits } };
        }
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
          // A finishing move may minimise in the same write (top-level attributes only in this fake).
          const removed = / REMOVE (.*)$/.exec(expr)?.[1]?.split(',') ?? [];
          for (const name of removed.map((n) => n.trim()).filter((n) => !n.includes('.'))) delete item[name];
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
        const claim = /^SET (outcomeMailAt|certificateMailAt) = :at$/.exec(expr)?.[1];
        if (claim) {
          if (!item || item[claim]) throw conditionFailed();
          item[claim] = v[':at'];
          return {};
        }
        const release = /^REMOVE (outcomeMailAt|certificateMailAt)$/.exec(expr)?.[1];
        if (release) {
          if (item?.[release] === v[':at']) delete item?.[release];
          return {};
        }
        throw new Error(`fake ledger: unsupported update ${expr}`);
      },
    );
  ddb.on(QueryCommand).callsFake((input: { TableName: string; ExpressionAttributeValues: Item }) => {
    const values = input.ExpressionAttributeValues;
    if (input.TableName === AUDIT_TABLE_NAME) {
      const chain = [...audit.values()].filter((i) => i.requestId === values[':id']);
      return { Items: chain.sort((a, b) => Number(a.sequence) - Number(b.sequence)) };
    }
    // The bySubject index: the subject's open (not finished) request of one type, newest first.
    if (values[':type'] !== undefined) {
      const finished = Object.entries(values)
        .filter(([k]) => k.startsWith(':finished'))
        .map(([, status]) => status);
      return {
        Items: [...items.values()]
          .filter((i) => i.subjectHash === values[':h'] && i.type === values[':type'])
          .filter((i) => !finished.includes(i.status))
          .sort((a, b) => String(b.receivedAt).localeCompare(String(a.receivedAt)))
          .map(({ requestId, type, status, receivedAt }) => ({ requestId, type, status, receivedAt })),
      };
    }
    return queryRetained(values);
  });
  // The bySubject index: completed deletes of one subject that kept something.
  const queryRetained = (values: Item) => ({
    Items: [...items.values()]
      .filter(
        (i) =>
          i.subjectHash === values[':h'] &&
          i.type === 'delete' &&
          i.status === 'completed' &&
          i.retention !== undefined,
      )
      .map((i) => ({ retention: structuredClone(i.retention) })),
  });
  return items;
}

/**
 * Powertools idempotency records in memory, with the DynamoDB layer's put
 * condition (a live record, or an in-progress one whose expiry has not passed, blocks).
 */
export class MemoryIdempotencyStore extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    const inProgressExpired =
      existing?.getStatus() === 'INPROGRESS' &&
      existing.inProgressExpiryTimestamp !== undefined &&
      existing.inProgressExpiryTimestamp < Date.now();
    if (existing && !existing.isExpired() && !inProgressExpired) {
      throw new IdempotencyItemAlreadyExistsError('the key exists', existing);
    }
    this.records.set(record.idempotencyKey, record);
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.records.get(idempotencyKey);
    if (!record) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

export const mockDocumentClient = () => mockClient(DynamoDBDocumentClient);
