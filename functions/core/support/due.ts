/**
 * Which open requests are due soon or overdue (support's `due` view and the
 * deadline job), from the ledger's open-by-due index.
 */
import { type DueStanding, dueStanding } from '../clocks';
import type { LedgerRecord } from '../ledger-record';
import { TERMINAL_STATUSES } from '../lifecycle';
import type { DeadlineLedger } from '../ports';

/** Requests due within this many hours count as "due soon". */
export const DUE_SOON_HOURS = 24;

/** One open request against its deadline: ids, dates and standing only, never contact data. */
export interface DueRequest {
  readonly requestId: string;
  readonly type: LedgerRecord['type'];
  readonly status: LedgerRecord['status'];
  readonly jurisdiction: LedgerRecord['jurisdiction'];
  readonly receivedAt: string;
  readonly dueAt: string;
  readonly standing: DueStanding;
}

export interface DueRequests {
  /** Open, due within `withinHours`, earliest first. */
  readonly dueSoon: readonly DueRequest[];
  /** Open and past their due time, most overdue first. */
  readonly overdue: readonly DueRequest[];
  /** Finished requests the index still listed (their clocks were never closed): the job closes them. */
  readonly finished: readonly string[];
}

export interface DuePorts {
  readonly ledger: Pick<DeadlineLedger, 'openByDue'>;
}

/** Open requests due within `withinHours` of `now` (default 24) and those already overdue. */
export async function dueRequests(
  ports: DuePorts,
  now: Date,
  withinHours: number = DUE_SOON_HOURS,
): Promise<DueRequests> {
  const until = new Date(now.getTime() + withinHours * 3600_000).toISOString();
  const dueSoon: DueRequest[] = [];
  const overdue: DueRequest[] = [];
  const finished: string[] = [];
  for (const record of await ports.ledger.openByDue(until)) {
    if (TERMINAL_STATUSES.has(record.status)) {
      finished.push(record.requestId);
      continue;
    }
    const standing = dueStanding(record.dueAt, now);
    const due: DueRequest = {
      requestId: record.requestId,
      type: record.type,
      status: record.status,
      jurisdiction: record.jurisdiction,
      receivedAt: record.receivedAt,
      dueAt: record.dueAt,
      standing,
    };
    (standing.state === 'overdue' ? overdue : dueSoon).push(due);
  }
  return { dueSoon, overdue, finished };
}

/**
 * A request's deadline as the status API and support views show it: for an
 * open request "due in N hours" or "overdue by N hours"; for each clock its
 * rule, start, due time, whether it was extended (and why) and when it was met.
 * Never who extended it.
 */
export function deadlineView(record: LedgerRecord, now: Date) {
  const open = !TERMINAL_STATUSES.has(record.status);
  return {
    ...(open ? { deadline: dueStanding(record.dueAt, now) } : {}),
    ...(record.clocks
      ? {
          clocks: Object.entries(record.clocks).map(([name, clock]) => ({
            name,
            rule: clock.rule,
            startedAt: clock.startedAt,
            dueAt: clock.dueAt,
            ...(clock.extensions?.[0]
              ? { extended: { fromDueAt: clock.extensions[0].fromDueAt, reason: clock.extensions[0].reason } }
              : {}),
            ...(clock.metAt ? { metAt: clock.metAt } : {}),
          })),
        }
      : {}),
  };
}
