import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import startSes from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { ENV } from '../../functions/aws/config';
import { installS3Versioning } from '../../tools/s3rver-versioning';

/** s3rver accepts only these credentials; dynalite and the SES emulator accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
/** Jakarta, where Impor.in would run. */
export const LOCAL_REGION = 'ap-southeast-3';

export interface EmulatorEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
  readonly ses: string;
}

export interface Emulators {
  readonly endpoints: EmulatorEndpoints;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Directory for on-disk data; omitted = DynamoDB in memory and S3 in a temp-like dir under `.local/tmp`. */
  readonly dataDir?: string;
  /** Fixed SES port (the mailbox page); 0 = any free port. */
  readonly sesPort?: number;
  readonly host?: string;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/**
 * Starts DynamoDB (dynalite), S3 (s3rver) and SES (aws-ses-v2-local) in this
 * process, each on its own port. Data persists under `dataDir` when given
 * (the SES mailbox too: see `persistMailbox`). S3 supports bucket versioning (see
 * `tools/s3rver-versioning`); buckets are unversioned until PutBucketVersioning.
 */
export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir;
  const s3Dir = dataDir
    ? path.join(dataDir, 's3')
    : path.resolve('.local', 'tmp', `s3-${process.pid}-${Date.now()}`);
  await mkdir(s3Dir, { recursive: true });
  if (dataDir) await mkdir(path.join(dataDir, 'dynamodb'), { recursive: true });

  const dynamo = dynalite({
    ...(dataDir ? { path: path.join(dataDir, 'dynamodb') } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const dynamoPort = await listen(dynamo, 0, host);

  const s3 = new S3rver({ address: host, port: 0, directory: s3Dir, silent: true, resetOnClose: !dataDir });
  // s3rver has no object versioning; the erasure needs it (old versions hold personal data).
  await installS3Versioning(s3);
  const s3Address = await s3.run();

  if (dataDir) persistMailbox(path.join(dataDir, 'mailbox.jsonl'));
  const ses = await startSes({ host, port: options.sesPort ?? 0 });
  const sesPort = (ses.address() as AddressInfo).port;

  return {
    endpoints: {
      dynamodb: `http://${host}:${dynamoPort}`,
      s3: `http://${host}:${s3Address.port}`,
      ses: `http://${host}:${sesPort}`,
    },
    async stop() {
      await Promise.all([close(dynamo), s3.close(), close(ses)]);
    },
  };
}

/** The emulator's store module: its functions are looked up on the module at each call, so they can be wrapped. */
interface SesStoreModule {
  saveEmail(email: unknown): void;
  clearStore(): void;
  getStoreReadonly(): { emails: unknown[] };
}

/**
 * aws-ses-v2-local keeps its mailbox in memory; a restarted `npm start` (or a
 * killed one) would forget what it sent. Each email is appended to `file` as
 * it is stored, and the file is loaded back on start; clearing the mailbox
 * empties the file.
 */
let mailboxFile: string | undefined;

function persistMailbox(file: string): void {
  // The emulator's own module object, wrapped in place (once per process; the newest file is written).
  const store = require('aws-ses-v2-local/dist/store') as SesStoreModule & { persisted?: true };
  const emails = store.getStoreReadonly().emails;
  if (emails.length === 0 && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      try {
        if (line.trim()) emails.push(JSON.parse(line));
      } catch {
        // A line torn by a kill mid-write is the only one that can fail.
      }
    }
  }
  mailboxFile = file;
  if (store.persisted) return;
  store.persisted = true;
  const save = store.saveEmail;
  const clear = store.clearStore;
  store.saveEmail = (email) => {
    if (mailboxFile) appendFileSync(mailboxFile, `${JSON.stringify(email)}\n`, { mode: 0o600 });
    save(email);
  };
  store.clearStore = () => {
    if (mailboxFile) writeFileSync(mailboxFile, '', { mode: 0o600 });
    clear();
  };
}

/**
 * Points every AWS SDK v3 client created afterwards in this process at the
 * emulators (standard `AWS_ENDPOINT_URL_*` variables), as a Lambda's env would.
 */
export function emulatorEnvironment(endpoints: EmulatorEndpoints): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    [ENV.s3ForcePathStyle]: 'true',
  };
}
