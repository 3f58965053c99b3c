/**
 * `npm run retention-sweep -- [--today YYYY-MM-DD] [--limit N] [--list]`
 * Runs the retention sweep (the daily scheduled job in AWS) once against the
 * running local system from `npm start`. `--today` pretends the run happens on
 * that day, so retained records whose retention ends years from now can be
 * erased in a demo; `--list` only shows which requests are due. Prints request
 * ids, store ids and counts only, and as its last stdout line the JSON report.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { LedgerTable } from '../../functions/aws/ledger';
import { keyFromText } from '../../functions/aws/secrets';
import { createConnector } from '../../functions/connectors/registry';
import { parseDataMap } from '../../functions/core/data-map';
import { loadDemoDataMap } from '../../functions/core/demo-data-map';
import { type RequestSweep, sweepRetention } from '../../functions/erasure/retention-sweep';
import { IsoDay } from '../../functions/export/keys';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators';
import { AUDIT_BUCKET_NAME, EXPORT_BUCKET_NAME, LEDGER_TABLE_NAME } from './system';

const Endpoints = z.object({ dynamodb: z.url(), s3: z.url() }).loose();

class UsageError extends Error {}

async function readLocalFile(dir: string, name: string): Promise<string> {
  const file = path.join(dir, name);
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`no ${file}: start the local system first with npm start`);
  }
}

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

  const dir = process.env.DSR_LOCAL_DIR ?? '.local';
  const parsed = Endpoints.safeParse(JSON.parse(await readLocalFile(dir, 'endpoints.json')));
  if (!parsed.success)
    throw new UsageError('endpoints.json is not valid; restart the local system with npm start');
  const endpoints = parsed.data;
  const hashingKey = keyFromText(await readLocalFile(dir, 'secret.key'));
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamodb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
  const s3 = new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true });
  // The local runtime may run a custom data map (DSR_DATA_MAP), as the functions do.
  const dataMap = process.env.DSR_DATA_MAP
    ? parseDataMap(JSON.parse(process.env.DSR_DATA_MAP))
    : loadDemoDataMap();
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
        exports: { s3, bucket: EXPORT_BUCKET_NAME },
        audit: { s3, bucket: AUDIT_BUCKET_NAME },
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
    dynamodb.destroy();
    s3.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  const isArgsError = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
  const missingIndex = name === 'ValidationException' && /specified index/.test(message ?? '');
  // Other errors print only their name and code: SDK messages can echo keys and values.
  const text =
    error instanceof UsageError || isArgsError
      ? message
      : missingIndex
        ? 'the local ledger table predates the retention index: stop npm start, remove .local and start again'
        : `the sweep failed (${code ?? name ?? 'Error'}); is the local system from npm start still running?`;
  process.stderr.write(`retention-sweep: ${text}\n`);
  process.exitCode = 1;
});
