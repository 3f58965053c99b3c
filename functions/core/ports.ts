/**
 * What the domain needs from outside, and nothing else. `functions/aws/` and
 * `functions/connectors/` implement these; the composition root
 * (`functions/aws/composition-root.ts`) builds the implementations once per
 * cold start; handlers pass them to the use cases in core.
 */
import type { Readable } from 'node:stream';
import type { AuditEntry, AuditEvent, ChainHead } from './audit/entry';
import type { DeadlineClock, DeadlineNotice } from './clocks';
import type { ConsentPurpose, DataMap, DataStore, IdentityKind, ProcessorStore } from './data-map';
import type { RecordDecision } from './erasure/decisions';
import type {
  Advanced,
  Attention,
  CertificateInfo,
  DueRetention,
  ErasureSchedule,
  ExportInfo,
  LedgerRecord,
  NewLedgerRecord,
  ProcessorAck,
  ProcessorAckResult,
  ProcessorAttempt,
  ProcessorEscalation,
  ProcessorEvidence,
  RetentionClosure,
  StoreProgress,
  SupportDecision,
  TransitionOptions,
  VerificationState,
} from './ledger-record';
import type { LifecycleEvent, RequestStatus } from './lifecycle';
import type { DeliveryOutcome } from './processors/delivery';
import type { ProcessorRequest } from './processors/protocol';
import type { RecordRef, Subject } from './records';
import type { RequestType } from './request';

export type { RecordRef, Subject };

/**
 * Why a record could not be read as stored: a JSON Lines line that does not
 * parse, an item without its key attribute, an object that cannot be read.
 * Reported with the store's outcome as counts (never content).
 */
export type RecordProblem = 'unparsable_line' | 'missing_key' | 'unreadable_object';

/** One record as exported for the subject. */
export interface ExportedRecord {
  readonly ref: RecordRef;
  readonly data: Readonly<Record<string, unknown>>;
  /** The record is exported as far as it could be read (e.g. a bad line as text), and counted. */
  readonly problem?: RecordProblem;
  /** A file that belongs to the record (e.g. an uploaded invoice), streamed on demand. */
  readonly attachment?: {
    readonly name: string;
    readonly size?: number;
    /** One read of the file: its bytes and what the read said of them, or that it may not be read. */
    open(): Promise<OpenedAttachment>;
  };
}

/**
 * An attachment as its one read found it: the bytes, with fields the response
 * told (a document's `contentType`) that the record gets; or `unreadable`
 * (permissions, an archived object): the record is exported flagged, without a file.
 */
export type OpenedAttachment =
  | { readonly body: Readable; readonly fields?: Readonly<Record<string, unknown>> }
  | { readonly unreadable: true };

/** How much of each record `Connector.export` reads. */
export interface ExportOptions {
  /**
   * `false` for erasure decisions and their proof, which never open an
   * attachment: a whole-object record is what the listing says of it (name,
   * size, last modified), with no request per object (a document's content
   * type is read only when one of the store's holds decides on it).
   */
  readonly attachments?: false;
}

/** One page of `Connector.survey`: current records, and refs of everything recoverable (as `locate`). */
export interface SurveyPage {
  readonly records: readonly ExportedRecord[];
  readonly refs: readonly RecordRef[];
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

/** What a connector did while setting fields on the subject's records. */
export interface UpdateReceipt {
  readonly storeId: string;
  /** Records written (again, on a retry). */
  readonly updated: number;
}

/** Values a change request writes: field -> value (a corrected text, a consent or restriction flag, a time). */
export type FieldValues = Readonly<Record<string, string | boolean>>;

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
  export(subject: Subject, options?: ExportOptions): AsyncIterable<readonly ExportedRecord[]>;
  /**
   * `export` (attachments: false) and `locate` from one listing, for erasure's
   * inventory and its proof: each page's current records and the refs `locate`
   * gives. Absent = `export`, then `locate`.
   */
  survey?(subject: Subject): AsyncIterable<SurveyPage>;
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
  /**
   * Sets `fields` on every current record of the subject, by primary key
   * (a correction, a restriction flag, consent off). Idempotent: a retry
   * writes the same values; a record gone meanwhile is no error. Absent where
   * the store cannot change a record in place.
   */
  update?(subject: Subject, fields: FieldValues): Promise<UpdateReceipt>;
}

// ——— Object storage (exports, erasure working files, certificates) ———

/** Options for writing an object. */
export interface PutOptions {
  readonly contentType: string;
  readonly contentDisposition?: string;
  /** Ask the store to check the body's SHA-256 on arrival (write-once audit objects). */
  readonly checksum?: boolean;
}

