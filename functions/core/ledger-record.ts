import type { DeadlineNotice, RequestClocks } from './clocks';
import type { ConsentPurpose, IdentityKind } from './data-map';
import type { ErasureCounts } from './erasure/decisions';
import type { RequestStatus } from './lifecycle';
import type { Jurisdiction, Locale, RequestType } from './request';
import type { Corrections } from './request-bodies';

export type ProcessorAttemptOutcome =
  | 'acknowledged'
  | 'accepted'
  | 'retry'
  | 'rejected'
  | 'invalid_response'
  | 'network_error'
  | 'timeout';

/** One HTTP attempt at notifying a processor, as recorded in the request's evidence. */
export interface ProcessorAttempt {
  /** 1-based. */
  readonly attempt: number;
  /** ISO 8601 time the attempt started. */
  readonly at: string;
  readonly durationMs: number;
  readonly httpStatus?: number;
  readonly outcome: ProcessorAttemptOutcome;
}

/** `escalated`: a processor did not acknowledge by its deadline (or refused); support follows up. */
export type StoreProgressStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'escalated';

export interface StoreProgress {
  readonly status: StoreProgressStatus;
  readonly records?: number;
  /** Delete requests: what erasure decided for this store (from its inventory, so retries count the same). */
  readonly erasure?: ErasureCounts;
  /** Records that could not be read as stored, by problem (counts only). */
  readonly problems?: Readonly<
    Partial<Record<'unparsable_line' | 'missing_key' | 'unreadable_object', number>>
  >;
  /** Change requests: records that hold the person's details but are kept as they were (e.g. shipped orders). */
  readonly kept?: number;
  /** Delete requests: the re-query after erasure found exactly what the decisions allow. */
  readonly verified?: boolean;
  /** `failed`: the error class (e.g. `ResourceNotFoundException`), never its message. */
  readonly error?: string;
  /** `failed`: what went wrong in words support can act on; no personal data. */
  readonly reason?: string;
}

/** A store that failed for good, as support sees it. */
export interface FailedStore {
  readonly storeId: string;
  readonly error: string;
  readonly reason: string;
}

/** What support decided about a request that needed attention, by whom and why. */
export interface SupportDecision {
  readonly action: 'retry' | 'complete' | 'fail' | 'cancel';
  readonly reason: string;
  /** The caller's IAM identity in AWS; `--actor` or the OS user locally. */
  readonly actor: string;
  readonly at: string;
}

/** Stores failed for good; the workflow waits on `taskToken` for support's decision. */
export interface Attention {
  readonly since: string;
  readonly failedStores: readonly FailedStore[];
  /** The workflow's waiting task; dropped by minimisation. */
  readonly taskToken?: string;
  readonly supportNotifiedAt?: string;
  readonly decision?: SupportDecision;
}

/** A delete request's grace period and cancel link (only the link token's hash is stored). */
export interface ErasureSchedule {
  readonly graceEndsAt: string;
  readonly cancelTokenHash: string;
}

/** Records kept after an erasure, by legal basis: what the retention sweep will erase, and when. */
export interface RetentionEntry {
  readonly storeId: string;
  readonly legalBasis: string;
  readonly retainedUntil: string;
  readonly records: number;
}

