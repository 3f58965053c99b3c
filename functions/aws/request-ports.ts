/**
 * The composition root's part for the request use cases (core/requests/*):
 * rate-limit budgets, the idempotency store, subject resolution, connectors
 * and the suppression list as ports. Kept apart from ./composition-root.ts
 * because these adapters import it (for the hashing key and config).
 */
import type { Context } from 'aws-lambda';
import { createConnector } from '../connectors/registry';
import { resolveSubject } from '../connectors/resolve-subject';
import type { DataStore } from '../core/data-map';
import type {
  Connector,
  MarketingSuppression,
  PreferenceList,
  SubjectBudgets,
  SubjectResolver,
  SubmissionOnce,
} from '../core/ports';
import type { CancelPorts } from '../core/requests/cancel';
import type { StatusPorts } from '../core/requests/status';
import type { SubmitPorts } from '../core/requests/submit';
import type { VerifyPorts } from '../core/requests/verify';
import { dynamoDbClient, s3Client, sesClient } from './clients';
import {
  config,
  hashingKey,
  ledgerTable,
  log,
  requestLedger,
  resendPorts,
  workflow,
} from './composition-root';
import { withTransient } from './errors';
import { once } from './idempotency';
import { countVerifiedSubject, limitSubject, limitSubjectVerification } from './rate-limit';
import {
  MARKETING_CHANNELS,
  optOutOfContactList,
  phoneSuppressionHash,
  suppressionList,
} from './suppression';

/** Per-subject budgets on the rate-limit table. */
export function subjectBudgets(): SubjectBudgets {
  return { submission: limitSubject, verified: countVerifiedSubject, codeAttempt: limitSubjectVerification };
}

/** Powertools idempotency on its DynamoDB table; `context` sets the in-progress expiry. */
export function submissionOnce(context?: Context): SubmissionOnce {
  return { run: (fingerprint, work) => once(fingerprint, work, context) };
}

/** Subject resolution over the data map's stores; AWS faults surface as `TransientError`. */
export function subjectResolver(): SubjectResolver {
  const clients = { dynamodb: dynamoDbClient(), s3: s3Client() };
  return { resolve: (email) => withTransient(() => resolveSubject(config().dataMap, clients, email)) };
}

/** The connector of one data store; its opt-out and updates surface AWS faults as `TransientError`. */
export function updatingConnectorFor(store: DataStore): Connector {
  const connector = createConnector(store, { dynamodb: dynamoDbClient(), s3: s3Client() });
  const { erase, optOut, update } = connector;
  return {
    storeId: connector.storeId,
    locate: (subject) => connector.locate(subject),
    export: (subject) => connector.export(subject),
    ...(erase ? { erase: (decisions) => erase.call(connector, decisions) } : {}),
    ...(optOut ? { optOut: (s, c) => withTransient(() => optOut.call(connector, s, c)) } : {}),
    ...(update ? { update: (s, f) => withTransient(() => update.call(connector, s, f)) } : {}),
  };
}

/** Restrictions and withdrawals of consent, on the suppression table. */
export function preferenceList(): PreferenceList {
  return suppressionList();
}

/** The suppression table and, where setting `sesContactList` is set, the SES contact list. */
export function marketingSuppression(): MarketingSuppression {
  const list = suppressionList();
  const { sesContactList: contactListName, sesContactTopics: topics } = config();
  return {
    suppress: (subjectHash, evidence) =>
      list.suppress(subjectHash, { ...evidence, channels: MARKETING_CHANNELS }),
    suppressPhone: async (phone, evidence) =>
      list.suppress(phoneSuppressionHash(await hashingKey(), phone), {
        ...evidence,
        channels: ['whatsapp', 'sms'],
      }),
    optOutOfContactList: async (email) => {
      if (!contactListName) return false;
      await optOutOfContactList(sesClient(), { contactListName, topics, email });
      return true;
    },
  };
}

/** Ports of the submit use case; `context` bounds an idempotent run to the invocation. */
export async function submitPorts(context?: Context): Promise<SubmitPorts> {
  return {
    ledger: ledgerTable(),
    workflow: workflow(),
    budgets: subjectBudgets(),
    once: submissionOnce(context),
    key: await hashingKey(),
    log: log(),
    resend: resendPorts(),
    calendar: { holidays: config().holidays },
  };
}

/** Ports of the verify use case. */
export async function verifyPorts(): Promise<VerifyPorts> {
  return {
    ledger: ledgerTable(),
    workflow: workflow(),
    budgets: subjectBudgets(),
    key: await hashingKey(),
    log: log(),
  };
}

/** Ports of the cancel use case. */
export async function cancelPorts(): Promise<CancelPorts> {
  return { ledger: requestLedger(), key: await hashingKey(), log: log() };
}

/** Ports of the status use case. */
export async function statusPorts(): Promise<StatusPorts> {
  return { ledger: requestLedger(), key: await hashingKey() };
}
