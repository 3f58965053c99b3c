/**
 * THE deployment contract: every deployable entry of the system — the
 * workflow's Task functions, the API's functions and routes, the scheduled
 * jobs, the support action and the SES event function — with its handler, what it may touch and the environment that follows.
 * The CDK (infra/constructs/functions.ts, api.ts, schedules.ts, workflow.ts)
 * builds one function per entry, grants exactly `access` and sets
 * {@link environmentOf}; the local runtime (infra/local/) loads the same
 * handlers, serves the same routes and sets the same environment names.
 * A test fails if a Task state of `workflows/dsr.asl.json` names no task
 * entry or a task entry is never named.
 */
import { ENV, type EnvKey, type EnvName } from './aws/config';

/** What a function may touch; the CDK turns each into the narrowest grant. */
export type Access =
  | 'ledger:read'
  | 'ledger:write'
  /** The hashing key (Secrets Manager). */
  | 'secret:read'
  /** SES SendEmail from the configured identity. */
  | 'mail:send'
  | 'exports:read'
  /** Per-store export files (and erasure manifests, for tasks) in the exports bucket. */
  | 'exports:write'
  | 'stores:read'
  /** Delete, update and rewrite the subject's records in the data map's stores (erasure). */
  | 'stores:write'
  /** Write-once certificates of erasure in the audit bucket. */
  | 'audit:write'
  /** GetObject of a certificate of erasure's page in the audit bucket (shown to the browser that entered the code). */
  | 'certificates:read'
  /** DynamoDB `UpdateItem` only, on the stores that declare `marketingConsentFields` (opt-out). */
  | 'stores:consent'
  /** UpdateItem by primary key on DynamoDB stores that declare changeable fields (corrections, restriction, consent). */
  | 'stores:change'
  /** The suppression table: PutItem, UpdateItem, GetItem (one-click unsubscribe marks its token used). */
  | 'suppression:write'
  /** SES v2 CreateContact/UpdateContact on the configured contact list. */
  | 'contacts:write'
  /** Secrets Manager GetSecretValue on the data map's processor secrets (processors' HMAC keys), by name. */
  | 'processors:secret'
  /** StartExecution of the workflow. */
  | 'workflow:start'
  /** SendTaskSuccess/SendTaskFailure on the state machine (completing a paused execution). */
  | 'workflow:callback'
  /** Rate-limit counters table: UpdateItem only. */
  | 'limits:write'
  /** Idempotency records table: GetItem, PutItem, UpdateItem, DeleteItem. */
  | 'idempotency:write'
  /** Emails support (escalations): its address in the environment, its identity for `mail:send`. */
  | 'mail:support'
  // ---- audit (owner: audit)
  /** The audit table: PutItem (conditional, never overwriting), GetItem, Query; no UpdateItem, no DeleteItem. */
  | 'audit:append'
  /** The daily chain heads: Query the audit table and its day index; read and write `audit-heads/` in the audit bucket. */
  | 'audit:heads'
  /** SSM GetAutomationExecution: who started a support action (its DSR-* document's execution). */
  | 'automation:caller';

interface BaseEntry {
  /** Source file of the handler, relative to the repository root. */
  readonly entry: string;
  /** Exported handler function name. */
  readonly handler: 'handler';
  readonly description: string;
  readonly access: readonly Access[];
  /** Lambda timeout; Step Functions retries on top of it, API Gateway gives up after 29 s. */
  readonly timeoutSeconds: number;
  /** Lambda memory; unset = the house default (256 MB). */
  readonly memoryMb?: number;
  /** V8 flags the function runs with (the CDK sets them as `NODE_OPTIONS`); unset = V8's own sizing. */
  readonly nodeOptions?: readonly string[];
}
/** A workflow Task function: `dsr.asl.json` names it `${<Name>FunctionArn}`. */
export interface TaskEntry extends BaseEntry {
  readonly kind: 'task';
  readonly memoryMb: number;
}
/** An API function: serves the {@link ROUTES} that name it. */
export interface RouteEntry extends BaseEntry {
  readonly kind: 'route';
}
/** A scheduled job: no workflow state calls it, an EventBridge Scheduler schedule does. */
export interface JobEntry extends BaseEntry {
  readonly kind: 'job';
  readonly memoryMb: number;
  /** EventBridge schedule expression, e.g. `rate(1 day)`; the job bounds its own work per run. */
  readonly schedule: string;
}
/** A support action function: the DSR-* SSM Automation documents ({@link SUPPORT_DOCUMENTS}) invoke it. */
export interface ActionEntry extends BaseEntry {
  readonly kind: 'action';
  readonly memoryMb: number;
}
/**
 * An event function: EventBridge invokes it (asynchronously, with retries and a dead-letter
 * queue) on AWS events, here SES's bounces and complaints from the deployment's configuration set.
 */
