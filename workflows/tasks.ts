/**
 * The registry of the workflow's Lambda tasks: one entry per function that
 * `dsr.asl.json` references as `${<Name>FunctionArn}`. The CDK builds one
 * function per entry (and grants exactly `access`); the local runtime binds
 * every Task state whose FunctionName names an entry to that same handler.
 * A test fails if a Task state names no entry or an entry is never named.
 */
import path from 'node:path';

/** What a task function may touch; the CDK turns each into the narrowest grant. */
export type TaskAccess =
  | 'ledger:read'
  | 'ledger:write'
  | 'secret:read'
  | 'mail:send'
  | 'exports:read'
  | 'exports:write'
  | 'stores:read'
  /** Delete, update and rewrite the subject's records in the data map's stores (erasure). */
  | 'stores:write'
  /** Write-once certificates of erasure in the audit bucket. */
  | 'audit:write'
  /** DynamoDB `UpdateItem` only, on the stores that declare `marketingConsentFields` (opt-out). */
  | 'stores:consent'
  /** The suppression table: PutItem, UpdateItem, GetItem. */
  | 'suppression:write'
  /** SES v2 CreateContact/UpdateContact on the configured contact list (`DSR_SES_CONTACT_LIST`). */
  | 'contacts:write'
  /** Secrets Manager GetSecretValue on the data map's processor secrets (processors' HMAC keys), by name. */
  | 'processors:secret'
  /** SendTaskSuccess/SendTaskFailure on the state machine (a task that completes its own wait). */
  | 'workflow:callback';

export interface TaskEntry {
  /** Source file of the handler, relative to the repository root. */
  readonly entry: string;
  /** Exported handler function name. */
  readonly handler: 'handler';
  readonly description: string;
  readonly access: readonly TaskAccess[];
  /** Lambda timeout; Step Functions retries on top of this. */
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

export const TASKS = {
  ValidateRequest: {
    entry: 'functions/tasks/validate-request.ts',
    handler: 'handler',
    description: 'Checks the ledger entry behind a new execution',
    access: ['ledger:read'],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  RequestVerification: {
    entry: 'functions/tasks/request-verification.ts',
    handler: 'handler',
    description: 'Emails the one-time code and link, stores their hashes and the task token',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'mail:send'],
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  PlanStores: {
    entry: 'functions/tasks/plan-stores.ts',
    handler: 'handler',
    description: "Resolves the subject's identities and plans the stores to visit",
    access: ['ledger:read', 'ledger:write', 'stores:read'],
    timeoutSeconds: 60,
    memoryMb: 512,
  },
  ExportStore: {
    entry: 'functions/tasks/export-store.ts',
    handler: 'handler',
    description: "Streams one store's records for the subject into the exports bucket",
    access: ['ledger:read', 'ledger:write', 'stores:read', 'exports:write'],
    timeoutSeconds: 900,
    memoryMb: 512,
  },
  PackageExport: {
    entry: 'functions/tasks/package-export.ts',
    handler: 'handler',
    description: 'Streams the per-store files into one zip with a manifest and index',
    access: ['ledger:read', 'exports:read', 'exports:write'],
    timeoutSeconds: 900,
    memoryMb: 1024,
  },
  SendExportLink: {
    entry: 'functions/tasks/send-export-link.ts',
    handler: 'handler',
    description: 'Mints an expiring download token and emails the link',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'mail:send'],
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  ScheduleErasure: {
    entry: 'functions/tasks/schedule-erasure.ts',
    handler: 'handler',
    description: 'Starts a verified delete grace period and emails the cancel link',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'mail:send'],
    timeoutSeconds: 15,
    memoryMb: 256,
  },
  EraseStore: {
    entry: 'functions/tasks/erase-store.ts',
    handler: 'handler',
    description: "Decides and carries out erasure of the subject's records in one store",
    access: [
      'ledger:read',
      'ledger:write',
      'secret:read',
      'stores:read',
      'stores:write',
      'exports:read',
      'exports:write',
    ],
    timeoutSeconds: 900,
    memoryMb: 1024,
  },
  VerifyStoreErasure: {
    entry: 'functions/tasks/verify-store-erasure.ts',
    handler: 'handler',
    description: 'Runs the store lookup again and fails unless only retained or masked records remain',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'stores:read', 'exports:read'],
    timeoutSeconds: 900,
    memoryMb: 1024,
  },
  IssueCertificate: {
    entry: 'functions/tasks/issue-certificate.ts',
    handler: 'handler',
    description: 'Writes the certificate of erasure to the audit bucket and emails the summary',
    access: ['ledger:read', 'ledger:write', 'exports:read', 'audit:write', 'mail:send'],
    timeoutSeconds: 60,
    memoryMb: 512,
  },
  OptOutStore: {
    entry: 'functions/tasks/opt-out-store.ts',
    handler: 'handler',
    description: "Turns marketing consent off on the subject's records in one store",
    access: ['ledger:read', 'ledger:write', 'stores:read', 'stores:consent'],
    timeoutSeconds: 900,
    memoryMb: 512,
  },
  RecordSuppression: {
    entry: 'functions/tasks/record-suppression.ts',
    handler: 'handler',
    description:
      'Adds the subject to the suppression list and contact list opt-outs, and emails the confirmation',
    access: ['ledger:read', 'suppression:write', 'contacts:write', 'mail:send'],
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  NotifyProcessor: {
    entry: 'functions/tasks/notify-processor.ts',
    handler: 'handler',
    description:
      'Sends a processor (partner) a signed request with retries, records every attempt, and resumes the workflow on its acknowledgement',
    access: ['ledger:read', 'ledger:write', 'processors:secret', 'workflow:callback', 'exports:write'],
    timeoutSeconds: 300,
    memoryMb: 512,
  },
  EscalateProcessor: {
    entry: 'functions/tasks/escalate-processor.ts',
    handler: 'handler',
    description:
      'Records that a processor did not acknowledge in time (or refused) and tells support; the request goes on',
    access: ['ledger:read', 'ledger:write', 'mail:send'],
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  RecordOutcome: {
    entry: 'functions/tasks/record-outcome.ts',
    handler: 'handler',
    description: 'Records the final status in the ledger and drops contact data from finished requests',
    access: ['ledger:read', 'ledger:write'],
    timeoutSeconds: 10,
    memoryMb: 256,
  },
} as const satisfies Record<string, TaskEntry>;

export type TaskName = keyof typeof TASKS;

/** The ASL placeholder for a task function's ARN. */
export const functionArnVariable = (name: TaskName): string => `${name}FunctionArn`;

export const WORKFLOW_DEFINITION_FILE = path.join(__dirname, 'dsr.asl.json');

/** Task names a FunctionName like `${PlanStoresFunctionArn}` refers to, or undefined. */
export function taskNameOf(functionName: unknown): string | undefined {
  if (typeof functionName !== 'string') return undefined;
  const match = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(functionName);
  return match?.[1];
}