/** The first bytes of an object (a ranged GetObject). */
export interface ObjectRange {
  readonly firstBytes: number;
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
  /**
   * The object as a stream, or `undefined` when there is no such key. With
   * `firstBytes`, only up to that many bytes from its start (one ranged read).
   */
  open(key: string, range?: ObjectRange): Promise<Readable | undefined>;
}

// ——— Mail ———

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** What the email is about, sent along as SES message tags so a bounce or complaint leads back to the request. */
  readonly tags?: MailTags;
}

/** Only ids and a purpose, never contact data: SES publishes tags with every event. */
export interface MailTags {
  readonly requestId: string;
  readonly purpose: MailPurpose;
}

/** `verification`: a bounce of it ends the waiting request (core/requests/mail-feedback.ts). */
export type MailPurpose = 'verification';

/** Sends one email from the deployment's verified identity. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

// ——— Workflow (the execution that carries a request) ———

export interface WorkflowControl {
  /** Starts the request's execution, named after the request id; `preVerified` only for one-click unsubscribe and support's lift. */
  start(input: { requestId: string; type: RequestType; preVerified?: true }): Promise<void>;
  /** Resumes a waiting task. */
  succeed(taskToken: string, output: unknown): Promise<void>;
  /** Fails a waiting task with an error name the workflow's `Catch` matches. */
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

// ——— Time ———

/** Injected where a use case stamps or compares times, so tests need no fake timers. */
export type Clock = () => Date;

// ---- Ledger: one entry per request; every status change is checked against the lifecycle and the stored status.

type Identities = Partial<Record<IdentityKind, readonly string[]>>;

/** A request's lifecycle: creation, status moves, plan and per-store progress, export and erasure schedule. */
export interface RequestLedger {
  /** Writes a new request as `pending_verification`; `DuplicateRequest` if the id exists. */
  create(record: NewLedgerRecord, now?: Date): Promise<LedgerRecord>;
  /** The entry, or undefined (strongly consistent). */
  get(requestId: string): Promise<LedgerRecord | undefined>;
  /** The entry, or `RequestNotFound`. */
  require(requestId: string): Promise<LedgerRecord>;
  /** Moves the request on by `event`; `InvalidTransition` or `StatusConflict` when it cannot. */
  transition(requestId: string, event: LifecycleEvent, options?: TransitionOptions): Promise<RequestStatus>;
  /**
   * Moves the request on by `event`, idempotently: when it already is where
   * `event` leads (a retry, or a concurrent writer made the same move), says so
   * instead of failing. Other conflicts still throw.
   */
  advance(requestId: string, event: LifecycleEvent, options?: TransitionOptions): Promise<Advanced>;
  setPlan(requestId: string, identities: Identities, storeIds: readonly string[], now?: Date): Promise<void>;
  setStoreProgress(requestId: string, storeId: string, progress: StoreProgress, now?: Date): Promise<void>;
  schedule(requestId: string, schedule: ErasureSchedule, now?: Date): Promise<ErasureSchedule>;
  cancel(requestId: string, now?: Date): Promise<void>;
  setExportInfo(requestId: string, info: ExportInfo, now?: Date): Promise<void>;
  countDownload(requestId: string): Promise<void>;
  /** The subject's open request of `type`, if any (one open request per subject and type). */
  openRequestFor(
    subjectHash: string,
    type: LedgerRecord['type'],
  ): Promise<Pick<LedgerRecord, 'requestId' | 'type' | 'status' | 'receivedAt'> | undefined>;
  /** The subject's requests of every type, newest first, at most `limit` (their processing history). */
  requestsOf(
    subjectHash: string,
    limit: number,
  ): Promise<readonly Pick<LedgerRecord, 'requestId' | 'type' | 'status' | 'receivedAt'>[]>;
}

/** Identity verification of a pending request: code hashes and the wrong-attempt count. */
export interface VerificationLedger {
  setVerification(requestId: string, verification: VerificationState): Promise<void>;
  /** Counts one wrong code atomically; returns the new count. */
  recordWrongAttempt(requestId: string): Promise<number>;
}

/** What each processor was told and answered, as evidence on the request. */
export interface ProcessorEvidenceLedger {
  beginProcessorNotice(
    requestId: string,
    evidence: ProcessorEvidence,
    now?: Date,
  ): Promise<ProcessorEvidence>;
  recordProcessorAttempt(
    requestId: string,
    processorId: string,
    attempt: ProcessorAttempt,
    now?: Date,
  ): Promise<void>;
  markProcessorAwaiting(requestId: string, processorId: string, now?: Date): Promise<void>;
  recordProcessorAck(
    requestId: string,
    processorId: string,
    ack: ProcessorAck,
    now?: Date,
  ): Promise<ProcessorAckResult>;
  recordProcessorEscalation(
    requestId: string,
    processorId: string,
    escalation: ProcessorEscalation,
    now?: Date,
  ): Promise<{ escalated: boolean }>;
  markSupportNotified(requestId: string, processorId: string, now?: Date): Promise<void>;
}