export interface EventEntry extends BaseEntry {
  readonly kind: 'event';
  readonly memoryMb: number;
  /** `mail-feedback`: SES `Email Bounced` and `Email Complaint Received` of the stack's configuration set. */
  readonly events: 'mail-feedback';
}
export type DeploymentEntry = TaskEntry | RouteEntry | JobEntry | ActionEntry | EventEntry;

/** A task entry (every handler exports `handler`). */
const task = (def: Omit<TaskEntry, 'kind' | 'handler'>): TaskEntry => ({
  kind: 'task',
  handler: 'handler',
  ...def,
});
/** An API function: API Gateway gives up after 29 s, and handlers do a few reads and writes. */
const route = (def: Omit<RouteEntry, 'kind' | 'handler' | 'timeoutSeconds'>): RouteEntry => ({
  kind: 'route',
  handler: 'handler',
  timeoutSeconds: 10,
  ...def,
});

/** Erasing in the data map's stores: read and rewrite them, with manifests in the exports bucket. */
const ERASURE_ACCESS: readonly Access[] = [
  'ledger:read',
  'ledger:write',
  'secret:read',
  'stores:read',
  'stores:write',
  'exports:read',
  'exports:write',
];

/** Recording a processor's acknowledgement (webhook answer or callback): evidence, its records as an export file, the workflow resumed. */
const PROCESSOR_ACK_ACCESS: readonly Access[] = [
  'ledger:read',
  'ledger:write',
  'processors:secret',
  'workflow:callback',
  'exports:write',
  'audit:append',
];

/**
 * The export functions' heap: the live data is small and flat (about 22 MiB
 * after a full collection, at 10,000 records as at 1 M), but with V8's own
 * sizing the heap grows with the rate of allocation (16 MiB semi-spaces, an
 * old generation whose limit rises after each full collection) and keeps the
 * pages it took: +150 MiB of RSS at 1 M records. 2 MiB semi-spaces (a young
 * generation of 6 MiB) and a 128 MiB old generation, about six times the live
 * heap and a quarter of ExportStore's memory, keep the growth within 64 MiB at
 * every size and are slightly faster (docs/PERFORMANCE.md, "Export memory");
 * the memory bench runs with these flags, and a test runs both tasks' export
 * path under them (test/adapters/export-heap.test.ts). The Lambda runtime's
 * bootstrap sizes both spaces from the function's memory (a new space of about
 * 5% of it) unless NODE_OPTIONS names either, which this does.
 */
export const EXPORT_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=128'];

