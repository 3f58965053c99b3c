/**
 * `npm run seed -- --subject EMAIL [--records N] [--documents N] [--order-statuses delivered,in_transit]
 *   [--name "Full Name"] [--phone +62…]`
 * Plants a footprint for EMAIL in every demo store of the running local system
 * and prints, as its last stdout line, the JSON record counts per store.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { parseDataMap } from '../../functions/core/data-map';
import { loadDemoDataMap } from '../../functions/core/demo-data-map';
import { EmailAddress } from '../../functions/core/request';
import { ORDER_STATUSES, plantSubject } from './demo-data';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators';

const Endpoints = z.object({ dynamodb: z.url(), s3: z.url() }).loose();

class UsageError extends Error {}

async function readEndpoints(dir: string): Promise<z.infer<typeof Endpoints>> {
  const file = path.join(dir, 'endpoints.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`no ${file}: start the local system first with npm start`);
  }
  const parsed = Endpoints.safeParse(JSON.parse(text));
  if (!parsed.success) throw new UsageError(`${file} is not valid; restart the local system with npm start`);
  return parsed.data;
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      subject: { type: 'string' },
      records: { type: 'string' },
      documents: { type: 'string' },
      'order-statuses': { type: 'string' },
      name: { type: 'string' },
      phone: { type: 'string' },
    },
    strict: true,
  });
  if (!values.subject)
    throw new UsageError(
      'usage: npm run seed -- --subject EMAIL [--records N] [--documents N] [--order-statuses delivered,paid] [--name "Full Name"]',
    );
  const email = EmailAddress.safeParse(values.subject);
  if (!email.success) throw new UsageError('--subject must be a valid email address');
  const records = values.records === undefined ? 5 : Number(values.records);
  if (!Number.isInteger(records) || records < 0 || records > 10_000) {
    throw new UsageError('--records must be an integer from 0 to 10000');
  }
  const documents = values.documents === undefined ? records : Number(values.documents);
  if (!Number.isInteger(documents) || documents < 0 || documents > records) {
    throw new UsageError('--documents must be an integer from 0 to --records');
  }
  const statuses = z
    .array(z.enum(ORDER_STATUSES))
    .safeParse(values['order-statuses']?.split(',').map((s) => s.trim()) ?? []);
  if (!statuses.success) {
    throw new UsageError(`--order-statuses must be a comma-separated list of ${ORDER_STATUSES.join(', ')}`);
  }

  const endpoints = await readEndpoints(process.env.DSR_LOCAL_DIR ?? '.local');
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
  try {
    const counts = await plantSubject({ dynamodb, s3 }, dataMap, {
      email: email.data,
      records,
      documents,
      orderStatuses: statuses.data,
      ...(values.name ? { fullName: values.name } : {}),
      ...(values.phone ? { phone: values.phone } : {}),
    });
    process.stdout.write(`${JSON.stringify(counts)}\n`);
  } finally {
    dynamodb.destroy();
    s3.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  const isArgsError = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
  // Other errors print only their name and code: SDK messages can echo keys and values.
  const text =
    error instanceof UsageError || isArgsError
      ? message
      : `seeding failed (${code ?? name ?? 'Error'}); is the local system from npm start still running?`;
  process.stderr.write(`seed: ${text}\n`);
  process.exitCode = 1;
});
