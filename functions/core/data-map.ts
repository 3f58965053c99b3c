import { z } from 'zod';

/** Categories of personal data named in the privacy policy (section 1). */
export const DataCategory = z.enum([
  'registration',
  'transaction',
  'communication',
  'device',
  'activity',
  'marketing',
]);
export type DataCategory = z.infer<typeof DataCategory>;

/** Identifiers a store can be keyed by. `email` comes from the request; others are resolved from stores. */
export const IdentityKind = z.enum(['email', 'phone', 'customerId']);
export type IdentityKind = z.infer<typeof IdentityKind>;

/** What erasure does to a field (or, as `default`, to the whole record). */
export const FieldPolicy = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('delete') }),
  z.strictObject({
    action: z.literal('mask'),
    /** The non-identifying value written over the field; default `MASK_VALUE`. */
    with: z.string().max(100).optional(),
    /**
     * Shared records (e.g. a thread between two customers): mask the field only
     * when its value is one of this subject's identifiers, so other people's stay.
     */
    onlyIfSubject: z.boolean().optional(),
  }),
  z.strictObject({
    action: z.literal('retain'),
    legalBasis: z.string().min(10, { message: 'must say which law requires keeping the data' }),
    retentionDays: z.number().int().positive(),
  }),
]);
export type FieldPolicy = z.infer<typeof FieldPolicy>;

/** What a mask writes when the data map names no value. */
export const MASK_VALUE = '[erased]';

/**
 * A legal hold or blocker: matching records (or, without `when`, the whole
 * store) are kept untouched and the subject is told why. Data, not code.
 */
export const ErasureHold = z.strictObject({
  /** Machine-readable reason, e.g. `open_order`; shown in the certificate. */
  reason: z.string().regex(/^[a-z][a-z0-9_]{2,40}$/, { message: 'must be snake_case, e.g. open_order' }),
  /** What the subject is told, in each language the emails use. */
  description: z.strictObject({ en: z.string().min(5), id: z.string().min(5) }),
  /** Records whose `field` equals one of `in` are held. */
  when: z
    .strictObject({
      field: z.string().min(1),
      in: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
    })
    .optional(),
});
export type ErasureHold = z.infer<typeof ErasureHold>;

const ErasurePolicy = z
  .strictObject({
    /**
     * The record as a whole: `delete` removes it; `mask` keeps it with every
     * non-key field masked; `retain` keeps it (with `fields` applied) for the legal basis.
     */
    default: FieldPolicy,
    /** Per-field overrides; only meaningful when the record is kept (default mask or retain). */
    fields: z.record(z.string(), FieldPolicy).default({}),
    holds: z.array(ErasureHold).default([]),
  })
  .refine((p) => p.default.action !== 'delete' || Object.keys(p.fields).length === 0, {
    message: 'fields only apply when the record is kept: with default "delete" the whole record goes',
    path: ['fields'],
  })
  .refine((p) => Object.values(p.fields).every((f) => f.action !== 'retain'), {
    message: 'a field cannot be retained on its own: retain the record (default) and mask or delete fields',
    path: ['fields'],
  });
export type ErasurePolicy = z.infer<typeof ErasurePolicy>;

const storeId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,40}$/, { message: 'must be lower-case letters, digits and dashes' });

const storeBase = {
  id: storeId,
  description: z.string().min(1),
  categories: z.array(DataCategory).min(1),
  /** Identities that records of this store reveal, e.g. `{ customerId: "customerId" }`: identity -> attribute. */
  provides: z.partialRecord(IdentityKind, z.string()).optional(),
  erasure: ErasurePolicy,
  /** Attributes that hold marketing consent (opt-out turns them off). */
  marketingConsentFields: z.array(z.string()).optional(),
};

export const DynamoDbStore = z.strictObject({
  ...storeBase,
  kind: z.literal('dynamodb'),
  table: z.string().min(3),
  /** The table's own primary key (the Query may use a GSI, which hides it); erasure writes by it. */
  primaryKey: z.strictObject({ partitionKey: z.string().min(1), sortKey: z.string().min(1).optional() }),
  locate: z.strictObject({
    identity: IdentityKind,
    /** Partition key attribute of the table, or of `index` when set. Always a Query, never a Scan. */
    partitionKey: z.string().min(1),
    index: z.string().min(3).optional(),
  }),
});
export type DynamoDbStore = z.infer<typeof DynamoDbStore>;