const TASK_ENTRIES = {
  ValidateRequest: task({
    entry: 'functions/tasks/validate-request.ts',
    description: 'Checks the ledger entry behind a new execution',
    access: ['ledger:read', 'audit:append'],
    timeoutSeconds: 10,
    memoryMb: 256,
  }),
  RequestVerification: task({
    entry: 'functions/tasks/request-verification.ts',
    description: 'Emails the one-time code and link, stores their hashes and the task token',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'mail:send', 'audit:append'],
    timeoutSeconds: 15,
    memoryMb: 256,
  }),
  PlanStores: task({
    entry: 'functions/tasks/plan-stores.ts',
    description: "Resolves the subject's identities and plans the stores to visit",
    access: ['ledger:read', 'ledger:write', 'stores:read', 'audit:append'],
    timeoutSeconds: 60,
    memoryMb: 512,
  }),
  ExportStore: task({
    entry: 'functions/tasks/export-store.ts',
    description: "Streams one store's records for the subject into the exports bucket",
    access: ['ledger:read', 'ledger:write', 'stores:read', 'exports:write', 'audit:append'],
    timeoutSeconds: 900,
    memoryMb: 512,
    nodeOptions: EXPORT_NODE_OPTIONS,
  }),
  PackageExport: task({
    entry: 'functions/tasks/package-export.ts',
    description: 'Streams the per-store files into one zip with a manifest and index',
    access: ['ledger:read', 'exports:read', 'exports:write', 'audit:append'],
    timeoutSeconds: 900,
    memoryMb: 1024,
    nodeOptions: EXPORT_NODE_OPTIONS,
  }),
  SendExportLink: task({
    entry: 'functions/tasks/send-export-link.ts',
    description: 'Mints an expiring download token, emails the link and records the completion',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'mail:send', 'audit:append'],
    timeoutSeconds: 15,
    memoryMb: 256,
  }),
  ScheduleErasure: task({
    entry: 'functions/tasks/schedule-erasure.ts',
    description: 'Starts a verified delete grace period and emails the cancel link',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'mail:send', 'audit:append'],
    timeoutSeconds: 15,
    memoryMb: 256,
  }),
  EraseStore: task({
    entry: 'functions/tasks/erase-store.ts',
    description:
      "Decides and carries out erasure of the subject's records in one store, then proves it by re-query",
    access: [...ERASURE_ACCESS, 'audit:append'],
    timeoutSeconds: 900,
    memoryMb: 1024,
  }),
  IssueCertificate: task({
    entry: 'functions/tasks/issue-certificate.ts',
    description:
      'Writes the certificate of erasure to the audit bucket, emails the summary and records the completion',
    access: ['ledger:read', 'ledger:write', 'exports:read', 'audit:write', 'mail:send', 'audit:append'],
    timeoutSeconds: 60,
    memoryMb: 512,
  }),
  OptOutStore: task({
    entry: 'functions/tasks/opt-out-store.ts',
    description: "Turns marketing consent off on the subject's records in one store",
    access: ['ledger:read', 'ledger:write', 'stores:read', 'stores:consent', 'audit:append'],
    timeoutSeconds: 900,
    memoryMb: 512,
  }),
  RecordSuppression: task({
    entry: 'functions/tasks/record-suppression.ts',
    description:
      'Adds the subject to the suppression list and contact list opt-outs, emails the confirmation and records the completion',
    access: [
      'ledger:read',
      // The completion (RecordOutcome's write).
      'ledger:write',
      'secret:read',
      'suppression:write',
      'contacts:write',
      'mail:send',
      'audit:append',
    ],
    timeoutSeconds: 30,
    memoryMb: 256,
  }),
  SuppressSubject: task({
    entry: 'functions/tasks/suppress-subject.ts',
    description:
      'Puts an opt-out on the suppression list and off the contact list at once, before any store or processor',
    access: [
      'ledger:read',
      'secret:read',
      'stores:read',
      'suppression:write',
      'contacts:write',
      'audit:append',
    ],
    timeoutSeconds: 30,
    memoryMb: 256,
  }),
  RecordPreferences: task({
    entry: 'functions/tasks/record-preferences.ts',
    description:
      'Puts a restriction, its lifting or a withdrawal of consent on the preference list at once, before any store',
    access: [
      'ledger:read',
      'ledger:write',
      'secret:read',
      'stores:read',
      'suppression:write',
      'contacts:write',
      'audit:append',
    ],
    timeoutSeconds: 30,
    memoryMb: 256,
  }),
  ChangeStore: task({
    entry: 'functions/tasks/change-store.ts',
    description:
      "Writes a correction, restriction or withdrawal of consent to the subject's records in one store and proves it by re-query",
    access: ['ledger:read', 'ledger:write', 'stores:read', 'stores:change', 'audit:append'],
    timeoutSeconds: 900,
    memoryMb: 512,
  }),
  ConfirmChange: task({
    entry: 'functions/tasks/confirm-change.ts',
    description:
      'Emails once what a change request changed, what was kept as it was and why, and records the completion',
    access: ['ledger:read', 'ledger:write', 'mail:send', 'audit:append'],
    timeoutSeconds: 30,
    memoryMb: 256,
  }),
  NotifyProcessor: task({
    entry: 'functions/tasks/notify-processor.ts',
    description:
      'Sends a processor (partner) a signed request with retries, records every attempt, and resumes the workflow on its acknowledgement',
    access: PROCESSOR_ACK_ACCESS,
    timeoutSeconds: 300,
    memoryMb: 512,
  }),
  EscalateProcessor: task({
    entry: 'functions/tasks/escalate-processor.ts',
    description:
      'Records that a processor did not acknowledge in time (or refused) and tells support; the request goes on',
    access: ['ledger:read', 'ledger:write', 'mail:send', 'mail:support', 'audit:append'],
    timeoutSeconds: 30,
    memoryMb: 256,
  }),
  RecordOutcome: task({
    entry: 'functions/tasks/record-outcome.ts',
    description:
      'Records a failed, expired, rejected or cancelled outcome, tells the person when an unverified request expired or was rejected, and drops contact data',
    access: ['ledger:read', 'ledger:write', 'mail:send', 'audit:append'],
    timeoutSeconds: 10,
    memoryMb: 256,
  }),
  // Failures support can fix (owner: fail)
  RecordStoreFailure: task({
    entry: 'functions/tasks/record-store-failure.ts',
    description: "Records a store's permanent failure (error class and reason) so the other stores finish",
    access: ['ledger:read', 'ledger:write'],
    timeoutSeconds: 10,
    memoryMb: 256,
  }),
  ReviewStoreOutcomes: task({
    entry: 'functions/tasks/review-store-outcomes.ts',
    description:
      "Splits the stores into done (kept across retries) and failed for good, and bounds support's wait by the deadline",
    access: ['ledger:read'],
    timeoutSeconds: 10,
    memoryMb: 256,
  }),
  RequestSupportDecision: task({
    entry: 'functions/tasks/request-support-decision.ts',
    description:
      'Moves a request with failed stores to needs_attention, emails support, keeps the task token',
    access: ['ledger:read', 'ledger:write', 'mail:send', 'mail:support'],
    timeoutSeconds: 15,
    memoryMb: 256,
  }),
  DecideAtDeadline: task({
    entry: 'functions/tasks/decide-at-deadline.ts',
    description:
      "Support's wait reached the deadline: waits again if it was extended, else completes with exceptions and tells the person",
    access: ['ledger:read', 'ledger:write', 'mail:send', 'audit:append'],
    timeoutSeconds: 15,
    memoryMb: 256,
  }),
} as const satisfies Record<string, TaskEntry>;

