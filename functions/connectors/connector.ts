import type { Readable } from 'node:stream';
import type { IdentityKind } from '../core/data-map';

/** The identifiers known for one data subject; values were resolved by the system, never raw input for keys. */
export interface Subject {
  readonly identities: Partial<Record<IdentityKind, readonly string[]>>;
}

/** Where a record lives: the item key for DynamoDB, the object (and line) for S3. */
export type RecordRef =
  | { readonly kind: 'dynamodb'; readonly key: Readonly<Record<string, string | number>> }
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string; readonly line?: number };

/** One record as exported for the subject. */
export interface ExportedRecord {
  readonly ref: RecordRef;
  readonly data: Readonly<Record<string, unknown>>;
  /** A file that belongs to the record (e.g. an uploaded invoice), streamed on demand. */
  readonly attachment?: { readonly name: string; readonly size?: number; open(): Promise<Readable> };
}

/** Outcome of an erasure, per store (filled in by the erasure issue). */
export interface EraseReceipt {
  readonly storeId: string;
  readonly deleted: number;
  readonly masked: number;
  readonly retained: number;
}

export interface OptOutReceipt {
  readonly storeId: string;
  readonly updated: number;
}

/**
 * Where personal data lives. Connectors get their SDK clients injected and
 * read no environment. Pages keep memory flat whatever the subject's volume.
 */
export interface Connector {
  readonly storeId: string;
  /** References to the subject's records, page by page. Never a Scan. */
  locate(subject: Subject): AsyncIterable<readonly RecordRef[]>;
  /** The subject's records, page by page. */
  export(subject: Subject): AsyncIterable<readonly ExportedRecord[]>;
  /** Deletes, masks or retains per the data map. Idempotent. Absent until the erasure issue. */
  erase?(subject: Subject): Promise<EraseReceipt>;
  /** Turns marketing consent off. Absent where the store holds no consent. */
  optOut?(subject: Subject): Promise<OptOutReceipt>;
}
