/**
 * The deadline job (every 15 minutes in AWS, a timer in `npm start`): counts
 * open requests due within 24 hours and overdue ones as metrics (the SLA alarm
 * reads `OverdueRequests`), and emails support once per change of a request's
 * deadline state.
 */
import type { DeadlineNotice } from '../clocks';
import type { DeadlineLedger, Log, Mailer, Metrics } from '../ports';
import { deadlineMail } from './deadline-mail';
import { type DueRequest, dueRequests } from './due';

export interface DeadlineWatchPorts {
  readonly ledger: DeadlineLedger;
  readonly mailer: Mailer;
  readonly metrics: Metrics;
  readonly log: Log;
  /** Where support is emailed; unset = metrics, alarm and log lines only. */
  readonly supportEmail?: string;
}

export interface DeadlineWatchReport {
  readonly at: string;
  readonly dueSoon: readonly string[];
  readonly overdue: readonly string[];
  /** Requests support was emailed about in this run (a change of state since the last notice). */
  readonly notified: readonly string[];
  /** Requests whose notice could not be emailed (retried next run). */
  readonly failed: readonly string[];
}

/** Tells support about `due` once for its current state; true when an email went out. */
async function noticeOnce(ports: DeadlineWatchPorts, due: DueRequest, now: Date): Promise<boolean> {
  if (!ports.supportEmail) return false;
  const notice: DeadlineNotice = {
    state: due.standing.state === 'overdue' ? 'overdue' : 'due_soon',
    at: now.toISOString(),
  };
  // Claim first, so two overlapping runs never both email; an email that fails gives the claim back.
  if (!(await ports.ledger.claimDeadlineNotice(due.requestId, notice))) return false;
  try {
    await ports.mailer.send({ to: ports.supportEmail, ...deadlineMail(due) });
  } catch (error) {
    await ports.ledger.releaseDeadlineNotice(due.requestId, notice);
    throw error;
  }
  return true;
}

/** One run of the deadline watch at `now`. */
export async function watchDeadlines(ports: DeadlineWatchPorts, now: Date): Promise<DeadlineWatchReport> {
  const { dueSoon, overdue, finished } = await dueRequests(ports, now);
  for (const requestId of finished) await ports.ledger.closeClocks(requestId, now);
  ports.metrics.count({ DueSoonRequests: dueSoon.length, OverdueRequests: overdue.length });
  const notified: string[] = [];
  const failed: string[] = [];
  for (const due of [...overdue, ...dueSoon]) {
    try {
      if (await noticeOnce(ports, due, now)) notified.push(due.requestId);
    } catch (error) {
      failed.push(due.requestId);
      ports.log.error('deadline notice not sent', {
        requestId: due.requestId,
        errorName: (error as Error).name,
      });
    }
  }
  if (overdue.length > 0) {
    ports.log.warn('requests overdue', { overdue: overdue.map((d) => d.requestId) });
  }
  if (!ports.supportEmail && notified.length === 0 && dueSoon.length + overdue.length > 0) {
    ports.log.warn('no support email configured: deadline notices go to metrics and logs only');
  }
  return {
    at: now.toISOString(),
    dueSoon: dueSoon.map((d) => d.requestId),
    overdue: overdue.map((d) => d.requestId),
    notified,
    failed,
  };
}
