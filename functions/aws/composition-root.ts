/**
 * The composition root: builds every adapter once per cold start from config
 * and the client factory. Handlers take their ports from here and pass them to
 * core use cases; nothing else constructs adapters.
 */

import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { ProcessorWebhook } from '../connectors/processor-webhook';
import { createConnector } from '../connectors/registry';
import type { ChainHeadsPorts, ReadChainPorts } from '../core/audit/trail';
import type { DataStore } from '../core/data-map';
import type { ExportStorePorts } from '../core/export/store-export';
import type { UnsubscribePorts } from '../core/opt-out/unsubscribe';
import type {
  AttentionLedger,
  AuditTrail,
  Connector,
  DeadlineLedger,
  DownloadLinks,
  Ledger,
  Log,
  Mailer,
  Metrics,
  ObjectStore,
  OutcomeMailLedger,
  ProcessorDelivery,
  ProcessorSecrets,
  RequestLedger,
  StorePorts,
  UsedUnsubscribeTokens,
  VerificationResends,
  WorkflowControl,
  ZipWriters,
} from '../core/ports';
import type { NotifyPorts } from '../core/processors/notify';
import type { ClockStartPorts } from '../core/requests/clock-start';
import type { SupportActionPorts } from '../core/support/support-action';
import type { ResendPorts } from '../core/verification/resend';
import { DynamoAuditTrail } from './audit-trail';
import { AutomationCallers, inputCallers } from './automation';
import { dynamoDbClient, s3Client, secretsClient, sesClient, sfnClient, ssmClient } from './clients';
import { type Config, ENV, loadConfig } from './config';
import { LedgerTable } from './ledger';
import { LedgerItems } from './ledger/conditional-write';
import { RequestLifecycleLedger } from './ledger/request-lifecycle';
import { logger } from './logger';
import { SesMailer } from './mailer';
import { EmfMetrics } from './metrics';
import { S3ObjectStore } from './object-store';
import { ProcessorSecretStore } from './processor-secrets';
import { loadHashingKey } from './secrets';
import { suppressionList } from './suppression';
import { StepFunctionsWorkflow } from './workflow';
import { createZipWriter } from './zip-writer';

let ledger: LedgerTable | undefined;
let mail: Mailer | undefined;
let flow: WorkflowControl | undefined;
const buckets = new Map<string, S3ObjectStore>();

export function config(): Config {
  return loadConfig();
}

function table(): LedgerTable {
  ledger ??= new LedgerTable(dynamoDbClient(), loadConfig().ledgerTable);
  return ledger;
}

export function ledgerTable(): Ledger {
  return table();
}

let lifecycle: RequestLifecycleLedger | undefined;
/**
 * The ledger's request lifecycle alone, for functions that need no other part (status, cancel):
 * their bundles then leave out verification, processor evidence, retention, deadlines and attention.
 */
export function requestLedger(): RequestLedger & OutcomeMailLedger {
  lifecycle ??= new RequestLifecycleLedger(new LedgerItems(dynamoDbClient(), loadConfig().ledgerTable));
  return lifecycle;
}

/** New verification codes on request: the same ledger table. */
export function verificationResends(): VerificationResends {
  return table();
}

/** Markers of used one-click unsubscribe tokens, in the suppression table (setting `suppressionTable`). */
export function usedUnsubscribeTokens(): UsedUnsubscribeTokens {
  // Looked up on use: a bad link is refused before the table's configuration matters.
  return { claim: (...args) => suppressionList().claim(...args) };
}

/** The functions' one logger (with its redaction layer) as the `Log` port. */
export function log(): Log {
  return {
    info: (message, fields = {}) => logger.info(message, fields as LogAttributes),
    warn: (message, fields = {}) => logger.warn(message, fields as LogAttributes),
    error: (message, fields = {}) => logger.error(message, fields as LogAttributes),
  };
}

/** What one-click unsubscribe needs (core/opt-out/unsubscribe). */
export function unsubscribePorts(): UnsubscribePorts {
  return {
    ledger: ledgerTable(),
    usedTokens: usedUnsubscribeTokens(),
    workflow: workflow(),
    hashingKey,
    log: log(),
  };
}

/** What a verification resend needs (core/verification/resend), with this deployment's limits. */
export function resendPorts(): ResendPorts {
  const cfg = loadConfig();
  return {
    ledger: table(),
    resends: table(),
    mailer: mailer(),
    hashingKey,
    log: log(),
    auditTrail: auditTrail(),
    settings: {
      maxResends: cfg.maxResends,
      verificationTtlSeconds: cfg.verificationTtlSeconds,
      publicUrl: cfg.publicUrl,
    },
  };
}

export function hashingKey(): Promise<Buffer> {
  return loadHashingKey(loadConfig(), secretsClient);
}

/** The exports bucket: per-store files, packages, erasure working files. */
export function exportObjects(): ObjectStore {
  return objectStore(loadConfig().exportBucket);
}

/** The audit bucket (certificates of erasure); only functions granted `audit:write` have it configured. */
export function auditObjects(): ObjectStore {
  const bucket = loadConfig().auditBucket;
  if (!bucket) throw new Error(`configuration is invalid: ${ENV.auditBucket} is not set for this function`);
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
  return objectStore(loadConfig().exportBucket);
}

/** The connector of a data store, on this cold start's clients. */
export function connectorFor(store: DataStore): Connector {
  return createConnector(store, { dynamodb: dynamoDbClient(), s3: s3Client() });
}

/**
 * What ExportStore needs: the per-store ports without the hashing key (an export never reads the secret,
 * and its function may not) and with the ledger's request lifecycle alone, so its bundle has neither.
 */
