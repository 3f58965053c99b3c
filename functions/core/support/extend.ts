/**
 * Support extends a request's deadline (DSR-ExtendDeadline): only where the
 * law allows it (EU +2 months, US-CA +45 days, once, before the deadline),
 * with a reason, recorded with who did it; the person is emailed the new due
 * date and the reason.
 */

import { auditSupportAction } from '../audit/events';
import { clocksFor, type DeadlineClock, ExtensionRefusedError, extendDeadline } from '../clocks';
import { contactOf, type LedgerRecord } from '../ledger-record';
import { TERMINAL_STATUSES } from '../lifecycle';
import type { AuditTrail, DeadlineLedger, Log, Mailer, RequestLedger } from '../ports';
import { deadlineExtendedMail } from './extension-mail';

export interface ExtendPorts {
  readonly ledger: Pick<RequestLedger, 'require'> & Pick<DeadlineLedger, 'extendRespondClock'>;
  readonly mailer: Mailer;
  readonly log: Log;
  readonly audit?: AuditTrail;
}

export interface ExtendInput {
  readonly requestId: string;
  readonly reason: string;
  /** Who extends it (IAM identity, `--actor` or the OS user). */
  readonly actor: string;
}

/** The request's respond clock; entries written before clocks existed get one from their `dueAt`. */
function respondClockOf(record: LedgerRecord): DeadlineClock {
  if (record.clocks?.respond) return record.clocks.respond;
  const rules = clocksFor(record.jurisdiction, record.type, new Date(record.receivedAt));
  return { ...rules.respond, dueAt: record.dueAt };
}

/**
 * Extends the request's deadline, or refuses with `ExtensionRefused` and the
 * law's reason (Indonesia, a CCPA opt-out, a second extension, a deadline
 * already passed, a finished request, no reason). Nothing changes on a refusal.
 */
export async function extendRequestDeadline(
  ports: ExtendPorts,
  input: ExtendInput,
  now: Date,
): Promise<{ requestId: string; fromDueAt: string; toDueAt: string }> {
  const record = await ports.ledger.require(input.requestId);
  if (TERMINAL_STATUSES.has(record.status)) {
    throw new ExtensionRefusedError(
      'request_finished',
      `request ${record.requestId} is ${record.status}: there is no deadline left to extend`,
    );
  }
  const current = respondClockOf(record);
  const extended = extendDeadline(record.jurisdiction, current, {
    now,
    reason: input.reason,
    actor: input.actor,
  });
  if (!(await ports.ledger.extendRespondClock(record.requestId, extended, now))) {
    throw new ExtensionRefusedError(
      'already_extended',
      `request ${record.requestId} was already extended or has finished; the law allows one extension`,
    );
  }
  await auditSupportAction(ports.audit, record.requestId, {
    actionId: `extend:${now.toISOString()}`,
    kind: 'deadline_extended',
    name: 'extend',
    actor: input.actor,
    reason: input.reason,
    at: now,
  });
  ports.log.info('deadline extended', { requestId: record.requestId, toDueAt: extended.dueAt });
  const mail = deadlineExtendedMail(record.locale, {
    requestId: record.requestId,
    dueAt: new Date(extended.dueAt),
    reason: input.reason.trim(),
  });
  await ports.mailer.send({ to: contactOf(record).email, ...mail });
  return { requestId: record.requestId, fromDueAt: current.dueAt, toDueAt: extended.dueAt };
}
