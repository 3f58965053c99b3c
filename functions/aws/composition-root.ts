/**
 * The composition root: builds every adapter once per cold start from config
 * and the client factory. Handlers take their ports from here and pass them to
 * core use cases; nothing else constructs adapters.
 */

import { createConnector } from '../connectors/registry';
import type { DataMap, DataStore } from '../core/data-map';
import type {
  Connector,
  DownloadLinks,
  Ledger,
  Log,
  Mailer,
  ObjectStore,
  WorkflowControl,
  ZipWriters,
} from '../core/ports';
import { dynamoDbClient, s3Client, secretsClient, sesClient, sfnClient } from './clients';
import { type Config, loadConfig } from './config';
import { LedgerTable } from './ledger';
import { logger } from './logger';
import { SesMailer } from './mailer';
import { S3ObjectStore } from './object-store';
import { loadHashingKey } from './secrets';
import { StepFunctionsWorkflow } from './workflow';
import { createZipWriter } from './zip-writer';

let ledger: Ledger | undefined;
let mail: Mailer | undefined;
let flow: WorkflowControl | undefined;
const buckets = new Map<string, S3ObjectStore>();

export function config(): Config {
  return loadConfig();
}

export function ledgerTable(): Ledger {
  ledger ??= new LedgerTable(dynamoDbClient(), loadConfig().DSR_LEDGER_TABLE);
  return ledger;
}

export function hashingKey(): Promise<Buffer> {
  return loadHashingKey(loadConfig(), secretsClient);
}

/** The exports bucket: per-store files, packages, erasure working files. */
export function exportObjects(): ObjectStore {
  return objectStore(loadConfig().DSR_EXPORT_BUCKET);
}

/** The audit bucket (certificates of erasure); only functions granted `audit:write` have it configured. */
export function auditObjects(): ObjectStore {
  const bucket = loadConfig().DSR_AUDIT_BUCKET;
  if (!bucket) throw new Error('configuration is invalid: DSR_AUDIT_BUCKET is not set for this function');
  return objectStore(bucket);
}

function objectStore(bucket: string): S3ObjectStore {
  let store = buckets.get(bucket);
  if (!store) {
    store = new S3ObjectStore(s3Client(), bucket);
    buckets.set(bucket, store);
  }
  return store;
}

/** Short-lived download links into the exports bucket. */
export function exportDownloads(): DownloadLinks {
  return objectStore(loadConfig().DSR_EXPORT_BUCKET);
}

/** The connector of a data store, on this cold start's clients. */
export function connectorFor(store: DataStore): Connector {
  return createConnector(store, { dynamodb: dynamoDbClient(), s3: s3Client() });
}

/** Zip writers for export packages. */
export const zipWriters: ZipWriters = createZipWriter;

/** The one logger, as the domain's `Log` port. */
export const log: Log = logger;

/** The ports the per-store erasure and export use cases share. */
export function storePorts(): {
  ledger: Ledger;
  exports: ObjectStore;
  dataMap: DataMap;
  connectorFor: (store: DataStore) => Connector;
  hashingKey: () => Promise<Buffer>;
  log: Log;
} {
  return {
    ledger: ledgerTable(),
    exports: exportObjects(),
    dataMap: loadConfig().dataMap,
    connectorFor,
    hashingKey,
    log,
  };
}

export function mailer(): Mailer {
  mail ??= new SesMailer(sesClient(), loadConfig().DSR_MAIL_FROM);
  return mail;
}

export function workflow(): WorkflowControl {
  flow ??= new StepFunctionsWorkflow(sfnClient(), loadConfig().DSR_STATE_MACHINE_ARN);
  return flow;
}

/** For tests. */
export function resetRuntime(): void {
  ledger = undefined;
  mail = undefined;
  flow = undefined;
  buckets.clear();
}
