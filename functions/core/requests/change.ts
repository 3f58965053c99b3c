/**
 * Requests that change the subject's records in place: a correction
 * (`rectify`), a restriction of processing and its lifting, and a withdrawal
 * of consent per purpose. Which fields each touches is the data map's config
 * (`rectifiable`, `restriction`, `consents`, `marketingConsentFields`); each
 * change is proven by reading the records again.
 */
import { auditEmailSent, auditStep, auditStore } from '../audit/events';
import { type DataMap, type DataStore, dataStoreOf, isDataStore } from '../data-map';
import { processorCallsOf, processorOutcome } from '../export/processor-calls';
import { contactOf, type LedgerRecord } from '../ledger-record';
import type {
  AuditTrail,
  Connector,
  FieldValues,
  Log,
  Mailer,
  MarketingSuppression,
  OutcomeMailLedger,
  PreferenceList,
  RequestLedger,
  RetentionLedger,
  SubjectResolver,
} from '../ports';
import { type ChangeType, isChangeType } from '../request';
import { markedFailedOnError } from '../store-progress';
import { type ChangeSummary, changeConfirmedMail } from './change-mail';
import { suppressPhones } from './opt-out';
import { completeRequest, type OutcomePorts } from './outcome';

/** A store declares changeable fields but its kind cannot write them. Not retried: support decides. */
export class ChangeUnsupportedError extends Error {
  override readonly name = 'ChangeUnsupported';
}

/** The re-query found records without the values just written. Support decides. */
export class ChangeNotProvenError extends Error {
  override readonly name = 'ChangeNotProven';
}

/** The workflow routed a request that is not a change to a change step (a deployment mismatch). */
export class NotAChangeError extends Error {
  override readonly name = 'NotAChange';
}

export interface ChangeStoreResult {
  readonly storeId: string;
  /** Records written and then found holding the new values. */
  readonly updated: number;
  /** Records kept as they were (a correction of a store that keeps its records, e.g. shipped orders). */
  readonly kept: number;
  /** The store holds nothing this request changes. */
  readonly skipped: boolean;
}

/** The time a change stamps: when the request started, so a retry writes the same values. */
function changeTime(record: LedgerRecord): string {
  return record.history.findLast((h) => h.status === 'in_progress')?.at ?? new Date().toISOString();
}

function changeTypeOf(record: LedgerRecord): ChangeType {
  if (!isChangeType(record.type)) throw new NotAChangeError(`request ${record.requestId} is not a change`);
  return record.type;
}

/**
 * The fields `record`'s request sets in `store`, from the data map; undefined
 * when the store holds nothing it changes.
 */
