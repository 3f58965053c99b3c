/**
 * Where the deployment chose it and the law allows it (core/clocks.ts
 * START_AT_VERIFICATION), the respond clock starts again when the person is
 * verified. Called by the workflow's first step after verification, before any
 * wait is bounded by the due time; a retry changes nothing.
 */
import { type ClockCalendar, respondClockFromVerification } from '../clocks';
import type { LedgerRecord } from '../ledger-record';
import type { DeadlineLedger, Log } from '../ports';
import type { Jurisdiction } from '../request';

export interface ClockStartPorts {
  readonly ledger: Pick<DeadlineLedger, 'restartRespondClock'>;
  readonly startAtVerification: ReadonlySet<Jurisdiction>;
  readonly calendar?: ClockCalendar;
  readonly log: Log;
}

/** The entry as it now stands: with the restarted clock and due time, or as it was. */
export async function startClockAtVerification(
  ports: ClockStartPorts | undefined,
  record: LedgerRecord,
  now: Date,
): Promise<LedgerRecord> {
  if (!ports || ports.startAtVerification.size === 0 || !record.clocks) return record;
  const verifiedAt = record.history.find((h) => h.status === 'verified')?.at;
  const respond = respondClockFromVerification(
    record,
    verifiedAt ? new Date(verifiedAt) : now,
    ports.startAtVerification,
    ports.calendar,
  );
  if (!respond) return record;
  if (!(await ports.ledger.restartRespondClock(record.requestId, respond, record.receivedAt, now)))
    return record;
  ports.log.info('respond clock started at verification', {
    requestId: record.requestId,
    dueAt: respond.dueAt,
  });
  return { ...record, dueAt: respond.dueAt, clocks: { ...record.clocks, respond } };
}
