/**
 * What the command-line tools (`npm run seed`, `retention-sweep`,
 * `unsubscribe-link`) need from the system `npm start` is running: its
 * endpoints, SDK clients pointed at them, its data map and its hashing secret.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ENV } from '../../functions/aws/config';
import { keyFromText } from '../../functions/aws/secrets';
import { type DataMap, parseDataMap } from '../../functions/core/data-map';
import { loadDemoDataMap } from './demo-data-map';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators';

/** A problem the user can fix (bad argument, system not started): its message is shown as is. */
export class UsageError extends Error {}

const Endpoints = z
  .object({
    dynamodb: z.url(),
    s3: z.url(),
    api: z.url().optional(),
    processors: z.url().optional(),
    ses: z.url().optional(),
  })
  .loose();

export interface RunningSystem {
  /** The API's base URL (absent when another tool wrote endpoints.json without it). */
  readonly api?: string;
  readonly clients: { readonly dynamodb: DynamoDBDocumentClient; readonly s3: S3Client };
  readonly dataMap: DataMap;
  /** The processor simulators' base URL (absent when endpoints.json predates them). */
  readonly processors?: string;
  /** The SES emulator (its mailbox at `<ses>/store`). */
  readonly ses?: string;
  hashingKey(): Promise<Buffer>;
  close(): void;
}

async function readLocalFile(dir: string, name: string): Promise<string> {
  const file = path.join(dir, name);
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`no ${file}: start the local system first with npm start`);
  }
}

/** Settings of the local runtime itself (the functions' own names are in functions/aws/config.ts). */
export const LOCAL_ENV = {
  /** Where `npm start` keeps its data (default `.local`). */
  dir: 'DSR_LOCAL_DIR',
  /** Demo customers seeded on a first start. */
  demoCustomers: 'DSR_DEMO_CUSTOMERS',
  /** How long processors have to acknowledge on this machine. */
  processorAckSeconds: 'DSR_PROCESSOR_ACK_SECONDS',
} as const;

/** Connects to the system running under the local data directory (`LOCAL_ENV.dir`, default `.local`). */
export async function connectToRunningSystem(
  dir = process.env[LOCAL_ENV.dir] ?? '.local',
): Promise<RunningSystem> {
  const parsed = Endpoints.safeParse(JSON.parse(await readLocalFile(dir, 'endpoints.json')));
  if (!parsed.success)
    throw new UsageError('endpoints.json is not valid; restart the local system with npm start');
  const endpoints = parsed.data;
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamodb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
  const s3 = new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true });
  return {
    ...(endpoints.api ? { api: endpoints.api } : {}),
    ...(endpoints.processors ? { processors: endpoints.processors } : {}),
    ...(endpoints.ses ? { ses: endpoints.ses } : {}),
    clients: { dynamodb, s3 },
    // The local runtime may run a custom data map (in the functions' data map variable), as the functions do.
    dataMap: process.env[ENV.dataMapJson]
      ? parseDataMap(JSON.parse(process.env[ENV.dataMapJson] as string))
      : loadDemoDataMap(),
    hashingKey: async () => keyFromText(await readLocalFile(dir, 'secret.key')),
    close() {
      dynamodb.destroy();
      s3.destroy();
    },
  };
}

/** The tools' error line: usage problems as written, anything else by name and code only (SDK messages can echo data). */
export function reportFailure(tool: string, error: unknown, hint: string): void {
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  const isArgsError = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
  const text = error instanceof UsageError || isArgsError ? message : `${hint} (${code ?? name ?? 'Error'})`;
  process.stderr.write(`${tool}: ${text}\n`);
  process.exitCode = 1;
}