const ROUTE_ENTRIES = {
  SubmitRequest: route({
    entry: 'functions/http/submit-request.ts',
    description: 'POST /requests (JSON or the form): records the request, then starts its workflow',
    access: [
      'ledger:read',
      'ledger:write',
      'secret:read',
      'workflow:start',
      'limits:write',
      'idempotency:write',
      // sec1 (issue 18, finding 1): a repeated submission re-sends the open request's code and link.
      'mail:send',
    ],
  }),
  VerifyRequest: route({
    entry: 'functions/http/verify-request.ts',
    description: 'POST /requests/{requestId}/verify: checks the code or link token and resumes the workflow',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'workflow:callback', 'limits:write'],
  }),
  ResendVerification: route({
    entry: 'functions/http/resend-verification.ts',
    description: 'POST /requests/{requestId}/resend: a new code and link while awaiting verification',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'mail:send', 'limits:write', 'audit:append'],
  }),
  GetRequestStatus: route({
    entry: 'functions/http/get-request-status.ts',
    description:
      'GET /requests/{requestId}: progress for the holder of the status token; /status: the same as a page (status link or cookie)',
    access: ['ledger:read', 'secret:read'],
  }),
  DownloadExport: route({
    entry: 'functions/http/download-export.ts',
    description:
      'GET /requests/{requestId}/export: checks the emailed token, redirects to a short-lived URL; GET …/certificate: the certificate of erasure, for the browser that entered the code',
    access: [
      'ledger:read',
      'ledger:write',
      'secret:read',
      'exports:read',
      'certificates:read',
      'limits:write',
    ],
  }),
  CancelRequest: route({
    entry: 'functions/http/cancel-request.ts',
    description:
      'GET/POST /requests/{requestId}/cancel: the cancel page, and cancelling a delete in its grace period',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'limits:write'],
  }),
  Unsubscribe: route({
    entry: 'functions/http/unsubscribe.ts',
    description:
      'GET/POST /unsubscribe: the confirmation page, and a one-click opt-out (RFC 8058) for a signed token',
    access: [
      'ledger:read',
      'ledger:write',
      'secret:read',
      'workflow:start',
      'limits:write',
      'suppression:write',
    ],
  }),
  ProcessorCallback: route({
    entry: 'functions/http/processor-callback.ts',
    description:
      "POST /processors/{processorId}/callback: a partner's signed acknowledgement, recorded as evidence; resumes the workflow",
    access: PROCESSOR_ACK_ACCESS,
  }),
  Pages: route({
    entry: 'functions/http/pages.ts',
    description: 'GET /, the stylesheet, the code page, the verification confirmation page and /health',
    access: [],
  }),
} as const satisfies Record<string, RouteEntry>;