export function exportStorePorts(): ExportStorePorts {
  return {
    auditTrail: auditTrail(),
    ledger: requestLedger(),
    exports: exportObjects(),
    dataMap: loadConfig().dataMap,
    connectorFor,
    log: log(),
  };
}

/** Zip writers for export packages. */
export const zipWriters: ZipWriters = createZipWriter;

/** The ports the per-store erasure and export use cases share. */
export function storePorts(): StorePorts & { readonly ledger: Ledger; readonly auditTrail: AuditTrail } {
  return {
    auditTrail: auditTrail(),
    ledger: ledgerTable(),
    exports: exportObjects(),
    dataMap: loadConfig().dataMap,
    connectorFor,
    hashingKey,
    log: log(),
  };
}

export function mailer(): Mailer {
  const cfg = loadConfig();
  mail ??= new SesMailer(sesClient(), {
    from: cfg.mailFrom,
    ...(cfg.sesConfigurationSet ? { configurationSet: cfg.sesConfigurationSet } : {}),
  });
  return mail;
}

export function workflow(): WorkflowControl {
  flow ??= new StepFunctionsWorkflow(sfnClient(), loadConfig().stateMachineArn);
  return flow;
}

/** For tests. */
export function resetRuntime(): void {
  ledger = undefined;
  lifecycle = undefined;
  mail = undefined;
  flow = undefined;
  audit = undefined;
  buckets.clear();
}

// ---- Processors (built per call: cheap, and they follow the current config; secrets are cached per processor)

/** Each processor's HMAC secret: setting `processorSecretsDir` locally, Secrets Manager in AWS. */
export function processorSecrets(): ProcessorSecrets {
  return new ProcessorSecretStore({ dir: loadConfig().processorSecretsDir }, secretsClient);
}

/** The processors' webhooks (`http:` endpoints only where the config allows them: local mode). */
export function processorDelivery(): ProcessorDelivery {
  const cfg = loadConfig();
  return new ProcessorWebhook({
    allowInsecureUrl: cfg.allowInsecureProcessorUrls,
    timeoutMs: cfg.processorTimeoutMs,
  });
}

/** What the processor use cases (notify, callback) run on: every port and the settings they read. */
export function processorPorts(): NotifyPorts {
  const cfg = loadConfig();
  return {
    dataMap: cfg.dataMap,
    publicUrl: cfg.publicUrl,
    ledger: ledgerTable(),
    exports: exportObjects(),
    workflow: workflow(),
    secrets: processorSecrets(),
    delivery: processorDelivery(),
    clock: () => new Date(),
    auditTrail: auditTrail(),
  };
}

// ---- Audit trail (owner: audit)

let audit: DynamoAuditTrail | undefined;

function auditTable(): DynamoAuditTrail {
  const table = loadConfig().auditTable;
  if (!table) throw new Error(`configuration is invalid: ${ENV.auditTable} is not set for this function`);
  audit ??= new DynamoAuditTrail(dynamoDbClient(), table);
  return audit;
}

/**
 * The requests' hash chains (functions granted `audit:append` or `audit:heads`). Resolved on use, so
 * ports shared with functions that record nothing (the retention sweep) need no audit table.
 */
export function auditTrail(): AuditTrail {
  return {
    append: (requestId, event) => auditTable().append(requestId, event),
    read: (requestId) => auditTable().read(requestId),
  };
}

/** What the daily chain-heads job needs: the day index, the audit bucket, the time. */
export function chainHeadsPorts(): ChainHeadsPorts {
  return { index: auditTable(), objects: auditObjects(), clock: () => new Date(), log: log() };
}

/** Reading and verifying a chain against its last written head (support). */
export function readChainPorts(): ReadChainPorts {
  return { audit: auditTable(), objects: auditObjects(), clock: () => new Date() };
}

// ---- Deadlines (owner: clock)

/** The ledger's deadline part (open-by-due index, notices, clocks): the same table. */
export function deadlineLedger(): DeadlineLedger {
  return table();
}

let emf: EmfMetrics | undefined;
/** Metrics as EMF lines (CloudWatch extracts them from the function's logs). */
export function metrics(): Metrics {
  emf ??= new EmfMetrics();
  return emf;
}

// ---- Failures support can fix and support actions (owner: fail)

/** The ledger with the attention operations (needs_attention and support's decisions). */
export function attentionLedger(): Ledger & AttentionLedger {
  return table();
}

/** Prefix of the SSM Automation documents that run support actions (infra/constructs/support-actions.ts). */
export const SUPPORT_DOCUMENT_PREFIX = 'DSR-';

/** What a support action needs (core/support/support-action): the ledger, workflow, mail, audit and who acts. */
export function supportActionPorts(): SupportActionPorts {
  const cfg = loadConfig();
  return {
    ledger: table(),
    workflow: workflow(),
    mailer: mailer(),
    dataMap: cfg.dataMap,
    publicUrl: cfg.publicUrl,
    log: log(),
    clock: () => new Date(),
    audit: auditTrail(),
    // Built when used: the other actions do not need the suppression table.
    preferences: { currentRestriction: (subjectHash) => suppressionList().currentRestriction(subjectHash) },
    callers: cfg.supportActorFromInput
      ? inputCallers
      : new AutomationCallers(ssmClient(), SUPPORT_DOCUMENT_PREFIX),
  };
}

/** Starting the respond clock at verification where this deployment chose it (core/requests/clock-start). */
export function clockStartPorts(): ClockStartPorts {
  const cfg = loadConfig();
  return {
    ledger: table(),
    startAtVerification: cfg.clockStartAtVerification,
    calendar: { holidays: cfg.holidays },
    log: log(),
  };
}
