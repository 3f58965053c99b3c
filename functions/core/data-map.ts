import * as z from './zod';

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

/**
 * Why personal data is processed: the privacy policy's section 2, one word
 * each (personalisation is its "better user experience" and advertising cookies).
 */
export const Purpose = z.enum([
  'service',
  'security',
  'analytics',
  'personalisation',
  'marketing',
  'legal_compliance',
]);
export type Purpose = z.infer<typeof Purpose>;

/** Purposes that rest on the person's consent, so they can withdraw it (UU PDP Art. 40). */
export const ConsentPurpose = z.enum([
  'analytics',
  'personalisation',
  'marketing',
] as const satisfies readonly Purpose[]);
export type ConsentPurpose = z.infer<typeof ConsentPurpose>;

// ——— The processing record (UU PDP Art. 32): why, on what basis, how long, from where, to whom ———

/** The lawful bases of UU PDP Art. 20(2), a–f. */
export const LegalBasis = z.enum([
  'consent',
  'contract',
  'legal_obligation',
  'vital_interest',
  'public_task',
  'legitimate_interest',
]);
export type LegalBasis = z.infer<typeof LegalBasis>;

/** Where a store's data comes from (the privacy policy's section 1). */
export const DataSource = z.enum(['given_by_person', 'generated_by_service', 'received_from_third_party']);
export type DataSource = z.infer<typeof DataSource>;

/** Kept as long as its purposes need it (privacy policy section 7), where no fixed period exists. */
export const AS_LONG_AS_NECESSARY = 'as_long_as_necessary';

const PERIOD_MESSAGE = `must be an ISO 8601 duration such as P10Y, P6M or P90D, or "${AS_LONG_AS_NECESSARY}"`;

/** Identifiers a store can be keyed by. `email` comes from the request; others are resolved from stores. */
export const IdentityKind = z.enum(['email', 'phone', 'customerId']);
export type IdentityKind = z.infer<typeof IdentityKind>;

/** What a mask writes when the data map names no value. */
export const MASK_VALUE = '[erased]';

/** What a person may ask to have corrected (the data map's `rectifiable` maps each onto store fields). */
export const RectifiableAttribute = z.enum(['email', 'fullName', 'phone', 'address', 'companyName']);
export type RectifiableAttribute = z.infer<typeof RectifiableAttribute>;

/** Records per store index.html shows when the data map does not say; the files always hold every record. */
export const DEFAULT_PAGE_RECORDS = 200;

const PREFIX_PLACEHOLDER = /\{(email|phone|customerId)\}/g;

/** What a data subject can ask for, and so what a processor can be asked to do (`RequestType` is this list). */
export const ProcessorRequestType = z.enum([
  'access',
  'delete',
  'opt_out',
  'rectify',
  'restrict',
  'lift_restriction',
  'withdraw_consent',
]);
export type ProcessorRequestType = z.infer<typeof ProcessorRequestType>;

/**
 * The data map's schemas, built on the first parse: a function reads the data map validated at synth
 * and inlined into its bundle (functions/aws/config.ts), so in AWS they are never built.
 */
