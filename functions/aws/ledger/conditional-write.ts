/**
 * The ledger table's items: reads, queries and the one conditional write every
 * aggregate goes through. A refused condition never escapes as a DynamoDB
 * error unless the caller asks for it: `ifConditionFails` turns it into the
 * domain's answer (an error to throw, or a no-op).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type LedgerRecord, RequestNotFoundError, StatusConflictError } from '../../core/ledger-record';
import { isConditionFailure, withTransient } from '../errors';

/** One conditional UpdateItem on a request's item. */
export interface ConditionalWrite {
  readonly update: string;
  readonly condition: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, unknown>;
  readonly returnValues?: 'ALL_NEW' | 'UPDATED_NEW';
  /**
   * Called when the condition refused the write: throws the domain error, or
   * returns to accept it (the write result is then `applied: false`). Absent:
   * the DynamoDB error is rethrown as it is.
   */
  readonly ifConditionFails?: (error: unknown) => unknown;
}

/** What a conditional write did; `attributes` as asked for by `returnValues`. */
export type WriteResult<A> =
  | { readonly applied: true; readonly attributes?: A }
  | { readonly applied: false };

/** Reads and conditional writes of the ledger table (one item per request, keyed by `requestId`). */
export class LedgerItems {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The ledger entry, or undefined. Strongly consistent so a fresh write is always seen. */
  async get(requestId: string): Promise<LedgerRecord | undefined> {
    const out = await withTransient(() =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { requestId }, ConsistentRead: true })),
    );
    return out.Item as LedgerRecord | undefined;
  }

  /** The ledger entry, or `RequestNotFound`. */
  async require(requestId: string): Promise<LedgerRecord> {
    const record = await this.get(requestId);
    if (!record) throw new RequestNotFoundError(requestId);
    return record;
  }

  /** Writes `item` only if no entry has its id; `onExists` gives the error to throw otherwise. */
  async putNew(item: LedgerRecord, onExists: () => Error): Promise<void> {
    try {
      await withTransient(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(requestId)',
          }),
        ),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw onExists();
      throw error;
    }
  }

  /** The one conditional UpdateItem of the ledger. */
  async write<A = LedgerRecord>(requestId: string, write: ConditionalWrite): Promise<WriteResult<A>> {
    const names = write.names && Object.keys(write.names).length > 0 ? write.names : undefined;
    try {
      const out = await withTransient(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { requestId },
            UpdateExpression: write.update,
            ConditionExpression: write.condition,
            ...(names ? { ExpressionAttributeNames: names } : {}),
            ...(write.values ? { ExpressionAttributeValues: write.values } : {}),
            ...(write.returnValues ? { ReturnValues: write.returnValues } : {}),
          }),
        ),
      );
      return { applied: true, attributes: out.Attributes as A | undefined };
    } catch (error) {
      if (!isConditionFailure(error) || !write.ifConditionFails) throw error;
      await write.ifConditionFails(error);
      return { applied: false };
    }
  }

  /**
   * An update that applies only while the request is in the status bound to
   * `:expected`; otherwise `RequestNotFound` or `StatusConflict`.
   */
  async writeInStatus(
    requestId: string,
    update: string,
    values: Record<string, unknown>,
    names: Record<string, string> = {},
  ): Promise<void> {
    await this.write(requestId, {
      update,
      condition: '#status = :expected',
      names: { ...names, '#status': 'status' },
      values,
      ifConditionFails: () => this.throwConflict(requestId),
    });
  }

  /** Why a conditional write on this request failed: it is gone, or its status moved on. */
  async throwConflict(requestId: string): Promise<never> {
    const latest = await this.get(requestId);
    throw latest ? new StatusConflictError(requestId, latest.status) : new RequestNotFoundError(requestId);
  }

  /** Every item a Query on the ledger (or one of its indexes) returns, page after page. */
  async *query<Item>(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): AsyncIterable<Item> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await withTransient(() =>
        this.db.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: startKey })),
      );
      // The ledger's own items, written only by the ledger's aggregates.
      yield* (page.Items ?? []) as Item[];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