/** Certificates, retained records and their sweep, and minimisation of finished requests. */
export interface RetentionLedger {
  setCertificate(
    requestId: string,
    info: CertificateInfo,
    retention?: NonNullable<LedgerRecord['retention']>,
    now?: Date,
  ): Promise<void>;
  dueRetentions(today: string, limit?: number): Promise<DueRetention[]>;
  beginRetentionSweep(requestId: string, run: string, now?: Date): Promise<string>;
  deferRetention(requestId: string, nextCheck: string, now?: Date): Promise<void>;
  closeRetention(requestId: string, result: RetentionClosure, now?: Date): Promise<boolean>;
  /** Drops contact data and tokens from a finished request (a standing restriction keeps its address). */
  minimise(requestId: string, now?: Date): Promise<void>;
  /** A restriction ended (lifted or replaced): its request drops the address it kept. Idempotent. */
  endRestriction(requestId: string, now?: Date): Promise<void>;
  /** Pseudonymous ids of records still retained for this subject by earlier deletes. */
  retainedIdentities(subjectHash: string): Promise<Identities>;
}

/** The whole ledger; use cases take the narrowest part they need. */
export interface Ledger
  extends RequestLedger,
    VerificationLedger,
    ProcessorEvidenceLedger,
    RetentionLedger,
    OutcomeMailLedger {}

// ---- Processors: third parties acting for the company, told of requests through their signed webhook.

/** One delivery of a request to one processor. */
export interface Delivery {
  readonly store: ProcessorStore;
  /** The processor's shared HMAC secret. */
  readonly secret: Buffer;
  readonly request: ProcessorRequest;
  /** Awaited after each attempt, so its evidence is recorded before the next one. */
  readonly onAttempt?: (attempt: ProcessorAttempt) => Promise<void>;
}

/** Sends a processor a request (signed, retried, answer validated); every failure is an outcome, not an error. */
export interface ProcessorDelivery {
  /** @throws ProcessorConfigError for an unusable endpoint, or what `onAttempt` throws. */
  deliver(delivery: Delivery): Promise<DeliveryOutcome>;
}

/** The HMAC secret shared with each processor. */
export interface ProcessorSecrets {
  /** @throws ProcessorSecretError when it is missing or unusable (the message names the processor only). */
  secretOf(store: ProcessorStore): Promise<Buffer>;
}

// ---- Verification resends and one-click unsubscribe (owner: ledger)

/** What a resend replaces: new hashes and expiry; the wrong-attempt count carries over (5 per request, not per code). */
export interface ResentVerification {
  readonly codeHash: string;
  readonly linkTokenHash: string;
  readonly sentAt: string;
  readonly expiresAt: string;
}

/** A new code and link for a pending request, for the verification task waiting on `taskToken`. */
export interface VerificationResend {
  readonly taskToken: string;
  /** The most resends a request gets. */
  readonly max: number;
  readonly next: ResentVerification;
}

/** New verification codes on request (`POST …/resend`). */
export interface VerificationResends {
  /**
   * Replaces the code and link hashes (the old ones stop working) and counts
   * the resend, atomically: only while the request awaits verification for the
   * same task and fewer than `max` resends were made. The new count, or
   * `undefined` when the request no longer qualifies.
   */
  resendVerification(requestId: string, resend: VerificationResend): Promise<number | undefined>;
}

/** Which one-click unsubscribe tokens were used, and for which request (markers keyed by the token's keyed hash). */
export interface UsedUnsubscribeTokens {
  /**
   * Marks the token used, naming the request it starts. If it was used
   * before, the request id of that first use comes back with `first: false`.
   */
  claim(
    marker: string,
    requestId: string,
    now: Date,
  ): Promise<{ readonly requestId: string; readonly first: boolean }>;
}

// ---- requests: intake, verification, cancellation, status, planning, outcome and opt-out use cases