function buildSchemas() {
  /** Whole years, months, weeks and days (`P10Y`, `P1Y6M`, `P90D`): a person reads them as words. */
  const RetentionDuration = z.string().check(
    z.regex(/^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/, {
      message: PERIOD_MESSAGE,
    }),
  );

  const Retention = z.strictObject({
    /** An ISO 8601 duration, or `as_long_as_necessary` where no fixed period exists. */
    period: z.union([z.literal(AS_LONG_AS_NECESSARY), RetentionDuration], { error: PERIOD_MESSAGE }),
    /** What the period rests on: a law and its article, a section of the privacy policy, a contract. */
    basedOn: z
      .string()
      .check(z.minLength(10, { message: 'must say what the period is based on (a law, the policy)' })),
  });

  /** What every store and processor says about its processing; the access package's processing record shows it. */
  const processingFields = {
    purposes: z.array(Purpose).check(z.minLength(1, { message: 'must name at least one purpose' })),
    legalBasis: LegalBasis,
    retention: Retention,
    source: DataSource,
    /** Who else receives this data: processor ids of this map, or names such as "Tax authority (DJP)"; may be empty. */
    recipients: z.array(z.string().check(z.minLength(2), z.maxLength(200))),
  };

  const DeletePolicy = z.strictObject({ action: z.literal('delete') });
  const MaskPolicy = z.strictObject({
    action: z.literal('mask'),
    /** The non-identifying value written over the field; default `MASK_VALUE`. */
    with: z.optional(z.string().check(z.maxLength(100))),
    /**
     * Shared records (e.g. a thread between two customers): mask the field only
     * when its value is one of this subject's identifiers, so other people's stay.
     */
    onlyIfSubject: z.optional(z.boolean()),
  });
  const AnonymisePolicy = z.strictObject({
    /**
     * Keeps what statistics need without the person: a date to its `month` or
     * `year`, an address to its postcode's region (`postcode_region`, the first
     * two digits of an Indonesian postcode). A value that cannot be generalised is masked.
     */
    action: z.literal('anonymise'),
    generalise: z.enum(['month', 'year', 'postcode_region']),
  });
  const RetainPolicy = z.strictObject({
    action: z.literal('retain'),
    legalBasis: z
      .string()
      .check(z.minLength(10, { message: 'must say which law requires keeping the data' })),
    retentionDays: z.number().check(z.int(), z.positive()),
  });

  /** What erasure does to the whole record (the policy's `default`). */
  const RecordPolicy = z.discriminatedUnion('action', [DeletePolicy, MaskPolicy, RetainPolicy]);

  /** What erasure does to a field of a kept record. */
  const FieldPolicy = z.discriminatedUnion('action', [
    DeletePolicy,
    MaskPolicy,
    AnonymisePolicy,
    RetainPolicy,
  ]);

  /**
   * A legal hold or blocker: matching records (or, without `when`, the whole
   * store) are kept untouched and the subject is told why. Data, not code.
   */
  const ErasureHold = z.strictObject({
    /** Machine-readable reason, e.g. `open_order`; shown in the certificate. */
    reason: z
      .string()
      .check(z.regex(/^[a-z][a-z0-9_]{2,40}$/, { message: 'must be snake_case, e.g. open_order' })),
    /** What the subject is told, in each language the emails use. */
    description: z.strictObject({
      en: z.string().check(z.minLength(5)),
      id: z.string().check(z.minLength(5)),
    }),
    /** Records whose `field` equals one of `in` are held. */
    when: z.optional(
      z.strictObject({
        field: z.string().check(z.minLength(1)),
        in: z.array(z.union([z.string(), z.number(), z.boolean()])).check(z.minLength(1)),
      }),
    ),
  });

  const ErasurePolicy = z
    .strictObject({
      /**
       * The record as a whole: `delete` removes it; `mask` keeps it with every
       * non-key field masked; `retain` keeps it (with `fields` applied) for the legal basis.
       */
      default: RecordPolicy,
      /** Per-field overrides; only meaningful when the record is kept (default mask or retain). */
      fields: z._default(z.record(z.string(), FieldPolicy), {}),
      holds: z._default(z.array(ErasureHold), []),
    })
    .check(
      z.refine((p) => p.default.action !== 'delete' || Object.keys(p.fields).length === 0, {
        message: 'fields only apply when the record is kept: with default "delete" the whole record goes',
        path: ['fields'],
      }),
      z.refine((p) => Object.values(p.fields).every((f) => f.action !== 'retain'), {
        message:
          'a field cannot be retained on its own: retain the record (default) and mask or delete fields',
        path: ['fields'],
      }),
    );

  const storeId = z
    .string()
    .check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, { message: 'must be lower-case letters, digits and dashes' }));

  const fieldList = z
    .array(z.string().check(z.minLength(1, { message: 'must name a field' })))
    .check(z.minLength(1));

  /** How the access package's page shows one field: words a person understands, and how to read its value. */
  const ExportField = z.strictObject({
    /** e.g. `{ "en": "Recipient phone", "id": "Telepon penerima" }`. */
    label: z.strictObject({
      en: z.string().check(z.minLength(1), z.maxLength(100)),
      id: z.string().check(z.minLength(1), z.maxLength(100)),
    }),
    /** `idr`: an amount in rupiah; `datetime`/`date`: shown in the person's time zone. Unset: as it is (ISO times are still recognised). */
    format: z.optional(z.enum(['idr', 'datetime', 'date'])),
  });

  /**
   * The access export: `excludeFields` are left out (credential material, e.g. a password hash), for security;
   * `fields` says how index.html shows a field (by dotted path, e.g. `items.unitPriceIdr`); `pageRecords` caps
   * the records index.html shows (default {@link DEFAULT_PAGE_RECORDS}; the JSON and CSV files hold all).
   */
  const ExportOptions = z.optional(
    z.strictObject({
      excludeFields: z.optional(
        z.array(z.string().check(z.minLength(1, { message: 'must name a field' }))).check(z.minLength(1)),
      ),
      fields: z.optional(z.record(z.string().check(z.minLength(1)), ExportField)),
      pageRecords: z.optional(z.number().check(z.int(), z.gte(1), z.lte(5000))),
    }),
  );

  const storeBase = {
    id: storeId,
    description: z.string().check(z.minLength(1)),
    categories: z.array(DataCategory).check(z.minLength(1)),
    ...processingFields,
    /** Identities that records of this store reveal, e.g. `{ customerId: "customerId" }`: identity -> attribute. */
    provides: z.optional(z.partialRecord(IdentityKind, z.string())),
    erasure: ErasurePolicy,
    /** Attributes that hold marketing consent (opt-out turns them off). */
    marketingConsentFields: z.optional(z.array(z.string())),
    /**
     * Consent per purpose other than marketing (which is `marketingConsentFields`):
     * the fields a withdrawal (UU PDP Art. 40) sets to false, e.g. `{ "analytics": ["analyticsConsent"] }`.
     */
    consents: z.optional(
      z.partialRecord(
        z.enum(['analytics', 'personalisation'] as const satisfies readonly ConsentPurpose[], {
          error: 'must be analytics or personalisation (marketing consent is marketingConsentFields)',
        }),
        fieldList,
      ),
    ),
    /**
     * Where a restriction of processing (UU PDP Art. 41) is recorded: `field` set
     * true (false when lifted), with the time in `atField` and the request id in `requestIdField`.
     */
    restriction: z.optional(
      z.strictObject({
        field: z.string().check(z.minLength(1)),
        atField: z.string().check(z.minLength(1)),
        requestIdField: z.string().check(z.minLength(1)),
      }),
    ),
    /**
     * What a correction may change here: attribute -> the fields holding it,
     * e.g. `{ "phone": ["phone"], "address": ["businessAddress"] }`.
     */
    rectifiable: z.optional(z.partialRecord(RectifiableAttribute, fieldList)),
    /**
     * Why this store's records are not corrected although they hold the
     * person's details (e.g. an order's recipient as shipped): told to the person.
     */
    keptOnCorrection: z.optional(
      z.strictObject({ en: z.string().check(z.minLength(5)), id: z.string().check(z.minLength(5)) }),
    ),
    /**
     * Fields holding a person's name or phone as free text, e.g. `{ "fullName": ["recipientName"] }`.
     * The name and phone typed into the form are unverified: they are compared with these fields only.
     */
    contactFields: z.optional(
      z.partialRecord(
        z.enum(['fullName', 'phone']),
        z.array(z.string().check(z.minLength(1, { message: 'must name a field' }))).check(z.minLength(1)),
      ),
    ),
    export: ExportOptions,
  };

  const DynamoDbStore = z.strictObject({
    ...storeBase,
    kind: z.literal('dynamodb'),
    table: z.string().check(z.minLength(3)),
    /** The table's own primary key (the Query may use a GSI, which hides it); erasure writes by it. */
    primaryKey: z.strictObject({
      partitionKey: z.string().check(z.minLength(1)),
      sortKey: z.optional(z.string().check(z.minLength(1))),
    }),
    locate: z.strictObject({
      identity: IdentityKind,
      /** Partition key attribute of the table, or of `index` when set. Always a Query, never a Scan. */
      partitionKey: z.string().check(z.minLength(1)),
      index: z.optional(z.string().check(z.minLength(3))),
    }),
  });

  const S3Store = z
    .strictObject({
      ...storeBase,
      kind: z.literal('s3'),
      bucket: z.string().check(z.minLength(3)),
      /** Key prefix with exactly one identity placeholder, e.g. `activity/{customerId}/`. */
      prefix: z.string().check(
        z.refine((p) => (p.match(PREFIX_PLACEHOLDER) ?? []).length === 1, {
          message: 'must contain exactly one placeholder: {email}, {phone} or {customerId}',
        }),
        z.refine((p) => p.endsWith('/'), {
          message: 'must end with "/" so one subject never matches another',
        }),
        z.refine((p) => !p.includes('..'), { message: 'must not contain ".."' }),
      ),
      /** jsonl: each line of each object is one record; binary: each object is one record (a document). */
      format: z.enum(['jsonl', 'binary']),
    })
    .check(
      z.refine(
        (s) =>
          s.format === 'jsonl' ||
          (s.erasure.default.action !== 'mask' && Object.keys(s.erasure.fields).length === 0),
        {
          message: 'a binary object cannot be masked field by field: use delete or retain',
          path: ['erasure'],
        },
      ),
    );

  /**
   * A third party that processes our customers' data for us (logistics, payments).
   * We hold none of its data: it is told about requests through its signed webhook
   * and acknowledges them, so it has no erasure policy, `provides` or consent fields.
   */
  const ProcessorStore = z
    .strictObject({
      /** Same rules as other stores; also the processorId in URLs (`/processors/{id}/callback`). */
      id: storeId,
      kind: z.literal('processor'),
      /** The processor's name as the subject knows it, e.g. "Kirim Cepat Logistics". */
      name: z.string().check(z.minLength(2), z.maxLength(100)),
      /** What the processor does with our customers' data (the processing record says this). */
      description: z.string().check(z.minLength(1)),
      categories: z.array(DataCategory).check(z.minLength(1)),
      ...processingFields,
      /** Where it processes, ISO 3166-1 alpha-2; outside `ID` it is a transfer abroad (UU PDP Art. 56). */
      country: z
        .string()
        .check(z.regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166 country code, e.g. ID' })),
      /** How data sent abroad stays protected (e.g. "Standard contractual clauses, 2025 agreement"); required outside ID. */
      transferSafeguard: z.optional(z.string().check(z.minLength(10), z.maxLength(300))),
      /** The processor's DSR webhook; https is required outside local mode (checked where it is used). */
      endpoint: z.url(),
      /** Secrets Manager secret name holding the shared HMAC secret. */
      secretName: z.string().check(
        z.regex(/^[A-Za-z0-9/_+=.@-]{1,256}$/, {
          message: 'must be a Secrets Manager secret name (letters, digits and /_+=.@-)',
        }),
      ),
      /** How the access package shows the records the processor sends (labels, formats, cap). */
      export: ExportOptions,
      /** Identities the processor already knows the subject by; only these are sent. */
      identifiers: z.array(IdentityKind).check(z.minLength(1)),
      /** What the processor handles; it gets access requests only if it declares them. */
      requestTypes: z.array(ProcessorRequestType).check(z.minLength(1)),
      /** The processor's deadline to acknowledge; then support is told. */
      acknowledgeWithinSeconds: z.number().check(z.int(), z.gte(1), z.lte(30 * 24 * 3600)),
      retry: z._default(
        z.strictObject({
          attempts: z.number().check(z.int(), z.gte(1), z.lte(10)),
          baseDelayMs: z.number().check(z.int(), z.gte(10), z.lte(60000)),
        }),
        { attempts: 4, baseDelayMs: 500 },
      ),
    })
    .check(
      z.superRefine((p, ctx) => {
        if (p.country === 'ID' || p.transferSafeguard !== undefined) return;
        ctx.addIssue({
          code: 'custom',
          path: ['transferSafeguard'],
          message: `processor "${p.id}" is in ${p.country}, outside Indonesia: say how the transfer is protected (UU PDP Art. 56)`,
        });
      }),
    );

  const StoreConfig = z.discriminatedUnion('kind', [DynamoDbStore, S3Store, ProcessorStore]);

  const DataMap = z
    .strictObject({
      version: z.literal(1),
      /** The controller (UU PDP Art. 1(4)): who decides why and how the data is processed. */
      organisation: z.string().check(z.minLength(1)),
      /** The controller's address for privacy questions, shown in the processing record. */
      contact: z.email({ message: 'must be the email address for privacy questions' }),
      /**
       * AWS regions the personal data may be kept in (e.g. `["ap-southeast-3"]`); a deployment
       * anywhere else is refused before anything is created. Absent: any region.
       */
      regions: z.optional(
        z
          .array(
            z.string().check(
              z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, {
                message: 'must be an AWS region code, e.g. ap-southeast-3',
              }),
            ),
          )
          .check(z.minLength(1)),
      ),
      stores: z.array(StoreConfig).check(z.minLength(1)),
    })
    .check(
      z.superRefine((map, ctx) => {
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
        for (const s of map.stores.filter(isDataStore))
          for (const k of Object.keys(s.provides ?? {})) provided.add(k);
        for (const [i, store] of map.stores.entries()) {
          if (store.kind === 'processor') {
            // A processor can only be sent identities the system can actually resolve.
            for (const [j, identity] of store.identifiers.entries()) {
              if (!provided.has(identity)) {
                ctx.addIssue({
                  code: 'custom',
                  path: ['stores', i, 'identifiers', j],
                  message: `processor "${store.id}" is sent ${identity}, but no store provides it`,
                });
              }
            }
            continue;
          }
          const identity = store.kind === 'dynamodb' ? store.locate.identity : identityOfPrefix(store.prefix);
          if (identity && !provided.has(identity)) {
            ctx.addIssue({
              code: 'custom',
              path: ['stores', i],
              message: `store "${store.id}" is keyed by ${identity}, but no store provides it`,
            });
          }
        }
      }),
    );

  return {
    RetentionDuration,
    Retention,
    RecordPolicy,
    FieldPolicy,
    ErasureHold,
    ErasurePolicy,
    ExportField,
    DynamoDbStore,
    S3Store,
    ProcessorStore,
    StoreConfig,
    DataMap,
  };
}

