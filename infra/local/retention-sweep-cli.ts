/**
 * `npm run retention-sweep -- [--today YYYY-MM-DD] [--limit N] [--list]`
 * Runs the retention sweep (the daily scheduled job in AWS) once against the
 * running local system from `npm start`. `--today` pretends the run happens on
 * that day, so retained records whose retention ends years from now can be
 * erased in a demo; `--list` only shows which requests are due. Prints request
 * ids, store ids and counts only, and as its last stdout line the JSON report.
 */
import { parseArgs } from 'node:util';
import { LedgerTable } from '../../functions/aws/ledger';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { createConnector } from '../../functions/connectors/registry';
import { type RequestSweep, sweepRetention } from '../../functions/core/erasure/retention-sweep';
import { IsoDay } from '../../functions/core/export/keys';
import { connectToRunningSystem, reportFailure, UsageError } from './running-system';
import { AUDIT_BUCKET_NAME, EXPORT_BUCKET_NAME, LEDGER_TABLE_NAME } from './system';

function describe(request: RequestSweep): string {
  const stores = request.stores
    .map(
      ({ storeId, counts, remaining }) =>
        `${storeId}: found ${counts.found}, deleted ${counts.deleted}, held ${counts.held}, remaining ${remaining}`,
    )
    .join('; ');
  const next = request.nextCheck ? ` (next check ${request.nextCheck})` : '';
  const error = request.error ? ` [${request.error}]` : '';
  return `${request.requestId} ${request.outcome}${next}${error}${stores ? ` — ${stores}` : ''}`;
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      today: { type: 'string' },
      limit: { type: 'string' },
      list: { type: 'boolean' },
    },
    strict: true,
  });
  const today = IsoDay.safeParse(values.today ?? new Date().toISOString().slice(0, 10));
  if (!today.success) throw new UsageError('--today must be a date, YYYY-MM-DD');
  const limit = values.limit === undefined ? 25 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UsageError('--limit must be an integer from 1 to 1000');
  }

  const system = await connectToRunningSystem();
  const { dynamodb, s3 } = system.clients;
  const hashingKey = await system.hashingKey();
  const dataMap = system.dataMap;
  const ledger = new LedgerTable(dynamodb, LEDGER_TABLE_NAME);
  try {
    if (values.list) {
      const due = await ledger.dueRetentions(today.data, limit);
      for (const entry of due) process.stdout.write(`${entry.requestId} due since ${entry.retentionUntil}\n`);
      process.stdout.write(`${JSON.stringify({ today: today.data, due: due.map((d) => d.requestId) })}\n`);
      return;
    }
    const report = await sweepRetention(
      {
        ledger,
        exports: new S3ObjectStore(s3, EXPORT_BUCKET_NAME),
        audit: new S3ObjectStore(s3, AUDIT_BUCKET_NAME),
        dataMap,
        connectorFor: (store) => createConnector(store, { dynamodb, s3 }),
        hashingKey,
      },
      // The emulators are consistent at once: no need to wait for lagging reads.
      { today: today.data, limit, settleDelaysMs: [] },
    );
    if (report.requests.length === 0) process.stdout.write(`nothing due on ${report.today}\n`);
    for (const request of report.requests) process.stdout.write(`${describe(request)}\n`);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (report.requests.some((r) => r.outcome === 'failed')) process.exitCode = 1;
  } finally {
    system.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  if (name === 'ValidationException' && /specified index/.test(message ?? '')) {
    const hint =
      'the local ledger table predates the retention index: stop npm start, remove .local and start again';
    return reportFailure('retention-sweep', new UsageError(hint), hint);
  }
  reportFailure(
    'retention-sweep',
    error,
    'the sweep failed; is the local system from npm start still running?',
  );
});
