/**
 * An opt-out: marketing consent turned off in every store that holds it, then
 * the subject suppressed for good and told what was done.
 */
import { auditEmailSent, auditStep, auditStore } from '../audit/events';
import { type DataMap, dataStoreOf, isDataStore } from '../data-map';
import { optOutConfirmedMail } from '../emails';
import { processorCallsOf, processorOutcome } from '../export/processor-calls';
import { contactOf, type LedgerRecord } from '../ledger-record';
import type {
  AuditTrail,
  Connector,
  Log,
  Mailer,
  MarketingSuppression,
  OutcomeMailLedger,
  RequestLedger,
  SubjectResolver,
} from '../ports';
import { PhoneNumber } from '../request-bodies';
import { markedFailedOnError } from '../store-progress';
import { completeRequest, type OutcomePorts } from './outcome';

/** A store declares marketing consent but its kind has no way to change it. Not retried. */
export class OptOutUnsupportedError extends Error {
  override readonly name = 'OptOutUnsupported';
}

export interface OptOutStoreResult {
  readonly storeId: string;
  /** Records whose consent fields are now false. */
  readonly updated: number;
  /** The store declares no marketing consent: nothing to do. */
  readonly skipped: boolean;
}

export interface RecordSuppressionResult {
  readonly suppressed: true;
  /** Whether this call updated an SES contact list (only where setting `sesContactList` is set). */
  readonly contactList: boolean;
  /** Stores whose consent was turned off, with their record counts. */
  readonly stores: number;
  /** Processors told about the opt-out (acknowledged or followed up by support). */
  readonly processors: number;
}

/**
 * Suppresses WhatsApp and SMS to every phone number the stores hold for the
 * subject (resolved now, or already in the ledger), by keyed hash. Numbers
 * that are not valid E.164 after normalising are skipped. Returns how many.
 */
export async function suppressPhones(
  ports: {
    readonly suppression: Pick<MarketingSuppression, 'suppressPhone'>;
    readonly subjects?: SubjectResolver;
  },
  record: LedgerRecord,
  evidence: { readonly requestId: string; readonly at: string },
): Promise<number> {
  const resolved = ports.subjects ? (await ports.subjects.resolve(contactOf(record).email)).identities : {};
  const raw = [...(record.identities?.phone ?? []), ...(resolved.phone ?? [])];
  const phones = new Set(
    raw.flatMap((p) => {
      const phone = PhoneNumber.safeParse(p);
      return phone.success ? [phone.data] : [];
    }),
  );
  for (const phone of phones) await ports.suppression.suppressPhone(phone, evidence);
  return phones.size;
}

/**
 * SuppressSubject: right after verification (or the one-click token check),
 * before any store or processor is touched, the subject goes on the
 * suppression list and off the SES contact list, and stays there whatever
 * happens to the rest of the request. Idempotent; RecordSuppression repeats it.
 */
export async function suppressAtOnce(
  ports: {
    readonly ledger: Pick<RequestLedger, 'require'>;
    readonly suppression: Pick<MarketingSuppression, 'suppress' | 'suppressPhone' | 'optOutOfContactList'>;
    /** Finds the phone numbers the stores hold, so WhatsApp and SMS stop too. */
    readonly subjects?: SubjectResolver;
    readonly log: Log;
    readonly auditTrail?: AuditTrail;
    readonly clock?: () => Date;
  },
  requestId: string,
): Promise<{ readonly suppressed: true; readonly contactList: boolean; readonly phones: number }> {
  const record = await ports.ledger.require(requestId);
  const at =
    record.history.find((h) => h.status === 'verified')?.at ?? (ports.clock?.() ?? new Date()).toISOString();
  // The address first: a store that cannot be read for phone numbers must not delay it.
  await ports.suppression.suppress(record.subjectHash, { requestId, at });
  const contactList = await ports.suppression.optOutOfContactList(contactOf(record).email);
  const phones = await suppressPhones(ports, record, { requestId, at });
  await auditStep(ports.auditTrail, requestId, 'suppressed', { contactList, phones });
  ports.log.info('subject suppressed before the stores', { requestId, contactList, phones });
  return { suppressed: true, contactList, phones };
}

/**
 * The opt-out's time: when the request started (PlanStores), so a retry
 * stamps the same time as the first attempt.
 */
function optOutTime(record: LedgerRecord): string {
  return record.history.findLast((h) => h.status === 'in_progress')?.at ?? new Date().toISOString();
}

/**
 * One store: turns marketing consent off on the subject's records and records
 * the count in the ledger. Stores without `marketingConsentFields` are skipped
 * (progress `completed`, 0 records).
 */