export function fieldsToChange(store: DataStore, record: LedgerRecord, at: string): FieldValues | undefined {
  const type = changeTypeOf(record);
  const { requestId } = record;
  const fields: Record<string, string | boolean> = {};
  if (type === 'restrict' || type === 'lift_restriction') {
    if (!store.restriction) return undefined;
    const { field, atField, requestIdField } = store.restriction;
    Object.assign(fields, { [field]: type === 'restrict', [atField]: at, [requestIdField]: requestId });
  } else if (type === 'withdraw_consent') {
    for (const purpose of record.purposes ?? []) {
      const consentFields =
        purpose === 'marketing' ? (store.marketingConsentFields ?? []) : (store.consents?.[purpose] ?? []);
      if (consentFields.length === 0) continue;
      for (const f of consentFields) fields[f] = false;
      fields[`${purpose}ConsentWithdrawnAt`] = at;
      fields[`${purpose}ConsentWithdrawnRequestId`] = requestId;
    }
  } else {
    const corrections = contactOf(record).corrections ?? {};
    for (const [attribute, value] of Object.entries(corrections)) {
      if (value === undefined) continue;
      for (const f of store.rectifiable?.[attribute as keyof typeof corrections] ?? []) fields[f] = value;
    }
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/**
 * The identities the re-query uses: after a corrected email address the
 * records are found by the new one (by the old, the proof would find nothing).
 */
function proofIdentities(record: LedgerRecord): LedgerRecord['identities'] {
  const newAddress = record.type === 'rectify' ? record.contact?.corrections?.email : undefined;
  return newAddress ? { ...record.identities, email: [newAddress] } : (record.identities ?? {});
}

/** Records of the subject in `store` whose fields do not hold `fields`' values, and how many were read. */
async function mismatches(connector: Connector, record: LedgerRecord, fields: FieldValues) {
  let read = 0;
  let different = 0;
  for await (const page of connector.export({ identities: proofIdentities(record) ?? {} })) {
    for (const { data } of page) {
      read += 1;
      if (Object.entries(fields).some(([f, v]) => data[f] !== v)) different += 1;
    }
  }
  return { read, different };
}

/**
 * One store: writes the request's changes to every record of the subject,
 * then reads them again and fails (`ChangeNotProven`) unless each holds the
 * new values. A correction of a store that keeps its records as they were
 * (`keptOnCorrection`) only counts them. Idempotent.
 */
export async function changeStore(
  ports: {
    readonly ledger: RequestLedger;
    readonly connectorFor: (store: DataStore) => Connector;
    readonly log: Log;
    readonly auditTrail?: AuditTrail;
  },
  dataMap: DataMap,
  { requestId, storeId }: { readonly requestId: string; readonly storeId: string },
): Promise<ChangeStoreResult> {
  const { ledger, log } = ports;
  const store = dataStoreOf(dataMap, storeId);
  const record = await ledger.require(requestId);
  const connector = ports.connectorFor(store);
  const fields = fieldsToChange(store, record, changeTime(record));
  if (!fields) {
    const kept =
      record.type === 'rectify' && store.keptOnCorrection
        ? (await mismatches(connector, record, {})).read
        : 0;
    await ledger.setStoreProgress(requestId, storeId, { status: 'completed', records: 0, kept });
    await auditStore(ports.auditTrail, requestId, storeId, 'store_changed', { updated: 0, kept });
    log.info('store has nothing to change', { requestId, storeId, kept });
    return { storeId, updated: 0, kept, skipped: kept === 0 };
  }
  const update = connector.update?.bind(connector);
  // Declared fields this system cannot write must reach support, not pass as done.
  if (!update)
    throw new ChangeUnsupportedError(`store ${storeId} declares fields its connector cannot change`);
  await ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' });
  return markedFailedOnError({ ledger, log }, { requestId, storeId }, async () => {
    await update({ identities: record.identities ?? {} }, fields);
    const proof = await mismatches(connector, record, fields);
    if (proof.different > 0) {
      throw new ChangeNotProvenError(
        `store ${storeId}: ${proof.different} of ${proof.read} records do not hold the new values after the change`,
      );
    }
    await ledger.setStoreProgress(requestId, storeId, { status: 'completed', records: proof.read, kept: 0 });
    // Field names and counts only: the values are personal data.
    await auditStore(ports.auditTrail, requestId, storeId, 'store_changed', {
      updated: proof.read,
      fields: Object.keys(fields).length,
    });
    log.info('store changed and proven', { requestId, storeId, updated: proof.read });
    return { storeId, updated: proof.read, kept: 0, skipped: false };
  });
}

/**
 * RecordPreferences: right after verification, before any store, a
 * restriction, its lifting or a withdrawal goes on the preference list other
 * systems ask (`isRestricted`, `isWithdrawn`), and a withdrawal of marketing
 * consent on the suppression list. A correction has nothing to record. Idempotent.
 */
export async function recordPreferences(
  ports: {
    readonly ledger: Pick<RequestLedger, 'require'> & Pick<RetentionLedger, 'endRestriction'>;
    readonly preferences: PreferenceList;
    readonly suppression: Pick<MarketingSuppression, 'suppress' | 'suppressPhone' | 'optOutOfContactList'>;
    readonly subjects?: SubjectResolver;
    readonly log: Log;
    readonly auditTrail?: AuditTrail;
    readonly clock?: () => Date;
  },
  requestId: string,
): Promise<{ readonly recorded: boolean }> {
  const record = await ports.ledger.require(requestId);
  const type = changeTypeOf(record);
  const at =
    record.history.find((h) => h.status === 'verified')?.at ?? (ports.clock?.() ?? new Date()).toISOString();
  const evidence = { requestId, at };
  if (type === 'rectify') return { recorded: false };
  // The restriction this one replaces, or the one lifted, no longer needs the address it kept.
  const ended =
    type === 'restrict'
      ? await ports.preferences.restrict(record.subjectHash, evidence)
      : type === 'lift_restriction'
        ? await ports.preferences.lift(record.subjectHash, evidence)
        : undefined;
  if (ended) await ports.ledger.endRestriction(ended);
  if (type === 'withdraw_consent') {
    const purposes = record.purposes ?? [];
    await ports.preferences.withdraw(record.subjectHash, purposes, evidence);
    if (purposes.includes('marketing')) {
      await ports.suppression.suppress(record.subjectHash, evidence);
      await ports.suppression.optOutOfContactList(contactOf(record).email);
      await suppressPhones(ports, record, evidence);
    }
  }
  await auditStep(ports.auditTrail, requestId, 'preferences_recorded', { type });
  ports.log.info('preferences recorded', { requestId, type });
  return { recorded: true };
}

/**
 * ConfirmChange: emails the person once (claimed in the ledger) what was
 * changed in which store, what was kept as it was and why, and which
 * processors were told. Store descriptions and processor names come from the
 * data map; no value of the person's appears but in their own corrections list.
 * Ends by completing the request (the same write as RecordOutcome's), so no
 * MarkCompleted follows; a retry after that completion only completes again.
 */
export async function confirmChange(
  ports: {
    readonly ledger: Pick<RequestLedger, 'require'> & OutcomeMailLedger & OutcomePorts['ledger'];
    readonly mailer: Mailer;
    readonly log: Log;
    readonly auditTrail?: AuditTrail;
  },
  dataMap: DataMap,
  requestId: string,
): Promise<{ readonly stores: number; readonly kept: number; readonly mailed: boolean }> {
  const record = await ports.ledger.require(requestId);
  // Completed (and minimised) by an earlier attempt whose end failed: only the completion is left,
  // and this call confirms nothing more.
  if (record.status === 'completed') {
    await completeRequest(ports, requestId);
    return { stores: 0, kept: 0, mailed: false };
  }
  const type = changeTypeOf(record);
  const contact = contactOf(record);
  const dataStores = dataMap.stores.filter(isDataStore);
  const summary: ChangeSummary = {
    requestId,
    type,
    changed: dataStores
      .map((s) => ({ description: s.description, records: record.stores?.[s.id]?.records ?? 0 }))
      .filter((s) => s.records > 0),
    kept: dataStores.flatMap((s) => {
      const kept = record.stores?.[s.id]?.kept ?? 0;
      return kept > 0 && s.keptOnCorrection
        ? [{ description: s.description, records: kept, reason: s.keptOnCorrection }]
        : [];
    }),
    processors: processorCallsOf(record, dataMap).map((p) => ({
      name: p.name,
      outcome: processorOutcome(p),
    })),
    attributes: Object.keys(contact.corrections ?? {}),
    purposes: record.purposes ?? [],
  };
  const at = new Date().toISOString();
  let mailed = false;
  if (await ports.ledger.claimOutcomeMail(requestId, at)) {
    try {
      await ports.mailer.send({ to: contact.email, ...changeConfirmedMail(record.locale, summary) });
    } catch (error) {
      await ports.ledger.releaseOutcomeMail(requestId, at);
      throw error;
    }
    mailed = true;
    await auditEmailSent(ports.auditTrail, requestId, 'change-confirmed');
  }
  await auditStep(ports.auditTrail, requestId, 'change_confirmed', {
    stores: summary.changed.length,
    kept: summary.kept.length,
  });
  ports.log.info('change confirmed', { requestId, stores: summary.changed.length, mailed });
  await completeRequest(ports, requestId);
  return { stores: summary.changed.length, kept: summary.kept.length, mailed };
}
