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
 * (the SES mailbox is memory-only). S3 supports bucket versioning (see
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
