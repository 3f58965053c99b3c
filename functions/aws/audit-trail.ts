/**
 * The audit trail in DynamoDB: one item per chain entry, keyed by request id
 * and sequence. Entries are only ever written by a conditional put
 * (`attribute_not_exists`), never updated or deleted, and the functions that
 * append hold no UpdateItem or DeleteItem grant. No TTL: entries outlive the
 * ledger's minimisation (kept at least 24 months beyond the request's end).
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditEntry, type AuditEvent, type ChainHead, nextEntry } from '../core/audit/entry';
import type { AuditChainIndex, AuditTrail } from '../core/ports';
import { isConditionFailure, TransientError, withTransient } from './errors';

/** The audit table's index by UTC day: which chains got entries on a day. */
export const AUDIT_BY_DAY_INDEX = 'byDay';
/** Concurrent appends to one chain race for the next sequence; the loser reads again and retries. */
const MAX_APPEND_ATTEMPTS = 8;

/** What is stored: the entry and the UTC day of its time (for {@link AUDIT_BY_DAY_INDEX}). */
type AuditItem = AuditEntry & { readonly day: string };

function entryOf(item: Record<string, unknown>): AuditEntry {
  const { day: _day, ...entry } = item as AuditItem;
  return entry;
}

export class DynamoAuditTrail implements AuditTrail, AuditChainIndex {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async append(requestId: string, event: AuditEvent): Promise<AuditEntry> {
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const chain = await this.read(requestId);
      const already = chain.find((e) => e.eventId === event.eventId);
      if (already) return already;
      const entry = nextEntry(requestId, chain.at(-1), event);
      const item: AuditItem = { ...entry, day: entry.at.slice(0, 10) };
      try {
        await withTransient(() =>
          this.db.send(
            new PutCommand({
              TableName: this.tableName,
              Item: item,
              // Never overwrites: a sequence taken by a concurrent append refuses this one.
              ConditionExpression: 'attribute_not_exists(requestId)',
            }),
          ),
        );
        return entry;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new TransientError(
      `audit append for ${requestId} lost the race for a sequence ${MAX_APPEND_ATTEMPTS} times`,
    );
  }

  async read(requestId: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await withTransient(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'requestId = :id',
            ExpressionAttributeValues: { ':id': requestId },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      entries.push(...(out?.Items ?? []).map(entryOf));
      start = out?.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  async headsTouchedOn(day: string): Promise<ChainHead[]> {
    const touched = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const out = await withTransient(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: AUDIT_BY_DAY_INDEX,
            KeyConditionExpression: '#day = :day',
            ExpressionAttributeNames: { '#day': 'day' },
            ExpressionAttributeValues: { ':day': day },
            ProjectionExpression: 'requestId',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of out.Items ?? []) touched.add(String(item.requestId));
      start = out?.LastEvaluatedKey;
    } while (start);
    const heads: ChainHead[] = [];
    for (const requestId of [...touched].sort()) {
      const out = await withTransient(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'requestId = :id',
            ExpressionAttributeValues: { ':id': requestId },
            ScanIndexForward: false,
            Limit: 1,
            ConsistentRead: true,
          }),
        ),
      );
      const last = out?.Items?.[0] as AuditItem | undefined;
      if (last) heads.push({ requestId, sequence: last.sequence, hash: last.hash });
    }
    return heads;
  }
}
