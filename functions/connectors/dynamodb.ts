import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbStore } from '../core/data-map';
import type { Connector, ExportedRecord, RecordRef, Subject } from './connector';

export interface DynamoDbConnectorOptions {
  /** Items per Query page (DynamoDB's `Limit`); unset = up to 1 MB per page. */
  readonly pageSize?: number;
}

/**
 * Finds a subject's items with Query on the table or on the data map's GSI,
 * one Query per known identity value. Never a Scan: a Scan reads everyone's data.
 */
export class DynamoDbConnector implements Connector {
  readonly storeId: string;

  constructor(
    private readonly store: DynamoDbStore,
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbConnectorOptions = {},
  ) {
    this.storeId = store.id;
  }

  async *locate(subject: Subject): AsyncIterable<readonly RecordRef[]> {
    for await (const page of this.export(subject)) yield page.map((r) => r.ref);
  }

  async *export(subject: Subject): AsyncIterable<readonly ExportedRecord[]> {
    const { table, locate } = this.store;
    const values = [...new Set(subject.identities[locate.identity] ?? [])];
    for (const value of values) {
      const pages = paginateQuery(
        { client: this.client, ...(this.options.pageSize ? { pageSize: this.options.pageSize } : {}) },
        {
          TableName: table,
          ...(locate.index ? { IndexName: locate.index } : {}),
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': locate.partitionKey },
          ExpressionAttributeValues: { ':pk': value },
        },
      );
      for await (const page of pages) {
        const items = page.Items ?? [];
        if (items.length === 0) continue;
        yield items.map((item) => ({
          ref: { kind: 'dynamodb', key: refKey(item, locate.partitionKey) },
          data: item,
        }));
      }
    }
  }
}

/**
 * The data map names only the Query's partition key, not the table's primary
 * key (a GSI hides it), so the ref keeps that key plus every string attribute
 * named `…Id`: by convention the demo tables' keys (customerId, orderId, messageId).
 */
export function refKey(item: Record<string, unknown>, partitionKey: string): Record<string, string | number> {
  const key: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(item)) {
    const isKeyLike = name === partitionKey || name.endsWith('Id');
    if (isKeyLike && (typeof value === 'string' || typeof value === 'number')) key[name] = value;
  }
  return key;
}
