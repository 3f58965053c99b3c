import { z } from 'zod';
import { dynamoDbClient, s3Client } from '../aws/clients';
import { config, hashingKey, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { createConnector } from '../connectors/registry';
import { type RetentionSweepReport, sweepRetention } from '../erasure/retention-sweep';

/** The EventBridge scheduled event; only its time matters. */
const ScheduledEvent = z.object({ time: z.iso.datetime().optional() }).loose();

/** Time left for the entry in hand when the sweep stops taking new ones (the rest wait for the next run). */
export const RESERVE_MS = 5 * 60 * 1000;

/** Entries per run: with the reserve above, a run ends well inside the Lambda timeout. */
export const ENTRIES_PER_RUN = 25;

/** Thrown after the run when an entry could not be swept: the function errors, so its alarm reaches support. */
export class RetentionSweepIncompleteError extends Error {
  override readonly name = 'RetentionSweepIncomplete';
}

/** Thrown when the audit bucket is not configured: addenda cannot be stored. */
export class AuditBucketMissingError extends Error {
  override readonly name = 'AuditBucketMissing';
}

/**
 * RetentionSweep (daily EventBridge rule): erases the records completed deletes
 * kept for a legal retention period once it has ended, proves it by re-query,
 * writes an addendum to each certificate and closes the retention. The run's
 * day comes from the event, never later than the real date, so no invocation
 * can erase records before their retention ends.
 */
export async function handler(
  event: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<{ today: string; closed: number; held: number; failed: number; skipped: number }> {
  const parsed = ScheduledEvent.safeParse(event ?? {});
  const now = new Date();
  const realToday = now.toISOString().slice(0, 10);
  const eventDay = parsed.success ? parsed.data.time?.slice(0, 10) : undefined;
  const today = eventDay && eventDay < realToday ? eventDay : realToday;
  const cfg = config();
  if (!cfg.DSR_AUDIT_BUCKET) throw new AuditBucketMissingError('DSR_AUDIT_BUCKET is not set');
  const clients = { dynamodb: dynamoDbClient(), s3: s3Client() };
  const report: RetentionSweepReport = await sweepRetention(
    {
      ledger: ledgerTable(),
      exports: { s3: clients.s3, bucket: cfg.DSR_EXPORT_BUCKET },
      audit: { s3: clients.s3, bucket: cfg.DSR_AUDIT_BUCKET },
      dataMap: cfg.dataMap,
      connectorFor: (store) => createConnector(store, clients),
      hashingKey: await hashingKey(),
    },
    {
      today,
      now,
      limit: ENTRIES_PER_RUN,
      keepGoing: () => (context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY) > RESERVE_MS,
    },
  );
  const tally = { closed: 0, held: 0, failed: 0, skipped: 0 };
  for (const request of report.requests) {
    tally[request.outcome] += 1;
    const stores = Object.fromEntries(
      request.stores.map((s) => [s.storeId, { ...s.counts, remaining: s.remaining }]),
    );
    // Request ids, store ids and counts only; `error` holds our own messages or an error name.
    if (request.outcome === 'failed') {
      logger.error('retention sweep failed', { requestId: request.requestId, error: request.error, stores });
    } else {
      logger.info('retention swept', {
        requestId: request.requestId,
        outcome: request.outcome,
        nextCheck: request.nextCheck,
        stores,
      });
    }
  }
  logger.info('retention sweep run', { today, ...tally });
  if (tally.failed > 0) {
    throw new RetentionSweepIncompleteError(`${tally.failed} retention sweep(s) failed on ${today}`);
  }
  return { today, ...tally };
}