const JOB_ENTRIES = {
  RetentionSweep: {
    kind: 'job',
    entry: 'functions/jobs/retention-sweep.ts',
    handler: 'handler',
    description: 'Erases records kept for a legal retention period once that period has ended',
    access: [...ERASURE_ACCESS, 'audit:write'],
    timeoutSeconds: 900,
    memoryMb: 1024,
    schedule: 'rate(1 day)',
  },
  // audit (owner: audit)
  AuditChainHeads: {
    kind: 'job',
    entry: 'functions/jobs/audit-chain-heads.ts',
    handler: 'handler',
    description:
      "Writes each request's audit chain head to the Object Lock audit bucket, so truncation is detectable",
    access: ['audit:heads'],
    timeoutSeconds: 300,
    memoryMb: 256,
    schedule: 'rate(1 day)',
  },
  // ---- deadline watch (owner: clock)
  DeadlineWatch: {
    kind: 'job',
    entry: 'functions/jobs/deadline-watch.ts',
    handler: 'handler',
    description:
      'Counts open requests due within 24 hours and overdue ones (metrics, SLA alarm) and emails support once per change',
    access: ['ledger:read', 'ledger:write', 'mail:send', 'mail:support'],
    timeoutSeconds: 120,
    memoryMb: 256,
    schedule: 'rate(15 minutes)',
  },
} as const satisfies Record<string, JobEntry>;

const ACTION_ENTRIES = {
  SupportAction: {
    kind: 'action',
    entry: 'functions/support/support-action.ts',
    handler: 'handler',
    description:
      'Support actions from the console (SSM Automation): list, show, retry, complete, fail, extend, cancel, lift',
    access: [
      'ledger:read',
      'ledger:write',
      'mail:send',
      'workflow:callback',
      'workflow:start',
      'suppression:write',
      'audit:append',
      'automation:caller',
    ],
    timeoutSeconds: 60,
    memoryMb: 256,
  },
} as const satisfies Record<string, ActionEntry>;

const EVENT_ENTRIES = {
  MailFeedback: {
    kind: 'event',
    entry: 'functions/events/mail-feedback.ts',
    handler: 'handler',
    description:
      'Logs SES bounces and complaints by request id; a bounced verification email ends its request expired',
    access: ['ledger:read', 'workflow:callback'],
    timeoutSeconds: 30,
    memoryMb: 256,
    events: 'mail-feedback',
  },
} as const satisfies Record<string, EventEntry>;

/** The parameters a support document may take; each is typed and validated by SSM before anything runs. */
export type SupportParameter = 'RequestId' | 'Reason' | 'Status' | 'DueWithinHours';

/** One SSM Automation document per support action, all invoking {@link ACTION_ENTRIES}.SupportAction. */
export interface SupportDocument {
  readonly name: `DSR-${string}`;
  readonly action: 'list' | 'show' | 'retry' | 'complete' | 'fail' | 'extend' | 'cancel' | 'lift';
  readonly description: string;
  readonly parameters: readonly SupportParameter[];
}