/** Structured log lines; fields carry ids and counts, never personal data (the CDK's alarms match some messages). */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Budgets per data subject (by keyed hash); over one, the adapter throws its rate-limit error. */
export interface SubjectBudgets {
  /**
   * Refuses a new request when the subject already VERIFIED its budget of
   * requests of this type in the window; counts nothing, so requests nobody
   * verified (e.g. submitted by someone who only knows the address) never block one.
   */
  submission(subjectHash: string, type: RequestType): Promise<void>;
  /** Counts one verified request of the subject and type (never refuses). */
  verified(subjectHash: string, type: RequestType): Promise<void>;
  /** Counts one verification-code attempt of the subject on requests of this type, whichever request it is for. */
  codeAttempt(subjectHash: string, type: RequestType): Promise<void>;
}

/** What identifies one submission under an `Idempotency-Key`: the key and the body, both keyed-hashed. */
export interface SubmissionFingerprint {
  readonly key: string;
  readonly bodyHash: string;
}

/**
 * Runs `work` at most once per fingerprint for a while (a day); a repeat gets
 * the first result back. The same key with another body, or a first run still
 * going, is refused with the adapter's own errors. Errors of `work` are not kept.
 */
export interface SubmissionOnce {
  run<T extends Record<string, unknown>>(
    fingerprint: SubmissionFingerprint,
    work: () => Promise<T>,
  ): Promise<T>;
}

/** Every identifier of the person behind an email, as the data stores know them. */
export interface SubjectResolver {
  resolve(email: string): Promise<Subject>;
}

/**
 * A person's standing choices that other systems ask about (`isRestricted`,
 * `isWithdrawn`), by the keyed hash of their address; next to the suppression list.
 */
export interface PreferenceList {
  /**
   * Processing restricted (UU PDP Art. 41); idempotent. Returns the request of
   * the restriction that stood before, if another one did.
   */
  restrict(
    subjectHash: string,
    evidence: { readonly requestId: string; readonly at: string },
  ): Promise<string | undefined>;
  /** The restriction lifted; idempotent. Returns the request of the restriction it ends, if one stood. */
  lift(
    subjectHash: string,
    evidence: { readonly requestId: string; readonly at: string },
  ): Promise<string | undefined>;
  /** The request of the restriction that stands for this subject, if any. */
  currentRestriction(subjectHash: string): Promise<string | undefined>;
  /** Consent withdrawn for these purposes (UU PDP Art. 40); they accumulate. */
  withdraw(
    subjectHash: string,
    purposes: readonly ConsentPurpose[],
    evidence: { readonly requestId: string; readonly at: string },
  ): Promise<void>;
}

/** What makes an opt-out stick after its request is finished (every marketing channel). */
export interface MarketingSuppression {
  /** Adds or refreshes the subject's entry; idempotent. */
  suppress(subjectHash: string, evidence: { readonly requestId: string; readonly at: string }): Promise<void>;
  /** Suppresses WhatsApp and SMS to a phone number (E.164) by its keyed hash; idempotent. */
  suppressPhone(phone: string, evidence: { readonly requestId: string; readonly at: string }): Promise<void>;
  /** Opts the address out of the mail contact list where one is configured; false when there is none. */
  optOutOfContactList(email: string): Promise<boolean>;
}

// ---- Erasure and export: logging, connectors by store, and download links for the export zip.

/** The connector of a data store of the data map (built by the composition root with its clients). */
export type ConnectorFor = (store: DataStore) => Connector;

/** Short-lived download links to objects, minted when the subject asks (never emailed). */
export interface DownloadLinks {
  /** A URL that fetches `key` as an attachment named `fileName`, valid for `expiresInSeconds`. */
  downloadUrl(
    key: string,
    options: { readonly fileName: string; readonly contentType: string; readonly expiresInSeconds: number },
  ): Promise<string>;
}

/** A zip being written as a stream, one entry at a time (the export package). */
export interface ZipWriter {
  /** The zip's bytes as they are produced. */
  readonly output: Readable;
  /** Adds one entry; resolves once it has been consumed, so only one source is open at a time. */
  add(source: Readable | string | Buffer, name: string, date: Date): Promise<void>;
  /** Ends the zip (its central directory follows the last entry). */
  finish(): void;
  /** Stops with `error`, so a truncated zip is never taken for a whole one. */
  destroy(error: Error): void;
  /** Bytes of zip produced so far. */
  size(): number;
}

/** Makes a new zip writer (one per package). */
export type ZipWriters = () => ZipWriter;

