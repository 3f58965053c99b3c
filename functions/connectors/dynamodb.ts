import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, TransientError } from '../aws/errors';
import type { DynamoDbStore } from '../core/data-map';
import type { RecordDecision } from '../core/erasure/decisions';
import type {
  Connector,
  EraseReceipt,
  ExportedRecord,
  FieldValues,
  OptOutContext,
  OptOutReceipt,
  RecordRef,
  Subject,
  SurveyPage,
  UpdateReceipt,
} from '../core/ports';

/** How `erase` retries the items a BatchWriteItem leaves unprocessed (throttling, partition limits). */
export interface UnprocessedRetry {
  /** Calls per batch, the first included, before giving up with a `TransientError`; default 8. */
  readonly maxAttempts?: number;
  /** Backoff base and cap; each wait is a random time up to min(cap, base * 2^attempt) ("full jitter"). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export interface DynamoDbConnectorOptions {
  /** Items per Query page (DynamoDB's `Limit`); unset = up to 1 MB per page. */
  readonly pageSize?: number;
  /** Writes (25-item batches or single updates) in flight during `erase`; default 8. */
  readonly writeConcurrency?: number;
  readonly retry?: UnprocessedRetry;
}

/** A record key that does not match the table's primary key in the data map. Not retried: the map needs fixing. */
export class PrimaryKeyError extends Error {
  override readonly name = 'PrimaryKeyError';
}

type PrimaryKey = DynamoDbStore['primaryKey'];
type ItemKey = Record<string, string | number>;

/** BatchWriteItem takes at most 25 requests per call. */
const BATCH_SIZE = 25;