const PREFIX_PLACEHOLDER = /\{(email|phone|customerId)\}/g;

export const S3Store = z
  .strictObject({
    ...storeBase,
    kind: z.literal('s3'),
    bucket: z.string().min(3),
    /** Key prefix with exactly one identity placeholder, e.g. `activity/{customerId}/`. */
    prefix: z
      .string()
      .refine((p) => (p.match(PREFIX_PLACEHOLDER) ?? []).length === 1, {
        message: 'must contain exactly one placeholder: {email}, {phone} or {customerId}',
      })
      .refine((p) => p.endsWith('/'), { message: 'must end with "/" so one subject never matches another' })
      .refine((p) => !p.includes('..'), { message: 'must not contain ".."' }),
    /** jsonl: each line of each object is one record; binary: each object is one record (a document). */
    format: z.enum(['jsonl', 'binary']),
  })
  .refine(
    (s) =>
      s.format === 'jsonl' ||
      (s.erasure.default.action !== 'mask' && Object.keys(s.erasure.fields).length === 0),
    {
      message: 'a binary object cannot be masked field by field: use delete or retain',
      path: ['erasure'],
    },
  );
export type S3Store = z.infer<typeof S3Store>;

export const StoreConfig = z.discriminatedUnion('kind', [DynamoDbStore, S3Store]);
export type StoreConfig = z.infer<typeof StoreConfig>;

export const DataMap = z
  .strictObject({
    version: z.literal(1),
    organisation: z.string().min(1),
    stores: z.array(StoreConfig).min(1),
  })
  .superRefine((map, ctx) => {
    const seen = new Set<string>();
    for (const [i, store] of map.stores.entries()) {
      if (seen.has(store.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['stores', i, 'id'],
          message: `duplicate store id "${store.id}"`,
        });
      }
      seen.add(store.id);
    }
    const provided = new Set<string>(['email']);
    for (const s of map.stores) for (const k of Object.keys(s.provides ?? {})) provided.add(k);
    for (const [i, store] of map.stores.entries()) {
      const identity = store.kind === 'dynamodb' ? store.locate.identity : identityOfPrefix(store.prefix);
      if (identity && !provided.has(identity)) {
        ctx.addIssue({
          code: 'custom',
          path: ['stores', i],
          message: `store "${store.id}" is keyed by ${identity}, but no store provides it`,
        });
      }
    }
  });
export type DataMap = z.infer<typeof DataMap>;

/** The identity a prefix template is keyed by. */
export function identityOfPrefix(prefix: string): IdentityKind | undefined {
  const match = /\{(email|phone|customerId)\}/.exec(prefix);
  return match ? (match[1] as IdentityKind) : undefined;
}

/** The identity a store is looked up by. */
export function identityOf(store: StoreConfig): IdentityKind {
  const identity = store.kind === 'dynamodb' ? store.locate.identity : identityOfPrefix(store.prefix);
  if (!identity) throw new Error(`store ${store.id} has no identity placeholder`);
  return identity;
}

export class DataMapError extends Error {
  override readonly name = 'DataMapError';
}

/** Parses a data map, with every problem named by its path. */
export function parseDataMap(input: unknown, source = 'data map'): DataMap {
  const result = DataMap.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DataMapError(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/**
 * Replaces the physical table/bucket names of stores, so one data map serves
 * several deployments (e.g. demo stores created by the CDK with generated names).
 */
export function bindStores(map: DataMap, bindings: Record<string, string>): DataMap {
  return {
    ...map,
    stores: map.stores.map((store) => {
      const name = bindings[store.id];
      if (!name) return store;
      return store.kind === 'dynamodb' ? { ...store, table: name } : { ...store, bucket: name };
    }),
  };
}

/** A store id the data map does not know; the workflow only plans known ones, so this is a deployment mismatch. */
export class UnknownStoreError extends Error {
  override readonly name = 'UnknownStore';
}

/** The data map's store with this id, or `UnknownStore`. */
export function storeOf(map: DataMap, storeId: string): StoreConfig {
  const store = map.stores.find((s) => s.id === storeId);
  if (!store) throw new UnknownStoreError(`store ${storeId} is not in the data map`);
  return store;
}
