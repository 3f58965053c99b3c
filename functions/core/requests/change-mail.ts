/** The email that confirms a change request (correction, restriction, lifting it, withdrawal), EN and ID in one. */
import type { ConsentPurpose } from '../data-map';
import type { MailContent } from '../emails';
import type { ProcessorOutcome } from '../export/processor-calls';
import { MAIL_CATALOGUE, type MailKey, t } from '../i18n/mail-messages';
import type { ChangeType, Locale } from '../request';
import { bilingual, type MailText } from '../support/person-mails';

export interface ChangeSummary {
  readonly requestId: string;
  readonly type: ChangeType;
  /** Stores whose records were changed, by description. */
  readonly changed: readonly { readonly description: string; readonly records: number }[];
  /** Stores whose records were kept as they were, and why. */
  readonly kept: readonly {
    readonly description: string;
    readonly records: number;
    readonly reason: Readonly<Record<Locale, string>>;
  }[];
  readonly processors: readonly { readonly name: string; readonly outcome: ProcessorOutcome }[];
  /** `rectify`: the attributes corrected (names, not values). */
  readonly attributes: readonly string[];
  /** `withdraw_consent`: the purposes. */
  readonly purposes: readonly ConsentPurpose[];
}

/** A purpose in words, as the mail says it. */
const purposeText = (l: Locale, p: ConsentPurpose) => t(l, `mail.purpose.${p}`);

/** A corrected attribute by name (never its value); an unknown one as it is. */
function attributeText(l: Locale, attribute: string): string {
  const key = `mail.attribute.${attribute}`;
  return Object.hasOwn(MAIL_CATALOGUE[l], key) ? t(l, key as MailKey) : attribute;
}

const OUTCOME: Readonly<Record<ProcessorOutcome, MailKey>> = {
  confirmed: 'mail.processor.confirmed',
  followed_up: 'mail.change.followedUp',
  pending: 'mail.processor.pending',
};

/** One language's text of the confirmation. */
function text(l: Locale, s: ChangeSummary): MailText {
  const attributes = s.attributes.map((a) => attributeText(l, a)).join(', ');
  const purposes = s.purposes.map((p) => purposeText(l, p)).join(', ');
  const kept = s.kept.map((k) =>
    t(l, 'mail.change.kept', { description: k.description, count: k.records, reason: k.reason[l] }),
  );
  const told = s.processors.map((p) => `${p.name}: ${t(l, OUTCOME[p.outcome])}`);
  const what = t(l, `mail.change.what.${s.type}`, { attributes, purposes });
  // The stores' list closes the mail (the bilingual layout puts a list last).
  return {
    subject: t(l, `mail.change.subject.${s.type}`),
    paragraphs: [
      t(l, 'mail.change.done', { requestId: s.requestId, what }),
      t(l, `mail.change.after.${s.type}`),
      ...(told.length > 0 ? [t(l, 'mail.change.processors'), ...told] : []),
      ...kept,
      s.changed.length === 0 ? t(l, 'mail.change.nothing') : t(l, `mail.change.changedIn.${s.type}`),
    ],
    list: s.changed.map((c) => t(l, 'mail.storeRecords', { description: c.description, count: c.records })),
  };
}

/** The confirmation, the request's language first and the other below it. */
export function changeConfirmedMail(locale: Locale, summary: ChangeSummary): MailContent {
  return bilingual(locale, (l) => text(l, summary));
}
