import { z } from 'zod';
import { sesClient } from '../aws/clients';
import { logger } from '../aws/logger';
import { sendMail } from '../aws/mailer';
import { config, ledgerTable } from '../aws/runtime';
import { MARKETING_CHANNELS, optOutOfContactList, suppressionList } from '../aws/suppression';
import { optOutConfirmedMail } from '../core/emails';
import { contactOf, type LedgerRecord } from '../core/ledger-record';

const Input = z.object({ requestId: z.string().min(1) });

export interface RecordSuppressionResult {
  readonly suppressed: true;
  /** Whether an SES contact list was updated (only where `DSR_SES_CONTACT_LIST` is set). */
  readonly contactList: boolean;
  /** Stores whose consent was turned off, with their record counts. */
  readonly stores: number;
}

/** Same stable time as OptOutStore: when the request started. */
function optOutTime(record: LedgerRecord): string {
  return record.history.findLast((h) => h.status === 'in_progress')?.at ?? new Date().toISOString();
}

/**
 * RecordSuppression: adds the subject's keyed hash to the suppression list (so
 * `isSuppressed(email)` answers true from now on), sets the SES contact-list
 * topics to OPT_OUT where a list is configured, and emails the subject a
 * bilingual confirmation listing the stores whose consent was turned off.
 * Each step is idempotent; a retry may send the confirmation twice.
 */
export async function handler(event: unknown): Promise<RecordSuppressionResult> {
  const { requestId } = Input.parse(event);
  const cfg = config();
  const record = await ledgerTable().require(requestId);
  const contact = contactOf(record);
  await suppressionList().suppress(record.subjectHash, {
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
    .filter((s) => (s.marketingConsentFields ?? []).length > 0)
    .map((s) => ({ description: s.description, records: record.stores?.[s.id]?.records ?? 0 }))
    .filter((s) => s.records > 0);
  await sendMail(sesClient(), cfg.DSR_MAIL_FROM, {
    to: contact.email,
    ...optOutConfirmedMail(record.locale, { requestId, stores }),
  });
  logger.info('subject suppressed', { requestId, contactList: Boolean(listName), stores: stores.length });
  return { suppressed: true, contactList: Boolean(listName), stores: stores.length };
}
