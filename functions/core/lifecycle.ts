/** Request statuses, as support staff see them in the ledger. */
export const REQUEST_STATUSES = [
  'pending_verification',
  'verified',
  /** A verified delete waiting out its grace period; the subject can still cancel. */
  'scheduled',
  'in_progress',
  /** A store or processor failed for good; the others finished. Support decides: retry, complete with exceptions, or fail. */
  'needs_attention',
  'completed',
  'failed',
  'expired',
  'rejected',
  /** The subject cancelled a delete during its grace period; nothing was erased. */
  'cancelled',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export type LifecycleEvent =
  | 'verify'
  | 'schedule'
  | 'cancel'
  | 'start'
  | 'complete'
  | 'fail'
  | 'expire'
  | 'reject'
  /** Support is asked to decide about stores that failed for good. */
  | 'attention'
  /** Support: run the failed stores again. */
  | 'retry'
  /** Support: finish without the failed stores (the person is told what could not be done). */
  | 'except';

/** status -> event -> next status. Anything not listed is an invalid transition. */
const TRANSITIONS: Record<RequestStatus, Partial<Record<LifecycleEvent, RequestStatus>>> = {
  pending_verification: { verify: 'verified', expire: 'expired', reject: 'rejected', fail: 'failed' },
  verified: { start: 'in_progress', schedule: 'scheduled', fail: 'failed' },
  scheduled: { start: 'in_progress', cancel: 'cancelled', fail: 'failed' },
  in_progress: { complete: 'completed', fail: 'failed', attention: 'needs_attention' },
  needs_attention: { retry: 'in_progress', except: 'in_progress', fail: 'failed', cancel: 'cancelled' },
  completed: {},
  failed: {},
  expired: {},
  rejected: {},
  cancelled: {},
};

export const TERMINAL_STATUSES: ReadonlySet<RequestStatus> = new Set(
  REQUEST_STATUSES.filter((s) => Object.keys(TRANSITIONS[s]).length === 0),
);

export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly from: RequestStatus,
    readonly event: LifecycleEvent,
  ) {
    super(`a request that is ${from} cannot ${event}`);
  }
}

/** Next status for `event`, or throws `InvalidTransitionError`. */
export function advance(from: RequestStatus, event: LifecycleEvent): RequestStatus {
  const next = TRANSITIONS[from][event];
  if (!next) throw new InvalidTransitionError(from, event);
  return next;
}

/** Statuses from which `event` is allowed: used as a condition on ledger writes. */
export function statusesAllowing(event: LifecycleEvent): RequestStatus[] {
  return REQUEST_STATUSES.filter((s) => TRANSITIONS[s][event] !== undefined);
}

/** The status `event` leads to, whatever it starts from: each event has one destination. */
export function statusAfter(event: LifecycleEvent): RequestStatus {
  for (const status of REQUEST_STATUSES) {
    const next = TRANSITIONS[status][event];
    if (next) return next;
  }
  throw new Error(`no transition leads anywhere by ${event}`);
}
