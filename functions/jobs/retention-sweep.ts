import { auditObjects, config, hashingKey, storePorts } from '../aws/composition-root';
import { ENV } from '../aws/config';
import { runScheduledSweep } from '../core/erasure/retention-sweep';
import * as z from '../core/zod';

export { ENTRIES_PER_RUN, RESERVE_MS, RetentionSweepIncompleteError } from '../core/erasure/retention-sweep';

/** The EventBridge scheduled event; only its time matters. */
const ScheduledEvent = z.looseObject({ time: z.optional(z.iso.datetime()) });

/** Thrown when the audit bucket is not configured: addenda cannot be stored. */
export class AuditBucketMissingError extends Error {
  override readonly name = 'AuditBucketMissing';
}

/**
 * RetentionSweep (daily EventBridge rule): erases the records completed deletes
 * kept for a legal retention period once it has ended (see `runScheduledSweep`).
 */
export async function handler(
  event: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<{ today: string; closed: number; held: number; failed: number; skipped: number }> {
  const parsed = ScheduledEvent.safeParse(event ?? {});
  const now = new Date();
  if (!config().auditBucket) throw new AuditBucketMissingError(`${ENV.auditBucket} is not set`);
  const ports = { ...storePorts(), audit: auditObjects(), hashingKey: await hashingKey() };
  const remainingMs = context?.getRemainingTimeInMillis?.bind(context);
  return runScheduledSweep(ports, {
    eventTime: parsed.success ? parsed.data.time : undefined,
    now,
    remainingMs,
  });
}