/** What the per-store use cases (export, erase, verify) need from outside. */
export interface StorePorts {
  readonly ledger: Pick<RequestLedger, 'require' | 'setStoreProgress'>;
  readonly exports: ObjectStore;
  readonly dataMap: DataMap;
  readonly connectorFor: ConnectorFor;
  readonly hashingKey: () => Promise<Buffer>;
  readonly log: Log;
  /** The request's audit chain; absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
}

// ---- Audit trail (owner: audit): per-request hash chains, written once, never updated.

/** A request's hash chain (core/audit): appends are conditional puts, entries are never updated or deleted. */
export interface AuditTrail {
  /**
   * Appends `event` as the chain's next entry, unless an entry with its
   * `eventId` is already there (a retried task): then that entry comes back.
   * @throws ZodError when a detail is not an id, count or hash.
   */
  append(requestId: string, event: AuditEvent): Promise<AuditEntry>;
  /** The chain in order of sequence (strongly consistent); empty when the request has none. */
  read(requestId: string): Promise<AuditEntry[]>;
}

/** Which chains moved on a day, for the daily heads written to the audit bucket. */
export interface AuditChainIndex {
  /** The head (last entry) of every chain that got an entry on `day` (YYYY-MM-DD, UTC). */
  headsTouchedOn(day: string): Promise<ChainHead[]>;
}

// ---- Deadlines: the open-by-due index, notices to support, clocks met and extended (owner: clock)

/** The ledger's part for the law's clocks (`core/clocks.ts`). */
export interface DeadlineLedger {
  /** Requests still in the open-by-due index whose `dueAt` is at or before `until` (ISO), earliest first. */
  openByDue(until: string, limit?: number): Promise<LedgerRecord[]>;
  /**
   * Records that support is being told the request is `notice.state`; false
   * (and nothing written) when that state was already recorded, so each
   * change of state is emailed once.
   */
  claimDeadlineNotice(requestId: string, notice: DeadlineNotice): Promise<boolean>;
  /** Undoes a claim whose email could not be sent (only while it is still that state). */
  releaseDeadlineNotice(requestId: string, notice: DeadlineNotice): Promise<void>;
  /** A finished request: each clock's `metAt` (first time only), and out of the open-by-due index. */
  closeClocks(requestId: string, at: Date): Promise<void>;
  /**
   * Replaces the `respond` clock with its extended version (and `dueAt`),
   * only while the request is open and its clock was never extended; false otherwise.
   */
  extendRespondClock(requestId: string, respond: DeadlineClock, now: Date): Promise<boolean>;
  /**
   * Replaces the `respond` clock (and `dueAt`) with one started at verification,
   * only while it still starts at `receivedAt`, was never extended and the request is open; false otherwise.
   */
  restartRespondClock(
    requestId: string,
    respond: DeadlineClock,
    receivedAt: string,
    now: Date,
  ): Promise<boolean>;
}

/** CloudWatch metrics (EMF lines in AWS): counts per run, no dimensions carrying ids. */
export interface Metrics {
  count(values: Readonly<Record<string, number>>): void;
}

/** Which once-only email: the outcome (export link, cancel link, …) or a delete's certificate summary. */
export type OutcomeMail = 'outcome' | 'certificate';

/** The email that tells the person how a request ended, sent once: claimed before sending. */
export interface OutcomeMailLedger {
  /** Records `at` as the send time; false (nothing written) when that email was already claimed. */
  claimOutcomeMail(requestId: string, at: string, mail?: OutcomeMail): Promise<boolean>;
  /** Undoes this claim after the email could not be sent, so a retry sends it. */
  releaseOutcomeMail(requestId: string, at: string, mail?: OutcomeMail): Promise<void>;
}

// ---- Failures support can fix and support actions (owner: fail)

/** Who runs a support action: never taken on the caller's word in AWS. */
export interface SupportCallers {
  /**
   * The actor of an action: in AWS the IAM identity that started the SSM
   * Automation execution `automationExecutionId` (one of the DSR documents);
   * locally the `actor` the CLI or console page passes.
   */
  actorOf(input: { readonly automationExecutionId?: string; readonly actor?: string }): Promise<string>;
}

/** A request whose stores failed for good waits for support; support's decision moves it on. */
export interface AttentionLedger {
  /**
   * `in_progress → needs_attention` with `attention`; when the request already
   * waits on the same task token (a retried task), nothing changes and `false` comes back.
   */
  needAttention(requestId: string, attention: Attention, now?: Date): Promise<boolean>;
  /** Notes that support was emailed about the current attention. */
  markAttentionNotified(requestId: string, now?: Date): Promise<void>;
  /**
   * Moves a `needs_attention` request on by `event` and records `decision` (and,
   * for `except`, the exceptions; for `fail`, the failure) in the same conditional write.
   */
  decide(
    requestId: string,
    event: 'retry' | 'except' | 'fail' | 'cancel',
    decision: SupportDecision,
    extra?: Pick<LedgerRecord, 'exceptions' | 'failure'>,
  ): Promise<void>;
}
