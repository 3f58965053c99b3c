import { config, deadlineLedger, log, mailer, metrics } from '../aws/composition-root';
import { type DeadlineWatchReport, watchDeadlines } from '../core/support/deadline-watch';
import * as z from '../core/zod';

/** The scheduled event; its time is the run's "now" (so a delayed delivery judges the time it was meant for). */
const ScheduledEvent = z.looseObject({ time: z.optional(z.iso.datetime()) });

/**
 * DeadlineWatch (every 15 minutes; a timer in `npm start`): open requests due
 * within 24 hours and overdue ones, as metrics and one support email per
 * change of state (core/support/deadline-watch).
 */
export async function handler(event: unknown): Promise<DeadlineWatchReport> {
  const parsed = ScheduledEvent.safeParse(event ?? {});
  const time = parsed.success ? parsed.data.time : undefined;
  const { supportEmail } = config();
  return watchDeadlines(
    {
      ledger: deadlineLedger(),
      mailer: mailer(),
      metrics: metrics(),
      log: log(),
      ...(supportEmail ? { supportEmail } : {}),
    },
    time ? new Date(time) : new Date(),
  );
}