/**
 * Finds a subject's items with Query on the table or on the data map's GSI,
 * one Query per known identity value, and erases them by primary key.
 * Never a Scan: a Scan reads everyone's data.
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

  /** DynamoDB keeps no old versions: what is recoverable is exactly the current items. */
  async *locate(subject: Subject): AsyncIterable<readonly RecordRef[]> {
    for await (const page of this.export(subject)) yield page.map((r) => r.ref);
  }

  /** One Query per identity value: each item is both a record and its own ref (no old versions). */
  async *survey(subject: Subject): AsyncIterable<SurveyPage> {
    for await (const records of this.export(subject)) yield { records, refs: records.map((r) => r.ref) };
  }

  async *export(subject: Subject): AsyncIterable<readonly ExportedRecord[]> {
    const { table, locate, primaryKey } = this.store;
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
        yield items.map((item): ExportedRecord => {
          try {
            return { ref: { kind: 'dynamodb', key: refKey(item, primaryKey, this.storeId) }, data: item };
          } catch (error) {
            // Still the person's data: exported and counted; an erasure of it stops at its missing key.
            if (!(error instanceof PrimaryKeyError)) throw error;
            return { ref: { kind: 'dynamodb', key: {} }, data: item, problem: 'missing_key' };
          }
        });
      }
    }
  }

  /**
   * Deletes with BatchWriteItem (25 per call, unprocessed items retried with
   * backoff), masks/removes fields with UpdateItem conditioned on the item
   * still existing (an item already gone is no error), and sends nothing for
   * `keep`. Every key is checked against the primary key before any write.
   */
  async erase(decisions: AsyncIterable<readonly RecordDecision[]>): Promise<EraseReceipt> {
    const writes = new InFlight(this.options.writeConcurrency ?? 8);
    let deleted = 0;
    let updated = 0;
    let kept = 0;
    let deletes = new Map<string, ItemKey>();
    const flushDeletes = async () => {
      const batch = [...deletes.values()];
      deletes = new Map();
      if (batch.length === 0) return;
      await writes.add(async () => {
        await this.deleteBatch(batch);
        deleted += batch.length;
      });
    };

    for await (const page of decisions) {
      for (const decision of page) {
        const { action } = decision;
        if (action.kind === 'keep') {
          kept += 1;
          continue;
        }
        const key = this.keyOf(decision.ref);
        if (action.kind === 'delete') {
          // One batch must not name a key twice (DynamoDB rejects it); deleting twice across batches is harmless.
          deletes.set(JSON.stringify(key), key);
          if (deletes.size >= BATCH_SIZE) await flushDeletes();
          continue;
        }
        const update = this.updateInput(key, action.set, action.remove);
        if (!update) {
          kept += 1;
          continue;
        }
        await writes.add(async () => {
          if (await this.updateItem(update)) updated += 1;
        });
      }
    }
    await flushDeletes();
    await writes.drain();
    return { storeId: this.storeId, deleted, updated, kept };
  }

  /**
   * Sets every `marketingConsentFields` attribute to `false`, plus
   * `marketingOptOutAt` and `marketingOptOutRequestId`, on each of the
   * subject's items: found by Query (never a Scan), written by primary key with
   * UpdateItem conditioned on the item still existing. A store that declares
   * no consent fields is left alone (0 updated).
   */
  async optOut(subject: Subject, context: OptOutContext): Promise<OptOutReceipt> {
    const fields = this.store.marketingConsentFields ?? [];
    if (fields.length === 0) return { storeId: this.storeId, updated: 0 };
    return this.update(subject, {
      ...Object.fromEntries(fields.map((f) => [f, false])),
      marketingOptOutAt: context.at,
      marketingOptOutRequestId: context.requestId,
    });
  }

  /**
   * Sets `fields` on each of the subject's items: found by Query (never a
   * Scan), written by primary key with UpdateItem conditioned on the item
   * still existing, each item once however many identities find it.
   */
  async update(subject: Subject, fields: FieldValues): Promise<UpdateReceipt> {
    const writes = new InFlight(this.options.writeConcurrency ?? 8);
    const done = new Set<string>();
    let updated = 0;
    for await (const page of this.export(subject)) {
      for (const record of page) {
        const key = this.keyOf(record.ref);
        const id = JSON.stringify(key);
        if (done.has(id)) continue;
        done.add(id);
        const input = this.updateInput(key, fields, []);
        if (!input) continue;
        await writes.add(async () => {
          if (await this.updateItem(input)) updated += 1;
        });
      }
    }
    await writes.drain();
    return { storeId: this.storeId, updated };
  }

  /** The item key of a decision's ref: exactly the table's primary key, or a refusal. */
  private keyOf(ref: RecordRef): ItemKey {
    if (ref.kind !== 'dynamodb') {
      throw new PrimaryKeyError(`store ${this.storeId} got a decision for a ${ref.kind} record`);
    }
    return refKey(ref.key, this.store.primaryKey, this.storeId);
  }

  private updateInput(
    key: ItemKey,
    set: Readonly<Record<string, string | boolean>>,
    remove: readonly string[],
  ) {
    const { partitionKey, sortKey } = this.store.primaryKey;
    const setNames = Object.keys(set);
    for (const name of [...setNames, ...remove]) {
      if (name === partitionKey || name === sortKey) {
        throw new PrimaryKeyError(`store ${this.storeId}: erasure cannot change key attribute ${name}`);
      }
    }
    const removeNames = remove.filter((name) => !(name in set));
    if (setNames.length === 0 && removeNames.length === 0) return undefined;
    // Every attribute goes through a placeholder: field names may be reserved words (status, name, ...).
    const names: Record<string, string> = { '#key': partitionKey };
    const values: Record<string, string | boolean> = {};
    const clauses: string[] = [];
    if (setNames.length > 0) {
      const parts = setNames.map((name, i) => {
        names[`#s${i}`] = name;
        values[`:s${i}`] = set[name] as string | boolean;
        return `#s${i} = :s${i}`;
      });
      clauses.push(`SET ${parts.join(', ')}`);
    }
    if (removeNames.length > 0) {
      const parts = removeNames.map((name, i) => {
        names[`#r${i}`] = name;
        return `#r${i}`;
      });
      clauses.push(`REMOVE ${parts.join(', ')}`);
    }
    return {
      TableName: this.store.table,
      Key: key,
      UpdateExpression: clauses.join(' '),
      ConditionExpression: 'attribute_exists(#key)',
      ExpressionAttributeNames: names,
      ...(setNames.length > 0 ? { ExpressionAttributeValues: values } : {}),
    };
  }

  /** True when the item was updated, false when it was already gone (idempotent retry). */
  private async updateItem(input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
    try {
      await this.client.send(new UpdateCommand(input));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async deleteBatch(keys: readonly ItemKey[]): Promise<void> {
    const { table } = this.store;
    const maxAttempts = this.options.retry?.maxAttempts ?? 8;
    const base = this.options.retry?.baseDelayMs ?? 50;
    const cap = this.options.retry?.maxDelayMs ?? 5_000;
    let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= maxAttempts) {
        throw new TransientError(
          `store ${this.storeId}: ${requests.length} deletes still unprocessed after ${maxAttempts} attempts`,
        );
      }
      if (attempt > 0) await sleep(Math.random() * Math.min(cap, base * 2 ** attempt));
      const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

/**
 * The primary key of an item (or of a ref's key): exactly the attributes the
 * data map names as the table's key, so erasure can write by it. Throws when
 * one is missing or is not a string or number (names only; never values).
 */
export function refKey(
  item: Readonly<Record<string, unknown>>,
  primaryKey: PrimaryKey,
  storeId = 'store',
): ItemKey {
  const key: ItemKey = {};
  for (const name of [primaryKey.partitionKey, primaryKey.sortKey]) {
    if (name === undefined) continue;
    const value = item[name];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new PrimaryKeyError(`store ${storeId}: record has no usable key attribute ${name}`);
    }
    key[name] = value;
  }
  return key;
}

/** Runs async writes with at most `limit` in flight; the first failure is thrown by the next `add` or by `drain`. */
class InFlight {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.throwIfFailed();
    const promise: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
