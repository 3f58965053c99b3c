/**
 * What the domain needs from outside, and nothing else. `functions/aws/` and
 * `functions/connectors/` implement these; the composition root
 * (`functions/aws/composition-root.ts`) builds the implementations once per
 * cold start; handlers pass them to the use cases in core.
 */
import type { Readable } from 'node:stream';
import type { IdentityKind } from './data-map';
import type { RecordDecision } from './erasure/decisions';
import type { RequestType } from './request';
/** The identifiers known for one data subject; values were resolved by the system, never raw input for keys. */
export interface Subject {
  readonly identities: Partial<Record<IdentityKind, readonly string[]>>;
}

/**
 * Where a record lives: the item key for DynamoDB, the object (and line) for S3,
 * the processor's reference for records a processor returned for an access request.
 */
export type RecordRef =
  | { readonly kind: 'dynamodb'; readonly key: Readonly<Record<string, string | number>> }
  | { readonly kind: 'processor'; readonly processorId: string; readonly reference: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly key: string;
      /** 1-based line of a JSON Lines object (export only). */
      readonly line?: number;
      /** Set by `locate`: the object version (`null` on unversioned buckets, as S3 says). */
      readonly versionId?: string;
      /** Set by `locate`: an older version or a delete marker, recoverable but not current. */
      readonly noncurrent?: boolean;
      readonly deleteMarker?: boolean;
    };

/** One record as exported for the subject. */
export interface ExportedRecord {
  readonly ref: RecordRef;
  readonly data: Readonly<Record<string, unknown>>;
  /** A file that belongs to the record (e.g. an uploaded invoice), streamed on demand. */
  readonly attachment?: { readonly name: string; readonly size?: number; open(): Promise<Readable> };
}

/** What a connector did while carrying out erasure decisions (writes actually sent). */
export interface EraseReceipt {
  readonly storeId: string;
  /** Records (items, lines, objects) removed. */
  readonly deleted: number;
  /** Records rewritten with masked or removed fields. */
  readonly updated: number;
  /** Records left as they are (retained without changes, or held). */
  readonly kept: number;
  /** S3 only: object versions and delete markers removed, so nothing stays recoverable. */
  readonly versionsDeleted?: number;
}

/** What a connector did while turning marketing consent off. */
export interface OptOutReceipt {
  readonly storeId: string;
  /** Records whose consent fields were set to false (again, on a retry). */
  readonly updated: number;
}

/** Which request turned consent off, and when: written next to the consent fields as evidence. */
export interface OptOutContext {
  readonly requestId: string;
  /** ISO 8601 time of the opt-out. */
  readonly at: string;
}

/**
 * Where personal data lives. Connectors get their SDK clients injected and
 * read no environment. Pages keep memory flat whatever the subject's volume.
 */
export interface Connector {
  readonly storeId: string;
  /**
   * Everything recoverable that belongs to the subject, page by page: current
   * records and, where the store keeps them, older versions and delete markers
   * (flagged `noncurrent`). Never a Scan. Used to prove an erasure.
   */
  locate(subject: Subject): AsyncIterable<readonly RecordRef[]>;
  /** The subject's current records, page by page. */
  export(subject: Subject): AsyncIterable<readonly ExportedRecord[]>;
  /**
   * Carries out erasure decisions (made by `decideErasure` from records this
   * connector exported). Idempotent: a record already gone or already masked is
   * no error, so a retry after a crash ends in the same state.
   */
  erase?(decisions: AsyncIterable<readonly RecordDecision[]>): Promise<EraseReceipt>;
  /**
   * Turns marketing consent off on every record of the subject, stamped with
   * the request id and time. Idempotent (a retry writes the same values; a
   * record gone meanwhile is no error). Absent where the store holds no consent.
   */
  optOut?(subject: Subject, context: OptOutContext): Promise<OptOutReceipt>;
}

// ——— Object storage (exports, erasure working files, certificates) ———

/** Options for writing an object. */
export interface PutOptions {
  readonly contentType: string;
  readonly contentDisposition?: string;
  /** Ask the store to check the body's SHA-256 on arrival (write-once audit objects). */
  readonly checksum?: boolean;
}

/**
 * One bucket (or prefix-scoped area) of objects. Keys are built by the domain
 * from request and store ids only, never from raw input.
 */
export interface ObjectStore {
  /** Writes a small object whole. */
  put(key: string, body: string | Uint8Array, options: PutOptions): Promise<void>;
  /**
   * Streams `source` into `key` without buffering it whole; returns the bytes
   * written. On failure nothing partial is left and the error is rethrown.
   */
  upload(key: string, source: Readable, options: PutOptions): Promise<number>;
  /** The object as a stream, or `undefined` when there is no such key. */
  open(key: string): Promise<Readable | undefined>;
}

// ——— Mail ———

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Sends one email from the deployment's verified identity. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

// ——— Workflow (the execution that carries a request) ———

export interface WorkflowControl {
  /** Starts the request's execution, named after the request id; `preVerified` only for one-click unsubscribe. */
  start(input: { requestId: string; type: RequestType; preVerified?: true }): Promise<void>;
  /** Resumes a waiting task. */
  succeed(taskToken: string, output: unknown): Promise<void>;
  /** Fails a waiting task with an error name the workflow's `Catch` matches. */
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

// ——— Time ———

/** Injected where a use case stamps or compares times, so tests need no fake timers. */
export type Clock = () => Date;