type Schemas = ReturnType<typeof buildSchemas>;
export type Retention = z.infer<Schemas['Retention']>;
export type RecordPolicy = z.infer<Schemas['RecordPolicy']>;
export type FieldPolicy = z.infer<Schemas['FieldPolicy']>;
export type ErasureHold = z.infer<Schemas['ErasureHold']>;
export type ErasurePolicy = z.infer<Schemas['ErasurePolicy']>;
export type ExportField = z.infer<Schemas['ExportField']>;
export type DynamoDbStore = z.infer<Schemas['DynamoDbStore']>;
export type S3Store = z.infer<Schemas['S3Store']>;
export type ProcessorStore = z.infer<Schemas['ProcessorStore']>;
export type StoreConfig = z.infer<Schemas['StoreConfig']>;
export type DataMap = z.infer<Schemas['DataMap']>;

let schemas: Schemas | undefined;

/** The data map's schemas (for tests of one part, e.g. a store's policy); built once. */
export function dataMapSchemas(): Schemas {
  schemas ??= buildSchemas();
  return schemas;
}

/** A store where we hold personal data ourselves (connectors read and erase it). */
export type DataStore = DynamoDbStore | S3Store;

/** True for stores we hold data in; false for processors (processors). */
export function isDataStore(store: StoreConfig): store is DataStore {
  return store.kind !== 'processor';
}