/** Where the certificate of erasure is (audit bucket keys). */
export interface CertificateInfo {
  readonly jsonKey: string;
  readonly htmlKey: string;
  readonly issuedAt: string;
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
  /** A correction of the email address: the hash of the code mailed to the new address. */
  readonly newAddressCodeHash?: string;
  readonly attempts: number;
  /** New codes sent on request (`POST …/resend`), at most setting `maxResends`. */
  readonly resends?: number;
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

/** A processor's acknowledgement: from its webhook's answer or, later, its signed callback. */
export interface ProcessorAck {
  readonly at: string;
  readonly via: 'response' | 'callback';
  readonly status: 'completed' | 'not_found' | 'retained' | 'failed';
  /** The processor's own reference for the request. */
  readonly reference: string;
  readonly detail?: string;
  readonly retained?: readonly {
    readonly category?: string;
    readonly reason: string;
    readonly until?: string;
  }[];
  /** Access: how many records the processor returned (the records themselves go to the export). */
  readonly records?: number;
  /** Arrived after the request was escalated to support. */
  readonly late?: true;
}

/** Support was told that a processor did not acknowledge (in time, or at all). */
export interface ProcessorEscalation {
  readonly at: string;
  readonly reason: 'deadline_passed' | 'processor_unavailable' | 'processor_rejected' | 'invalid_response';
  readonly httpStatus?: number;
  /** When support was emailed about it (a retried escalation does not email again). */
  readonly supportNotifiedAt?: string;
}

/** Evidence of telling one processor about a request: every call, the acknowledgement or the escalation. */
export interface ProcessorEvidence {
  readonly processorId: string;
  readonly name: string;
  readonly type: RequestType;
  readonly idempotencyKey: string;
  /** When the processor must have acknowledged (its `acknowledgeWithinSeconds` after the first notice). */
  readonly deadline: string;
  readonly notifiedAt: string;
  readonly status: 'notifying' | 'awaiting_ack' | 'acknowledged' | 'escalated';
  readonly attempts: readonly ProcessorAttempt[];
  readonly ack?: ProcessorAck;
  readonly escalation?: ProcessorEscalation;
  /** The workflow's task token while it waits; dropped by minimisation. */
  readonly taskToken?: string;
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
  /** Plaintext contact details, in one attribute so minimisation removes it when the request is finished. */
  readonly contact?: {
    readonly email: string;
    readonly fullName?: string;
    readonly phone?: string;
    /** `rectify`: the corrected values (personal data, so minimised with the rest of the contact). */
    readonly corrections?: Corrections;
  };
  /**
   * `rectify`: keyed hashes of the corrected values, by attribute: evidence of
   * what the person asked for that outlives the minimised contact, never the values.
   */
  readonly correctionHashes?: Readonly<Record<string, string>>;
  /** `withdraw_consent`: the purposes whose consent is withdrawn. */
  readonly purposes?: readonly ConsentPurpose[];
  readonly statusTokenHash: string;
  readonly verification?: VerificationState;
  readonly identities?: Partial<Record<IdentityKind, readonly string[]>>;
  readonly stores?: Readonly<Record<string, StoreProgress>>;
  readonly exportInfo?: ExportInfo;
  readonly erasureSchedule?: ErasureSchedule;
  readonly certificate?: CertificateInfo;
  /**
   * Kept after a delete finishes (with no contact data): the pseudonymous ids of
   * retained records (e.g. customerId, never email or phone) and what is retained until when,
   * so later requests and the retention sweep can still find them.
   */
  readonly retention?: {
    readonly identities: Partial<Record<IdentityKind, readonly string[]>>;
    readonly entries: readonly RetentionEntry[];
    /** When the last retained record may go; absent when only held records remain (no date until the hold lifts). */
    readonly until?: string;
  };
  readonly failure?: { readonly error: string; readonly cause: string };
  /** The latest time support was asked to decide about failed stores (kept: no personal data but the token). */
  readonly attention?: Attention;
  /** Completed with exceptions: what was not done and why (support's decision). */
  readonly exceptions?: { readonly stores: readonly FailedStore[]; readonly decision: SupportDecision };
  /** Processors told about this request, by processor id (no personal data: kept after minimisation). */
  readonly processors?: Readonly<Record<string, ProcessorEvidence>>;
  readonly history: readonly HistoryEntry[];
  // ---- clocks (owner: clock)
  /** The law's clocks (core/clocks.ts); `dueAt` above is `clocks.respond.dueAt`, kept for existing readers. */
  readonly clocks?: RequestClocks;
  /** `open` while the request is watched by the deadline job: the sparse open-by-due index's key. */
  readonly deadlineWatch?: 'open';
  /** What support was last told about the deadline, so each change of state is emailed once. */
  readonly deadlineNotice?: DeadlineNotice;
  /** When the person was emailed that the request ended unverified (expired or rejected): claimed once. */
  readonly outcomeMailAt?: string;
  /** When a delete's erasure summary was emailed: claimed once, apart from the cancel link's claim above. */
  readonly certificateMailAt?: string;
}

/** A new ledger entry: everything the submit endpoint knows. */
export type NewLedgerRecord = Omit<
  LedgerRecord,
  | 'status'
  | 'updatedAt'
  | 'history'
  | 'verification'
  | 'identities'
  | 'stores'
  | 'exportInfo'
  | 'failure'
  | 'erasureSchedule'
  | 'certificate'
  | 'retention'
  | 'processors'
  | 'deadlineNotice'
  | 'attention'
  | 'exceptions'
>;

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

/** Thrown when a step needs the subject's contact details but the finished request no longer holds them. */
export class ContactMinimisedError extends Error {
  override readonly name = 'ContactMinimised';
  constructor(readonly requestId: string) {
    super(`request ${requestId} no longer holds contact details`);
  }
}

/** The contact details of an open request, or `ContactMinimised`. */
export function contactOf(record: LedgerRecord): NonNullable<LedgerRecord['contact']> {
  if (!record.contact) throw new ContactMinimisedError(record.requestId);
  return record.contact;
}
/** The value of `retentionDue` while retained records wait for the retention sweep. */
export const RETENTION_PENDING = 'pending';

/** How many due entries the sweep reads per run unless told otherwise. */
export const DEFAULT_DUE_RETENTIONS_LIMIT = 25;

/** A completed delete whose retention has ended (or is re-checked): what the sweep works on. */
export type DueRetention = LedgerRecord & {
  readonly retention: NonNullable<LedgerRecord['retention']>;
  /** `pending` until the sweep closes the retention; only then is the entry out of the index. */
  readonly retentionDue: typeof RETENTION_PENDING;
  /** `YYYY-MM-DD`: when the sweep is due (the retention end, or the next re-check). */
  readonly retentionUntil: string;
  /**
   * The sweep run (`retention-<YYYY-MM-DD>`) working on this entry, set when it
   * starts: a rerun after a crash or failure reuses that run's manifests and
   * addendum, so it ends with the same counts. Cleared when the entry is closed or deferred.
   */
  readonly retentionRun?: string;
};

/** What the retention sweep reports when it closes an entry's retention. */
export interface RetentionClosure {
  /** Audit bucket key of the sweep's addendum to the certificate. */
  readonly addendumKey: string;
  /** Records the sweep erased, over all stores. */
  readonly deleted: number;
}

/** What `recordProcessorAck` did: `recorded: false` when an earlier acknowledgement won. */
export interface ProcessorAckResult {
  readonly recorded: boolean;
  /** The waiting task's token (also on a duplicate, so a retried callback can still resume the workflow). */
  readonly taskToken?: string;
  /** The processor had already been escalated when this acknowledgement arrived (it is recorded `late`). */
  readonly wasEscalated: boolean;
}

/** Thrown when a processor has no evidence on a request (it was never notified of it). */
export class ProcessorNotNotifiedError extends Error {
  override readonly name = 'ProcessorNotNotified';
  constructor(
    readonly requestId: string,
    readonly processorId: string,
  ) {
    super(`partner ${processorId} was not notified of request ${requestId}`);
  }
}

/** Finished statuses whose entries are minimised; `failed` keeps contact data so support can reach the person. */
export const MINIMISED_STATUSES: readonly RequestStatus[] = ['completed', 'expired', 'rejected', 'cancelled'];

/** The most wrong codes a request survives; the 5th wrong try rejects it. */
export const MAX_VERIFICATION_ATTEMPTS = 5;

export class DuplicateRequestError extends Error {
  override readonly name = 'DuplicateRequest';
}

export interface TransitionOptions {
  readonly now?: Date;
  readonly note?: string;
  readonly failure?: { readonly error: string; readonly cause: string };
  /** Into a finished status (`MINIMISED_STATUSES`): drop contact, identities and tokens in the same write. */
  readonly minimise?: boolean;
}

/** What `advance` did: `already` when the request had reached that status before this call (a retry or a race lost to the same move). */
export interface Advanced {
  readonly status: RequestStatus;
  readonly already: boolean;
}
