import { z } from 'zod';
import { sesClient } from '../aws/clients';
import { config, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { sendMail } from '../aws/mailer';
import { MARKETING_CHANNELS, optOutOfContactList, suppressionList } from '../aws/suppression';
import { isDataStore } from '../core/data-map';
import { optOutConfirmedMail } from '../core/emails';
import { processorCallsOf, processorOutcome } from '../core/export/processor-calls';
import { contactOf, type LedgerRecord } from '../core/ledger-record';

const Input = z.object({ requestId: z.string().min(1) });

export interface RecordSuppressionResult {
  readonly suppressed: true;
  /** Whether an SES contact list was updated (only where `DSR_SES_CONTACT_LIST` is set). */
  readonly contactList: boolean;
  /** Stores whose consent was turned off, with their record counts. */
  readonly stores: number;
  /** Processors told about the opt-out (acknowledged or followed up by support). */
  readonly processors: number;
}

/** Same stable time as OptOutStore: when the request started. */
function optOutTime(record: LedgerRecord): string {
  return record.history.findLast((h) => h.status === 'in_progress')?.at ?? new Date().toISOString();
}

/**
 * RecordSuppression: adds the subject's keyed hash to the suppression list (so
 * `isSuppressed(email)` answers true from now on), sets the SES contact-list
 * topics to OPT_OUT where a list is configured, and emails the subject a
 * bilingual confirmation listing the stores whose consent was turned off and
 * the processors told (which confirmed, which our support team follows up).
 * Each step is idempotent, and a retry after the confirmation went out does not send it again.
 */
export async function handler(event: unknown): Promise<RecordSuppressionResult> {
  const { requestId } = Input.parse(event);
  const cfg = config();
  const record = await ledgerTable().require(requestId);
  const contact = contactOf(record);
  const list = suppressionList();
  await list.suppress(record.subjectHash, {
    requestId,
    at: optOutTime(record),
    channels: MARKETING_CHANNELS,
  });
  const listName = cfg.DSR_SES_CONTACT_LIST;
  if (listName) {
    await optOutOfContactList(sesClient(), {
      contactListName: listName,
      topics: cfg.DSR_SES_CONTACT_TOPICS,
      email: contact.email,
    });
  }
  const stores = cfg.dataMap.stores
    .filter(isDataStore)
    .filter((s) => (s.marketingConsentFields ?? []).length > 0)
    .map((s) => ({ description: s.description, records: record.stores?.[s.id]?.records ?? 0 }))
    .filter((s) => s.records > 0);
  // Names only: a processor's reference and our identifiers never go into the mail.
  const processors = processorCallsOf(record, cfg.dataMap).map((p) => ({
    name: p.name,
    outcome: processorOutcome(p),
  }));
  if (!(await list.wasConfirmed(record.subjectHash, requestId))) {
    await sendMail(sesClient(), cfg.DSR_MAIL_FROM, {
      to: contact.email,
      ...optOutConfirmedMail(record.locale, { requestId, stores, processors }),
    });
    await list.markConfirmed(record.subjectHash, requestId);
  }
  logger.info('subject suppressed', {
    requestId,
    contactList: Boolean(listName),
    stores: stores.length,
    processors: processors.length,
    processorsFollowedUp: processors.filter((p) => p.outcome === 'followed_up').length,
  });
  return {
    suppressed: true,
    contactList: Boolean(listName),
    stores: stores.length,
    processors: processors.length,
  };
}