/** True for a store that declares fields a change request writes (correction, restriction, consent). */
export function isChangeable(store: DataStore): boolean {
  return (
    store.restriction !== undefined ||
    Object.keys(store.consents ?? {}).length > 0 ||
    Object.keys(store.rectifiable ?? {}).length > 0 ||
    (store.marketingConsentFields ?? []).length > 0
  );
}

/** True for processors (processors told through their webhook). */
export function isProcessor(store: StoreConfig): store is ProcessorStore {
  return store.kind === 'processor';
}

/** The identity a prefix template is keyed by. */
export function identityOfPrefix(prefix: string): IdentityKind | undefined {
  const match = /\{(email|phone|customerId)\}/.exec(prefix);
  return match ? (match[1] as IdentityKind) : undefined;
}

/** The identity a store is looked up by. */
export function identityOf(store: DataStore): IdentityKind {
  const identity = store.kind === 'dynamodb' ? store.locate.identity : identityOfPrefix(store.prefix);
  if (!identity) throw new Error(`store ${store.id} has no identity placeholder`);
  return identity;
}

export class DataMapError extends Error {
  override readonly name = 'DataMapError';
}

/** The value at `path` in raw input, or undefined. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** "store "orders" has no purposes" for a field a store lacks; undefined for any other problem. */
function missingStoreField(input: unknown, path: readonly PropertyKey[]): string | undefined {
  const [root, index, ...field] = path;
  if (root !== 'stores' || typeof index !== 'number' || field.length === 0) return undefined;
  const store = valueAt(input, ['stores', index]);
  if (typeof store !== 'object' || store === null || valueAt(store, field) !== undefined) return undefined;
  const id = valueAt(store, ['id']);
  return `store ${typeof id === 'string' ? `"${id}"` : `#${index}`} has no ${field.join('.')} (required)`;
}

