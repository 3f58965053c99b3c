/** Planning a verified request: which stores and processors it visits, for which identities of the subject. */
import { auditPlanned, auditVerified } from '../audit/events';
import { boundedWaitSeconds, DEFAULT_DEADLINE_MARGIN_SECONDS } from '../clocks';
import { type DataMap, type IdentityKind, isDataStore, isProcessor, type StoreConfig } from '../data-map';
import { contactOf, StatusConflictError } from '../ledger-record';
import { InvalidTransitionError } from '../lifecycle';
import type { AuditTrail, Clock, Log, RequestLedger, RetentionLedger, SubjectResolver } from '../ports';
import type { RequestType } from '../request';
import { type ClockStartPorts, startClockAtVerification } from './clock-start';

type Identities = Partial<Record<IdentityKind, readonly string[]>>;

/** The subject cancelled the delete during its grace period: nothing is erased (the ASL catches this name). */
export class RequestCancelledError extends Error {
  override readonly name = 'RequestCancelled';
  constructor(readonly requestId: string) {
    super(`request ${requestId} was cancelled during its grace period`);
  }
}

/** One Map iteration: which store, its kind and, for a processor, its deadline. */
export interface PlannedStore {
  readonly storeId: string;
  readonly kind: StoreConfig['kind'];
  /** The processor's `acknowledgeWithinSeconds` (the processor Task state's timeout); 0 for data stores. */
  readonly ackSeconds: number;
}

/** What a request visits, by kind: the workflow runs one Map over each (data stores first). */
export interface StorePlan {
  readonly dataStores: readonly PlannedStore[];
  readonly processors: readonly PlannedStore[];
}

export interface PlanPorts {
  readonly ledger: RequestLedger & Pick<RetentionLedger, 'retainedIdentities'>;
  readonly subjects: SubjectResolver;
  readonly log: Log;
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
  /** Seconds before the request's due time by which every wait must end (default 6 h). */
  readonly deadlineMarginSeconds?: number;
  readonly clock?: Clock;
  /** Starting the respond clock at verification, where the deployment chose it. */
  readonly clockStart?: ClockStartPorts;
}

function mergeIdentities(a: Identities, b: Identities): Identities {
  const kinds = new Set([...Object.keys(a), ...Object.keys(b)] as IdentityKind[]);
  return Object.fromEntries(
    [...kinds].map((kind) => [kind, [...new Set([...(a[kind] ?? []), ...(b[kind] ?? [])])]]),
  );
}

/**
 * The stores a request of `type` visits: every data store, and every
 * processor that declares it handles that type (access only if it says so).
 */
export function plannedStores(dataMap: DataMap, type: RequestType): StorePlan {
  return {
    dataStores: dataMap.stores
      .filter(isDataStore)
      .map((store) => ({ storeId: store.id, kind: store.kind, ackSeconds: 0 })),
    processors: dataMap.stores
      .filter(isProcessor)
      .filter((store) => store.requestTypes.includes(type))
      .map((store) => ({ storeId: store.id, kind: store.kind, ackSeconds: store.acknowledgeWithinSeconds })),
  };
}

/** A cancel that won the race against `start` (the conditional write, or the re-read before it). */
const lostToCancel = (error: unknown) =>
  (error instanceof StatusConflictError && error.current === 'cancelled') ||
  (error instanceof InvalidTransitionError && error.from === 'cancelled');

/**
 * Moves the request to in_progress (from verified, or from scheduled once a
 * delete's grace period is over), resolves the subject's identities, adds the
 * pseudonymous ones earlier erasures kept with retained records, and plans
 * every data store and the processors that handle the request's type. A
 * cancelled delete throws `RequestCancelled`. Idempotent: a retry carries on.
 */
export async function planStores(ports: PlanPorts, dataMap: DataMap, requestId: string): Promise<StorePlan> {
  const { ledger } = ports;
  const read = await ledger.require(requestId);
  if (read.status === 'cancelled') throw new RequestCancelledError(requestId);
  if (read.status === 'pending_verification') {
    // The workflow only resumes when the verify endpoint completed the task token; its own ledger
    // write (made after resuming) may not have landed yet, or may have been lost.
    await ledger.advance(requestId, 'verify', { note: 'recorded by the workflow' });
  }
  // Before any wait is bounded by the due time: where chosen, the clock starts at verification.
  const verified = read.status === 'pending_verification' ? await ledger.require(requestId) : read;
  const record = await startClockAtVerification(ports.clockStart, verified, ports.clock?.() ?? new Date());
  await auditVerified(ports.auditTrail, record);
  // A cancel that lands first wins the conditional write: nothing is erased.
  await ledger.advance(requestId, 'start').catch((error: unknown) => {
    throw lostToCancel(error) ? new RequestCancelledError(requestId) : error;
  });
  const subject = await ports.subjects.resolve(contactOf(record).email);
  const identities = mergeIdentities(subject.identities, await ledger.retainedIdentities(record.subjectHash));
  const { dataStores, processors: wanted } = plannedStores(dataMap, record.type);
  // Nothing waits past the deadline: a processor's acknowledgement wait ends the margin before the due time.
  const now = ports.clock?.() ?? new Date();
  const marginSeconds = ports.deadlineMarginSeconds ?? DEFAULT_DEADLINE_MARGIN_SECONDS;
  const processors = record.clocks
    ? wanted.map((s) => ({
        ...s,
        ackSeconds: boundedWaitSeconds({ wanted: s.ackSeconds, dueAt: record.dueAt, now, marginSeconds }),
      }))
    : wanted;
  const storeIds = [...dataStores, ...processors].map((s) => s.storeId);
  await ledger.setPlan(requestId, identities, storeIds);
  await auditPlanned(ports.auditTrail, requestId, storeIds);
  ports.log.info('stores planned', {
    requestId,
    stores: storeIds.length,
    processors: processors.length,
  });
  return { dataStores, processors };
}
