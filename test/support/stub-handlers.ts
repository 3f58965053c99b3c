import { ReviewInput, reviewStoreOutcomes } from '../../functions/core/support/review';
import type { TaskName } from '../../functions/deployment';
import type { TaskHandler, TaskHandlers } from '../../infra/local/workflow-runner';

export interface StubCall {
  readonly task: TaskName;
  readonly payload: unknown;
  /** Date.now() when the task was called. */
  readonly at: number;
}

/** What a stubbed EraseStore reports per store. */
export const STUB_ERASURE_COUNTS = { found: 3, deleted: 1, masked: 1, retained: 1, held: 0 } as const;

/** The caught error name → escalation reason, as the real EscalateProcessor maps it (unknown = unavailable). */
const ESCALATION_REASONS: Readonly<Record<string, string>> = {
  'States.Timeout': 'deadline_passed',
  ProcessorUnavailable: 'processor_unavailable',
  ProcessorRejected: 'processor_rejected',
  ProcessorResponseInvalid: 'invalid_response',
};

/**
 * Stub task handlers that record every call and answer like the real ones
 * (small values: store ids, keys, counts). Override any task per test.
 */
export function stubHandlers(
  overrides: Partial<Record<TaskName, TaskHandler>> = {},
  stores: readonly string[] = ['customers', 'orders', 'activity'],
): { handlers: TaskHandlers; calls: StubCall[]; callsOf(task: TaskName): unknown[] } {
  const calls: StubCall[] = [];
  const defaults: TaskHandlers = {
    // As the real task: the verification wait's bound (3 days) travels with the state.
    ValidateRequest: async (p) => ({ ...(p as object), verificationSeconds: 259200 }),
    RequestVerification: async () => ({ emailed: true }),
    PlanStores: async () => ({
      dataStores: stores.map((storeId) => ({ storeId, kind: 'dynamodb', ackSeconds: 0 })),
      processors: [],
    }),
    ExportStore: async (p) => {
      const { storeId } = p as { storeId: string };
      return { storeId, key: `work/${storeId}.json`, records: 2 };
    },
    PackageExport: async () => ({ key: 'exports/request.zip', records: stores.length * 2 }),
    SendExportLink: async () => ({ sent: true }),
    // No grace period unless a test asks for one.
    ScheduleErasure: async (p) => ({
      requestId: (p as { requestId: string }).requestId,
      graceSeconds: 0,
      graceEndsAt: new Date().toISOString(),
    }),
    EraseStore: async (p) => ({
      storeId: (p as { storeId: string }).storeId,
      counts: STUB_ERASURE_COUNTS,
      remaining: STUB_ERASURE_COUNTS.masked + STUB_ERASURE_COUNTS.retained,
      verified: true,
    }),
    IssueCertificate: async (p) => {
      const { requestId } = p as { requestId: string };
      return {
        jsonKey: `certificates/${requestId}/certificate.json`,
        htmlKey: `certificates/${requestId}/certificate.html`,
      };
    },
    OptOutStore: async (p) => ({ storeId: (p as { storeId: string }).storeId, updated: 1, skipped: false }),
    RecordSuppression: async () => ({ suppressed: true, contactList: false, stores: 1 }),
    SuppressSubject: async () => ({ suppressed: true, contactList: false }),
    RecordPreferences: async () => ({ recorded: true }),
    ChangeStore: async (p) => ({
      storeId: (p as { storeId: string }).storeId,
      updated: 1,
      kept: 0,
      skipped: false,
    }),
    ConfirmChange: async () => ({ stores: stores.length, kept: 0, mailed: true }),
    // A processor that accepted and will call back: tests complete (or let time out) the task token themselves.
    NotifyProcessor: async (p) => ({ storeId: (p as { storeId: string }).storeId, outcome: 'awaiting_ack' }),
    EscalateProcessor: async (p) => {
      const { storeId, error } = p as { storeId: string; error: { Error?: string } };
      return {
        storeId,
        escalated: true,
        reason: ESCALATION_REASONS[error.Error ?? ''] ?? 'processor_unavailable',
      };
    },
    RecordOutcome: async (p) => p,
    // The real ones: no I/O in them but the ledger write, which a stub does not need.
    RecordStoreFailure: async (p) => {
      const { storeId, kind, ackSeconds, error } = p as {
        storeId: string;
        kind: string;
        ackSeconds: number;
        error: { Error?: string };
      };
      return {
        storeId,
        kind,
        ackSeconds,
        failed: true,
        error: error.Error ?? 'UnknownError',
        reason: 'stubbed',
      };
    },
    // As the real task, with support's wait bounded to a week (tests shorten it with a timeout override).
    ReviewStoreOutcomes: async (p) => ({
      ...reviewStoreOutcomes(ReviewInput.parse(p)),
      decisionSeconds: 604800,
    }),
    // Support decides: tests complete the task token with { action } themselves.
    RequestSupportDecision: async (p) => ({
      requestId: (p as { requestId: string }).requestId,
      status: 'needs_attention',
    }),
    // The deadline decides when support did not: complete with exceptions.
    DecideAtDeadline: async () => ({ action: 'complete', decisionSeconds: 0 }),
  };
  const handlers = Object.fromEntries(
    (Object.keys(defaults) as TaskName[]).map((task) => {
      const impl = overrides[task] ?? defaults[task];
      const recorded: TaskHandler = async (payload, context) => {
        calls.push({ task, payload, at: Date.now() });
        return impl(payload, context);
      };
      return [task, recorded];
    }),
  ) as TaskHandlers;
  return { handlers, calls, callsOf: (task) => calls.filter((c) => c.task === task).map((c) => c.payload) };
}

/** Polls until `read` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  read: () => T | undefined,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
