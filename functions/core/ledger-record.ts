import type { IdentityKind } from './data-map';
import type { RequestStatus } from './lifecycle';
import type { Jurisdiction, Locale, RequestType } from './request';

export type StoreProgressStatus = 'pending' | 'in_progress' | 'completed' | 'failed';

export interface StoreProgress {
  readonly status: StoreProgressStatus;
  readonly records?: number;
}

export interface HistoryEntry {
  readonly status: RequestStatus;
  readonly at: string;
  readonly note?: string;
}

/** Identity verification state; only hashes of the code and link token are stored. */
export interface VerificationState {
  readonly codeHash: string;
  readonly linkTokenHash: string;
  readonly attempts: number;
  readonly taskToken: string;
  readonly expiresAt: string;
  readonly sentAt: string;
}

export interface ExportInfo {
  readonly key: string;
  readonly tokenHash: string;
  readonly expiresAt: string;
  readonly downloads: number;
}

/** One request in the ledger (one DynamoDB item). */
export interface LedgerRecord {
  readonly requestId: string;
  readonly type: RequestType;
  readonly status: RequestStatus;
  readonly jurisdiction: Jurisdiction;
  readonly locale: Locale;
  readonly receivedAt: string;
  readonly dueAt: string;
  readonly updatedAt: string;
  /** keyedHash('subject', subjectLookupForm(email)): lookups without plaintext. */
  readonly subjectHash: string;
  /** Plaintext contact details, kept in one attribute so an erasure policy can remove it. */
  readonly contact: { readonly email: string; readonly fullName?: string; readonly phone?: string };
  readonly statusTokenHash: string;
  readonly verification?: VerificationState;
  readonly identities?: Partial<Record<IdentityKind, readonly string[]>>;
  readonly stores?: Readonly<Record<string, StoreProgress>>;
  readonly exportInfo?: ExportInfo;
  readonly failure?: { readonly error: string; readonly cause: string };
  readonly history: readonly HistoryEntry[];
}

/** A new ledger entry: everything the submit endpoint knows. */
export type NewLedgerRecord = Omit<
  LedgerRecord,
  'status' | 'updatedAt' | 'history' | 'verification' | 'identities' | 'stores' | 'exportInfo' | 'failure'
>;

/** Ledger port: every status change is checked against the lifecycle table and the stored status. */
export interface Ledger {
  create(record: NewLedgerRecord, now?: Date): Promise<LedgerRecord>;
  get(requestId: string): Promise<LedgerRecord | undefined>;
}

/** Thrown when a request id has no ledger entry. */
export class RequestNotFoundError extends Error {
  override readonly name = 'RequestNotFound';
  constructor(readonly requestId: string) {
    super(`request ${requestId} is not in the ledger`);
  }
}

/** Thrown when the stored status no longer allows a change (a concurrent writer got there first). */
export class StatusConflictError extends Error {
  override readonly name = 'StatusConflict';
  constructor(
    readonly requestId: string,
    readonly current: RequestStatus | undefined,
  ) {
    super(`request ${requestId} is ${current ?? 'missing'}; the change was not applied`);
  }
}