const ACT: readonly SupportParameter[] = ['RequestId', 'Reason'];
export const SUPPORT_DOCUMENTS: readonly SupportDocument[] = [
  {
    name: 'DSR-ListRequests',
    action: 'list',
    description: 'Open requests, earliest due first; filter by status and by due within N hours',
    parameters: ['Status', 'DueWithinHours'],
  },
  {
    name: 'DSR-ShowRequest',
    action: 'show',
    description: "One request: status, stores, clocks ('due in N hours') and history",
    parameters: ['RequestId'],
  },
  {
    name: 'DSR-RetryFailedStores',
    action: 'retry',
    description: 'Runs only the failed stores of a needs_attention request again',
    parameters: ACT,
  },
  {
    name: 'DSR-CompleteWithExceptions',
    action: 'complete',
    description:
      'Finishes a needs_attention request without its failed stores; the person is told what and why',
    parameters: ACT,
  },
  {
    name: 'DSR-FailRequest',
    action: 'fail',
    description: 'Fails a needs_attention request; the person is told why and how to ask again',
    parameters: ACT,
  },
  {
    name: 'DSR-ExtendDeadline',
    action: 'extend',
    description:
      "Extends an EU or US-CA request's deadline once, within the law's limits; the person is told the new date and why",
    parameters: ACT,
  },
  {
    name: 'DSR-CancelRequest',
    action: 'cancel',
    description: 'Cancels a delete in its grace period, or a request that needs attention',
    parameters: ACT,
  },
  {
    name: 'DSR-LiftRestriction',
    action: 'lift',
    description:
      'Lifts the restriction a completed restrict request recorded (RequestId), for a person who asked another way; they are told',
    parameters: ACT,
  },
];

/** Every deployable entry, by name (the CDK's `<Name>Function`): tasks, routes, jobs, support actions, then events. */
export const DEPLOYMENT = {
  ...TASK_ENTRIES,
  ...ROUTE_ENTRIES,
  ...JOB_ENTRIES,
  ...ACTION_ENTRIES,
  ...EVENT_ENTRIES,
} as const;
export type EntryName = keyof typeof DEPLOYMENT;

/** The workflow's Task functions. */
export const TASKS: Readonly<Record<TaskName, TaskEntry>> = TASK_ENTRIES;
export type TaskName = keyof typeof TASK_ENTRIES;
/** The API's functions; {@link ROUTES} says which paths each serves. */
export const HTTP_FUNCTIONS: Readonly<Record<HttpFunctionName, RouteEntry>> = ROUTE_ENTRIES;
export type HttpFunctionName = keyof typeof ROUTE_ENTRIES;
/** The scheduled jobs. */
export const JOBS: Readonly<Record<JobName, JobEntry>> = JOB_ENTRIES;
export type JobName = keyof typeof JOB_ENTRIES;
/** The support action functions. */
export const ACTIONS: Readonly<Record<ActionName, ActionEntry>> = ACTION_ENTRIES;
export type ActionName = keyof typeof ACTION_ENTRIES;
/** The functions EventBridge invokes on AWS events. */
export const EVENTS: Readonly<Record<EventName, EventEntry>> = EVENT_ENTRIES;
export type EventName = keyof typeof EVENT_ENTRIES;

export interface Route {
  readonly method: 'GET' | 'POST';
  /** API Gateway path syntax: `{name}` for a path parameter. */
  readonly path: string;
  /** Function that serves the route; several routes may share one. */
  readonly functionName: HttpFunctionName;
}

/** The API's routes, in the order API Gateway gets them (its deployment id hashes this order). */
export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/', functionName: 'Pages' },
  { method: 'GET', path: '/health', functionName: 'Pages' },
  { method: 'GET', path: '/assets/site.css', functionName: 'Pages' },
  { method: 'POST', path: '/requests', functionName: 'SubmitRequest' },
  { method: 'GET', path: '/requests/{requestId}', functionName: 'GetRequestStatus' },
  { method: 'GET', path: '/requests/{requestId}/status', functionName: 'GetRequestStatus' },
  { method: 'GET', path: '/requests/{requestId}/code', functionName: 'Pages' },
  { method: 'GET', path: '/requests/{requestId}/verify', functionName: 'Pages' },
  { method: 'POST', path: '/requests/{requestId}/verify', functionName: 'VerifyRequest' },
  { method: 'POST', path: '/requests/{requestId}/resend', functionName: 'ResendVerification' },
  { method: 'GET', path: '/requests/{requestId}/export', functionName: 'DownloadExport' },
  { method: 'GET', path: '/requests/{requestId}/certificate', functionName: 'DownloadExport' },
  { method: 'GET', path: '/requests/{requestId}/cancel', functionName: 'CancelRequest' },
  { method: 'POST', path: '/requests/{requestId}/cancel', functionName: 'CancelRequest' },
  { method: 'GET', path: '/unsubscribe', functionName: 'Unsubscribe' },
  { method: 'POST', path: '/unsubscribe', functionName: 'Unsubscribe' },
  { method: 'POST', path: '/processors/{processorId}/callback', functionName: 'ProcessorCallback' },
];

