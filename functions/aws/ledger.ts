/**
 * The request ledger over one DynamoDB table (one item per request), as one
 * object for callers that need all of it. Each part lives with its aggregate
 * in `./ledger/` (request lifecycle, verification, processor evidence,
 * retention), all over one conditional-write helper; use cases take the
 * narrowest port they need.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  AttentionLedger,
  DeadlineLedger,
  Ledger,
  OutcomeMailLedger,
  VerificationResends,
} from '../core/ports';
import { AttentionTable } from './ledger/attention';
import { LedgerItems } from './ledger/conditional-write';
import { DeadlineLedgerTable } from './ledger/deadlines';
import { ProcessorEvidenceTable } from './ledger/processor-evidence';
import { RequestLifecycleLedger } from './ledger/request-lifecycle';
import { RetentionLedgerTable } from './ledger/retention';
import { VerificationLedgerTable } from './ledger/verification';

export { BY_OPEN_DUE_INDEX, BY_RETENTION_DUE_INDEX, BY_SUBJECT_INDEX } from './ledger/indexes';

/** The whole ledger port (and verification resends), each method delegated to its aggregate. */
export class LedgerTable
  implements Ledger, VerificationResends, DeadlineLedger, AttentionLedger, OutcomeMailLedger
{
  readonly requests: RequestLifecycleLedger;
  readonly verification: VerificationLedgerTable;
  readonly processors: ProcessorEvidenceTable;
  readonly retention: RetentionLedgerTable;
  readonly deadlines: DeadlineLedgerTable;
  readonly attention: AttentionTable;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    const items = new LedgerItems(db, tableName);
    this.requests = new RequestLifecycleLedger(items);
    this.verification = new VerificationLedgerTable(items);
    this.processors = new ProcessorEvidenceTable(items);
    this.retention = new RetentionLedgerTable(items);
    this.deadlines = new DeadlineLedgerTable(items);
    this.attention = new AttentionTable(items);
  }

  // Request lifecycle
  create: Ledger['create'] = (...args) => this.requests.create(...args);
  get: Ledger['get'] = (...args) => this.requests.get(...args);
  require: Ledger['require'] = (...args) => this.requests.require(...args);
  transition: Ledger['transition'] = (...args) => this.requests.transition(...args);
  advance: Ledger['advance'] = (...args) => this.requests.advance(...args);
  setPlan: Ledger['setPlan'] = (...args) => this.requests.setPlan(...args);
  setStoreProgress: Ledger['setStoreProgress'] = (...args) => this.requests.setStoreProgress(...args);
  schedule: Ledger['schedule'] = (...args) => this.requests.schedule(...args);
  cancel: Ledger['cancel'] = (...args) => this.requests.cancel(...args);
  setExportInfo: Ledger['setExportInfo'] = (...args) => this.requests.setExportInfo(...args);
  countDownload: Ledger['countDownload'] = (...args) => this.requests.countDownload(...args);
  openRequestFor: Ledger['openRequestFor'] = (...args) => this.requests.openRequestFor(...args);
  requestsOf: Ledger['requestsOf'] = (...args) => this.requests.requestsOf(...args);
  claimOutcomeMail: OutcomeMailLedger['claimOutcomeMail'] = (...args) =>
    this.requests.claimOutcomeMail(...args);
  releaseOutcomeMail: OutcomeMailLedger['releaseOutcomeMail'] = (...args) =>
    this.requests.releaseOutcomeMail(...args);

  // Verification
  setVerification: Ledger['setVerification'] = (...args) => this.verification.setVerification(...args);
  recordWrongAttempt: Ledger['recordWrongAttempt'] = (...args) =>
    this.verification.recordWrongAttempt(...args);
  resendVerification: VerificationResends['resendVerification'] = (...args) =>
    this.verification.resendVerification(...args);

  // Processor evidence
  beginProcessorNotice: Ledger['beginProcessorNotice'] = (...args) =>
    this.processors.beginProcessorNotice(...args);
  recordProcessorAttempt: Ledger['recordProcessorAttempt'] = (...args) =>
    this.processors.recordProcessorAttempt(...args);
  markProcessorAwaiting: Ledger['markProcessorAwaiting'] = (...args) =>
    this.processors.markProcessorAwaiting(...args);
  recordProcessorAck: Ledger['recordProcessorAck'] = (...args) => this.processors.recordProcessorAck(...args);
  recordProcessorEscalation: Ledger['recordProcessorEscalation'] = (...args) =>
    this.processors.recordProcessorEscalation(...args);
  markSupportNotified: Ledger['markSupportNotified'] = (...args) =>
    this.processors.markSupportNotified(...args);

  // Retention and minimisation
  setCertificate: Ledger['setCertificate'] = (...args) => this.retention.setCertificate(...args);
  dueRetentions: Ledger['dueRetentions'] = (...args) => this.retention.dueRetentions(...args);
  beginRetentionSweep: Ledger['beginRetentionSweep'] = (...args) =>
    this.retention.beginRetentionSweep(...args);
  deferRetention: Ledger['deferRetention'] = (...args) => this.retention.deferRetention(...args);
  closeRetention: Ledger['closeRetention'] = (...args) => this.retention.closeRetention(...args);
  minimise: Ledger['minimise'] = (...args) => this.retention.minimise(...args);
  endRestriction: Ledger['endRestriction'] = (...args) => this.retention.endRestriction(...args);
  retainedIdentities: Ledger['retainedIdentities'] = (...args) => this.retention.retainedIdentities(...args);

  // Deadlines (owner: clock)
  openByDue: DeadlineLedger['openByDue'] = (...args) => this.deadlines.openByDue(...args);
  claimDeadlineNotice: DeadlineLedger['claimDeadlineNotice'] = (...args) =>
    this.deadlines.claimDeadlineNotice(...args);
  releaseDeadlineNotice: DeadlineLedger['releaseDeadlineNotice'] = (...args) =>
    this.deadlines.releaseDeadlineNotice(...args);
  closeClocks: DeadlineLedger['closeClocks'] = (...args) => this.deadlines.closeClocks(...args);
  restartRespondClock: DeadlineLedger['restartRespondClock'] = (...args) =>
    this.deadlines.restartRespondClock(...args);
  extendRespondClock: DeadlineLedger['extendRespondClock'] = (...args) =>
    this.deadlines.extendRespondClock(...args);
  // Requests that need support (owner: fail)
  needAttention: AttentionLedger['needAttention'] = (...args) => this.attention.needAttention(...args);
  markAttentionNotified: AttentionLedger['markAttentionNotified'] = (...args) =>
    this.attention.markAttentionNotified(...args);
  decide: AttentionLedger['decide'] = (...args) => this.attention.decide(...args);
}