/** Parses a data map, with every problem named by its path (and a missing field by its store's id). */
export function parseDataMap(input: unknown, source = 'data map'): DataMap {
  const result = dataMapSchemas().DataMap.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) =>
        `${i.path.join('.') || '(root)'}: ${(i.code !== 'custom' && missingStoreField(input, i.path)) || i.message}`,
    );
    throw new DataMapError(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/**
 * Replaces the physical table/bucket names of stores, so one data map serves
 * several deployments (e.g. demo stores created by the CDK with generated names).
 * For a processor the binding is its endpoint URL (locally: a processor simulator).
 */
export function bindStores(map: DataMap, bindings: Record<string, string>): DataMap {
  return {
    ...map,
    stores: map.stores.map((store): StoreConfig => {
      const name = bindings[store.id];
      if (!name) return store;
      if (store.kind === 'dynamodb') return { ...store, table: name };
      if (store.kind === 's3') return { ...store, bucket: name };
      if (!URL.canParse(name)) throw new DataMapError(`the binding of processor ${store.id} is not a URL`);
      return { ...store, endpoint: name };
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

/** The data store with this id, or `UnknownStore` (also for a processor: it holds no data of ours). */
export function dataStoreOf(map: DataMap, storeId: string): DataStore {
  const store = storeOf(map, storeId);
  if (!isDataStore(store)) throw new UnknownStoreError(`store ${storeId} is not a data store`);
  return store;
}

/** The processor with this id, or `UnknownStore` (also for a data store). */
export function processorOf(map: DataMap, storeId: string): ProcessorStore {
  const store = storeOf(map, storeId);
  if (!isProcessor(store)) throw new UnknownStoreError(`store ${storeId} is not a processor`);
  return store;
}