/** The application's rate limits a deployment may set (`infra/app.ts` context keys of the same name). */
export const RATE_LIMIT_SETTINGS = [
  'limitSubmitPerIp',
  'limitSubmitIpWindowSeconds',
  'limitSubmitPerSubject',
  'limitSubmitSubjectWindowSeconds',
  'limitVerifyPerIp',
  'limitVerifyIpWindowSeconds',
  'limitVerifyPerSubject',
  'limitVerifySubjectWindowSeconds',
  'maxResends',
] as const satisfies readonly EnvKey[];
export type RateLimitSetting = (typeof RATE_LIMIT_SETTINGS)[number];

/** What every function is told, whatever its access. */
const COMMON_ENVIRONMENT: readonly EnvKey[] = [
  'ledgerTable',
  'exportBucket',
  'stateMachineArn',
  'mailFrom',
  'publicUrl',
  'secretArn',
  // Every function, not only the scheduler: one value, so nothing can disagree about the grace period.
  'deleteGraceSeconds',
  'storeBindings',
  // Clocks (owner: clock): every function, so nothing can disagree about a deadline.
  'deadlineMarginSeconds',
  'holidays',
  'clockStartAtVerification',
];
/** A function learns where the audit bucket, guard tables and contact list are only if it may use them. */
const ENVIRONMENT_BY_ACCESS: Partial<Record<Access, readonly EnvKey[]>> = {
  'audit:write': ['auditBucket'],
  'certificates:read': ['auditBucket'],
  'limits:write': ['rateLimitTable', ...RATE_LIMIT_SETTINGS],
  'idempotency:write': ['idempotencyTable'],
  'suppression:write': ['suppressionTable'],
  // Every send names the configuration set, so SES publishes its bounces and complaints.
  'mail:send': ['sesConfigurationSet'],
  'contacts:write': ['sesContactList', 'sesContactTopics'],
  'mail:support': ['supportEmail'],
  // audit (owner: audit)
  'audit:append': ['auditTable'],
  'audit:heads': ['auditTable', 'auditBucket'],
  // Local only: the actor comes from the CLI; in AWS it is never set, so the SSM execution names the actor.
  'automation:caller': ['supportActorFromInput'],
};

/** The environment names an entry reads, in a stable order (common ones first). */
export function environmentOf(entry: Pick<DeploymentEntry, 'access'>): EnvName[] {
  const keys = [...COMMON_ENVIRONMENT];
  for (const access of Object.keys(ENVIRONMENT_BY_ACCESS) as Access[]) {
    if (entry.access.includes(access)) keys.push(...(ENVIRONMENT_BY_ACCESS[access] ?? []));
  }
  return keys.map((key) => ENV[key]);
}

/**
 * An entry's environment from the deployment's values: every name it reads
 * that has a value (unset ones keep the functions' defaults).
 */
export function bindEnvironment(
  entry: Pick<DeploymentEntry, 'access'>,
  values: Readonly<Partial<Record<EnvKey, string>>>,
): Record<string, string> {
  const byName = new Map((Object.keys(values) as EnvKey[]).map((key) => [ENV[key] as string, values[key]]));
  return Object.fromEntries(
    environmentOf(entry).flatMap((name) => {
      const value = byName.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

/** The environment of one process running every entry (the local runtime): the union of theirs. */
export function deploymentEnvironment(
  values: Readonly<Partial<Record<EnvKey, string>>>,
): Record<string, string> {
  return Object.assign({}, ...Object.values(DEPLOYMENT).map((entry) => bindEnvironment(entry, values)));
}
