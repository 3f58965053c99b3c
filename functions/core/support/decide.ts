/**
 * Support's decision about a request that needs attention: retry the failed
 * stores, complete with exceptions, fail, or cancel. The ledger records the
 * decision (actor, reason) first, the person is told, then the waiting
 * workflow resumes. Running it again after a crash only resumes the workflow.
 */

import { auditSupportAction } from '../audit/events';
import type { DataMap } from '../data-map';
import type { LedgerRecord, SupportDecision } from '../ledger-record';
import type {
  AttentionLedger,
  AuditTrail,
  Clock,
  Log,
  Mailer,
  RequestLedger,
  WorkflowControl,
} from '../ports';
import { isGoneTask } from '../workflow-task';
import { completedWithExceptionsMail, type PersonReason, requestFailedMail } from './person-mails';
import { SupportRefusal } from './refusal';

export type DecisionAction = SupportDecision['action'];

export interface DecidePorts {
  readonly ledger: Pick<RequestLedger, 'get' | 'transition'> & AttentionLedger;
  readonly workflow: Pick<WorkflowControl, 'succeed'>;
  readonly mailer: Mailer;
  readonly dataMap: DataMap;
  readonly publicUrl: string;
  readonly log: Log;
  readonly clock: Clock;
  readonly audit?: AuditTrail;
}

export interface DecideInput {
  readonly requestId: string;
  readonly action: DecisionAction;
  readonly reason: string;
  readonly actor: string;
  /** What the person reads as the reason, when it is not `reason` itself (the deadline's own words). */
  readonly personReason?: PersonReason;
}

export interface DecideResult {
  readonly requestId: string;
  readonly action: DecisionAction;
  readonly status: string;
  /** Whether the person was emailed (complete, fail); false when the email failed (support follows up). */
  readonly personNotified?: boolean;
}

const EVENT = { retry: 'retry', complete: 'except', fail: 'fail', cancel: 'cancel' } as const;
const STATUS_AFTER = {
  retry: 'in_progress',
  complete: 'in_progress',
  fail: 'failed',
  cancel: 'cancelled',
} as const;

/** The request, or the refusal naming the unknown id. */
export async function requireRequest(
  ledger: Pick<RequestLedger, 'get'>,
  requestId: string,
): Promise<LedgerRecord> {
  const record = await ledger.get(requestId);
  if (!record) throw new SupportRefusal('unknown_request', `no request ${requestId}`);
  return record;
}

/** A reason is required; blank ones are refused. */
export function requireReason(reason: string | undefined): string {
  const trimmed = (reason ?? '').trim();
  if (!trimmed) throw new SupportRefusal('missing_reason', 'a reason is required (--reason TEXT)');
  if (trimmed.length > 500)
    throw new SupportRefusal('invalid_input', 'the reason is longer than 500 characters');
  return trimmed;
}

async function resume(ports: DecidePorts, record: LedgerRecord, action: DecisionAction): Promise<void> {
  const token = record.attention?.taskToken;
  if (!token) return;
  try {
    await ports.workflow.succeed(token, { action });
  } catch (error) {
    if (!isGoneTask(error)) throw error;
    ports.log.warn('support decision found no waiting workflow', { requestId: record.requestId, action });
  }
}

async function tellPerson(ports: DecidePorts, record: LedgerRecord, input: DecideInput): Promise<boolean> {
  if (!record.contact) return false;
  const request = {
    requestId: record.requestId,
    type: record.type,
    locale: record.locale,
    publicUrl: ports.publicUrl,
  };
  const stores = (record.attention?.failedStores ?? []).map((s) => ({
    storeId: s.storeId,
    description: ports.dataMap.stores.find((d) => d.id === s.storeId)?.description,
  }));
  const mail =
    input.action === 'complete'
      ? completedWithExceptionsMail(request, stores, input.personReason ?? input.reason)
      : requestFailedMail(request, input.reason);
  try {
    await ports.mailer.send({ to: record.contact.email, ...mail });
    return true;
  } catch (error) {
    ports.log.error('could not email the person about the support decision', {
      requestId: record.requestId,
      action: input.action,
      error: error instanceof Error ? error.name : 'unknown',
    });
    return false;
  }
}

const auditDecision = (ports: DecidePorts, requestId: string, decision: SupportDecision) =>
  auditSupportAction(ports.audit, requestId, {
    actionId: `${decision.action}:${decision.at}`,
    kind: 'support_action',
    name: decision.action,
    actor: decision.actor,
    reason: decision.reason,
    at: new Date(decision.at),
  });

/** Applies support's decision to a `needs_attention` request (or cancels a scheduled delete). */
export async function decide(ports: DecidePorts, input: DecideInput): Promise<DecideResult> {
  const reason = requireReason(input.reason);
  const { requestId, action, actor } = input;
  const record = await requireRequest(ports.ledger, requestId);
  const decision: SupportDecision = { action, reason, actor, at: ports.clock().toISOString() };

  if (action === 'cancel' && record.status === 'scheduled') {
    // The delete's grace period: PlanErasure sees the cancel and nothing is erased.
    await ports.ledger.transition(requestId, 'cancel', { note: `cancelled by support (${actor})` });
    await auditDecision(ports, requestId, decision);
    ports.log.info('support action', { requestId, action, actor });
    return { requestId, action, status: 'cancelled' };
  }
  if (record.status !== 'needs_attention') {
    // A decision already recorded whose resume was lost: resume again, change nothing else.
    if (record.attention?.decision?.action === action && record.status === STATUS_AFTER[action]) {
      // The action id is the decision's time, so a lost audit line is written now and a present one is not repeated.
      await auditDecision(ports, requestId, record.attention.decision);
      await resume(ports, record, action);
      return { requestId, action, status: record.status };
    }
    const allowed =
      action === 'cancel'
        ? 'scheduled deletes and requests that need attention'
        : 'requests that need attention';
    throw new SupportRefusal(
      'not_allowed',
      `request ${requestId} is ${record.status}; ${action} is only for ${allowed}`,
    );
  }

  const extra =
    action === 'complete'
      ? { exceptions: { stores: record.attention?.failedStores ?? [], decision } }
      : action === 'fail'
        ? { failure: { error: 'FailedBySupport', cause: reason } }
        : {};
  await ports.ledger.decide(requestId, EVENT[action], decision, extra);
  await auditDecision(ports, requestId, decision);
  ports.log.info('support action', { requestId, action, actor });
  const personNotified =
    action === 'complete' || action === 'fail' ? await tellPerson(ports, record, input) : undefined;
  await resume(ports, record, action);
  return {
    requestId,
    action,
    status: STATUS_AFTER[action],
    ...(personNotified === undefined ? {} : { personNotified }),
  };
}
