/**
 * The composition root: builds every adapter once per cold start from config
 * and the client factory. Handlers take their ports from here and pass them to
 * core use cases; nothing else constructs adapters.
 */

import { ProcessorWebhook } from '../connectors/processor-webhook';
import type {
  Ledger,
  Mailer,
  ObjectStore,
  ProcessorDelivery,
  ProcessorSecrets,
  StoreExports,
  WorkflowControl,
} from '../core/ports';
import type { NotifyPorts } from '../core/processors/notify';
import { dynamoDbClient, s3Client, secretsClient, sesClient, sfnClient } from './clients';
import { type Config, loadConfig } from './config';
import { LedgerTable } from './ledger';
import { SesMailer } from './mailer';
import { S3ObjectStore } from './object-store';
import { ProcessorSecretStore } from './processor-secrets';
import { loadHashingKey } from './secrets';
import { S3StoreExports } from './store-exports';
import { StepFunctionsWorkflow } from './workflow';

let ledger: Ledger | undefined;
let mail: Mailer | undefined;
let flow: WorkflowControl | undefined;
const buckets = new Map<string, ObjectStore>();

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

function objectStore(bucket: string): ObjectStore {
  let store = buckets.get(bucket);
  if (!store) {
    store = new S3ObjectStore(s3Client(), bucket);
    buckets.set(bucket, store);
  }
  return store;
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

// ---- Processors (built per call: cheap, and they follow the current config; secrets are cached per processor)

/** Each processor's HMAC secret: `DSR_PROCESSOR_SECRETS_DIR` locally, Secrets Manager in AWS. */
export function processorSecrets(): ProcessorSecrets {
  return new ProcessorSecretStore({ dir: loadConfig().DSR_PROCESSOR_SECRETS_DIR }, secretsClient);
}

/** The processors' webhooks (`http:` endpoints only where the config allows them: local mode). */
export function processorDelivery(): ProcessorDelivery {
  const cfg = loadConfig();
  return new ProcessorWebhook({
    allowInsecureUrl: cfg.DSR_ALLOW_INSECURE_PROCESSOR_URLS,
    timeoutMs: cfg.DSR_PROCESSOR_TIMEOUT_MS,
  });
}

/** Per-store export files in the exports bucket. */
export function storeExports(): StoreExports {
  return new S3StoreExports(s3Client(), loadConfig().DSR_EXPORT_BUCKET);
}

/** What the processor use cases (notify, callback) run on: every port and the settings they read. */
export function processorPorts(): NotifyPorts {
  const cfg = loadConfig();
  return {
    dataMap: cfg.dataMap,
    publicUrl: cfg.DSR_PUBLIC_URL,
    ledger: ledgerTable(),
    exports: storeExports(),
    workflow: workflow(),
    secrets: processorSecrets(),
    delivery: processorDelivery(),
    clock: () => new Date(),
  };
}
