/**
 * DynamoDB table shapes, written once and used by the CDK constructs and by
 * the local runtime's CreateTable calls, so local tables match deployed ones.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalSecondaryIndexes?: readonly {
    readonly indexName: string;
    readonly partitionKey: KeyAttribute;
    readonly sortKey?: KeyAttribute;
  }[];
  readonly timeToLiveAttribute?: string;
}

/** The request ledger: one item per request. */
export const LEDGER_TABLE: TableDefinition = {
  partitionKey: { name: 'requestId', type: 'S' },
  globalSecondaryIndexes: [
    // Finds a subject's requests by keyed hash (open-request dedupe, support lookups), never by plaintext.
    {
      indexName: 'bySubject',
      partitionKey: { name: 'subjectHash', type: 'S' },
      sortKey: { name: 'receivedAt', type: 'S' },
    },
    // Sparse: only finished deletes that still retain records carry `retentionDue`, so the sweep reads just those.
    {
      indexName: 'byRetentionDue',
      partitionKey: { name: 'retentionDue', type: 'S' },
      sortKey: { name: 'retentionUntil', type: 'S' },
    },
    // Sparse (owner: clock): only open requests carry `deadlineWatch`, so the deadline job reads just those, by due time.
    {
      indexName: 'byOpenDue',
      partitionKey: { name: 'deadlineWatch', type: 'S' },
      sortKey: { name: 'dueAt', type: 'S' },
    },
  ],
};

/**
 * Fixed-window rate-limit counters: one item per (rule, hashed key, window start), counted with an
 * atomic `ADD hits :one`. The window is in the key, so counting is right without TTL (dynalite has
 * none); `expiresAt` (epoch seconds) lets DynamoDB delete old windows in AWS.
 */
export const RATE_LIMIT_TABLE: TableDefinition = {
  partitionKey: { name: 'limitKey', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

/** Powertools idempotency records for `Idempotency-Key` on `POST /requests` (its default shape). */
export const IDEMPOTENCY_TABLE: TableDefinition = {
  partitionKey: { name: 'id', type: 'S' },
  timeToLiveAttribute: 'expiration',
};

/**
 * The suppression list: one item per opted-out subject, keyed by
 * `keyedHash('subject', subjectLookupForm(email))`, never the address itself.
 * One-click unsubscribe also keeps its used-token markers here (`token#<hash>`).
 */
export const SUPPRESSION_TABLE: TableDefinition = {
  partitionKey: { name: 'subjectHash', type: 'S' },
};

/**
 * The audit trail (owner: audit): one item per entry of a request's hash chain, written by conditional
 * puts only. No TTL on purpose: entries are kept at least 24 months beyond the request's end (CCPA
 * §7101), whatever the ledger minimises; a TTL would also cut chains, which their verification reports.
 * `byDay` (UTC day of the entry) tells the daily heads job which chains moved.
 */
export const AUDIT_TABLE: TableDefinition = {
  partitionKey: { name: 'requestId', type: 'S' },
  sortKey: { name: 'sequence', type: 'N' },
  globalSecondaryIndexes: [
    {
      indexName: 'byDay',
      partitionKey: { name: 'day', type: 'S' },
      sortKey: { name: 'at', type: 'S' },
    },
  ],
};

/** The Impor.in demo stores' tables, keyed by data-map store id. */
export const DEMO_TABLES: Readonly<Record<string, TableDefinition>> = {
  customers: {
    partitionKey: { name: 'customerId', type: 'S' },
    globalSecondaryIndexes: [{ indexName: 'byEmail', partitionKey: { name: 'email', type: 'S' } }],
  },
  orders: {
    partitionKey: { name: 'orderId', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: 'byCustomer',
        partitionKey: { name: 'customerId', type: 'S' },
        sortKey: { name: 'createdAt', type: 'S' },
      },
    ],
  },
  messages: {
    partitionKey: { name: 'customerId', type: 'S' },
    sortKey: { name: 'messageId', type: 'S' },
  },
  'marketing-preferences': {
    partitionKey: { name: 'customerId', type: 'S' },
  },
};

/** Store ids of the demo data map that live in S3 buckets. */
export const DEMO_BUCKET_STORES: readonly string[] = ['activity', 'documents'];

/** CreateTable input for the local emulator (on-demand, same keys and indexes as the CDK). */
export function createTableInput(tableName: string, def: TableDefinition) {
  const attributes = new Map<string, 'S' | 'N'>();
  const add = (k?: KeyAttribute) => k && attributes.set(k.name, k.type);
  add(def.partitionKey);
  add(def.sortKey);
  for (const gsi of def.globalSecondaryIndexes ?? []) {
    add(gsi.partitionKey);
    add(gsi.sortKey);
  }
  const keySchema = (pk: KeyAttribute, sk?: KeyAttribute) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  const gsis = def.globalSecondaryIndexes ?? [];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    ...(gsis.length > 0
      ? {
          GlobalSecondaryIndexes: gsis.map((g) => ({
            IndexName: g.indexName,
            KeySchema: keySchema(g.partitionKey, g.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}