export async function optOutStore(
  ports: {
    readonly ledger: RequestLedger;
    readonly connectorFor: (store: ReturnType<typeof dataStoreOf>) => Connector;
    readonly log: Log;
    /** The request's audit chain (owner: audit); absent in tests of other concerns. */
    readonly auditTrail?: AuditTrail;
  },
  dataMap: DataMap,
  { requestId, storeId }: { readonly requestId: string; readonly storeId: string },
): Promise<OptOutStoreResult> {
  const { ledger, log } = ports;
  const store = dataStoreOf(dataMap, storeId);
  const connector = ports.connectorFor(store);
  if ((store.marketingConsentFields ?? []).length === 0) {
    await ledger.setStoreProgress(requestId, storeId, { status: 'completed', records: 0 });
    log.info('store holds no marketing consent', { requestId, storeId });
    await auditStore(ports.auditTrail, requestId, storeId, 'store_opted_out', { updated: 0, skipped: 1 });
    return { storeId, updated: 0, skipped: true };
  }
  const optOut = connector.optOut?.bind(connector);
  // Declared consent this system cannot turn off must reach support, not pass as done.
  if (!optOut)
    throw new OptOutUnsupportedError(`store ${storeId} declares consent its connector cannot change`);
  const record = await ledger.require(requestId);
  await ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' });
  return markedFailedOnError({ ledger, log }, { requestId, storeId }, async () => {
    const receipt = await optOut(
      { identities: record.identities ?? {} },
      { requestId, at: optOutTime(record) },
    );
    await ledger.setStoreProgress(requestId, storeId, { status: 'completed', records: receipt.updated });
    log.info('marketing consent off', { requestId, storeId, updated: receipt.updated });
    await auditStore(ports.auditTrail, requestId, storeId, 'store_opted_out', { updated: receipt.updated });
    return { storeId, updated: receipt.updated, skipped: false };
  });
}

/**
 * Suppresses the subject (so sign-ups and imports see the opt-out from now
 * on), opts the address out of the mail contact list where one is configured,
 * and emails the subject a bilingual confirmation listing the stores whose
 * consent was turned off and the processors told (which confirmed, which
 * support follows up). Each step is idempotent, and a retry after the
 * confirmation went out does not send it again. Ends by completing the
 * request (the same write as RecordOutcome's), so no MarkCompleted follows.
 */
export async function recordSuppression(
  ports: {
    readonly ledger: Pick<RequestLedger, 'require'> & OutcomeMailLedger & OutcomePorts['ledger'];
    readonly suppression: MarketingSuppression;
    readonly mailer: Mailer;
    readonly log: Log;
    /** The request's audit chain (owner: audit); absent in tests of other concerns. */
    readonly auditTrail?: AuditTrail;
  },
  dataMap: DataMap,
  requestId: string,
): Promise<RecordSuppressionResult> {
  const { suppression } = ports;
  const record = await ports.ledger.require(requestId);
  const stores = dataMap.stores
    .filter(isDataStore)
    .filter((s) => (s.marketingConsentFields ?? []).length > 0)
    .map((s) => ({ description: s.description, records: record.stores?.[s.id]?.records ?? 0 }))
    .filter((s) => s.records > 0);
  // Names only: a processor's reference and our identifiers never go into the mail.
  const processors = processorCallsOf(record, dataMap).map((p) => ({
    name: p.name,
    outcome: processorOutcome(p),
  }));
  const counts = { stores: stores.length, processors: processors.length };
  // Completed (and minimised) by an earlier attempt whose end failed: only the completion is left.
  if (record.status === 'completed') {
    await completeRequest(ports, requestId);
    return { suppressed: true, contactList: false, ...counts };
  }
  const contact = contactOf(record);
  await suppression.suppress(record.subjectHash, { requestId, at: optOutTime(record) });
  await suppressPhones(ports, record, { requestId, at: optOutTime(record) });
  const contactList = await suppression.optOutOfContactList(contact.email);
  // Mailed once: claimed in the ledger before sending, released if the send fails so the retry sends it.
  const at = new Date().toISOString();
  if (await ports.ledger.claimOutcomeMail(requestId, at)) {
    try {
      await ports.mailer.send({
        to: contact.email,
        ...optOutConfirmedMail(record.locale, { requestId, stores, processors }),
      });
    } catch (error) {
      await ports.ledger.releaseOutcomeMail(requestId, at);
      throw error;
    }
    await auditEmailSent(ports.auditTrail, requestId, 'opt-out-confirmed');
  }
  await auditStep(ports.auditTrail, requestId, 'suppression_recorded', {
    contactList,
    stores: stores.length,
  });
  ports.log.info('subject suppressed', {
    requestId,
    contactList,
    stores: stores.length,
    processors: processors.length,
    processorsFollowedUp: processors.filter((p) => p.outcome === 'followed_up').length,
  });
  await completeRequest(ports, requestId);
  return { suppressed: true, contactList, ...counts };
}
