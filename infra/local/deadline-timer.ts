/**
 * The deadline job inside `npm start`: AWS runs DeadlineWatch every 15 minutes
 * on EventBridge; locally a timer calls the same handler (loaded through the
 * registry, after the environment is set) on the same period.
 */

import type { DeadlineWatchReport } from '../../functions/core/support/deadline-watch';
import { JOBS } from '../../functions/deployment';
import { loadHandlers } from './handlers';

/** The job's period, from its registry schedule (`rate(15 minutes)`). */
export const DEADLINE_WATCH_PERIOD_MS = 15 * 60_000;

type Job = (event: unknown) => Promise<DeadlineWatchReport>;

/** Starts the timer (first run at once); returns a function that stops it. */
export async function startDeadlineTimer(
  log: (line: string) => void,
  periodMs: number = DEADLINE_WATCH_PERIOD_MS,
): Promise<() => void> {
  const { DeadlineWatch } = await loadHandlers<'DeadlineWatch', Job>({ DeadlineWatch: JOBS.DeadlineWatch });
  const run = () =>
    DeadlineWatch({ time: new Date().toISOString() }).then(
      (report) => {
        if (report.dueSoon.length + report.overdue.length > 0) {
          log(
            `deadline watch: ${report.overdue.length} overdue, ${report.dueSoon.length} due within 24 h, ${report.notified.length} notified`,
          );
        }
      },
      (error: unknown) =>
        log(`deadline watch failed: ${error instanceof Error ? error.name : String(error)}`),
    );
  void run();
  const timer = setInterval(run, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
