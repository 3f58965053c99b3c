/**
 * The email telling the person their request's deadline was extended: the new
 * due date and the reason, in the request's language first and the other below
 * (GDPR Art. 12(3) and CCPA regs §7021(b) require the notice, with reasons).
 */

import type { MailContent } from '../emails';
import { escapeHtml } from '../html';
import { t } from '../i18n/mail-messages';
import type { Locale } from '../request';

/** The new due date in Jakarta time (where Impor.in is) and UTC, for the reader's language. */
function dateText(locale: Locale, at: Date): string {
  const local = new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Asia/Jakarta',
  }).format(at);
  return `${local} WIB (${at.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
}

interface Part {
  readonly subject: string;
  readonly paragraphs: readonly string[];
}

function part(l: Locale, requestId: string, dueAt: Date, reason: string): Part {
  return {
    subject: t(l, 'mail.extension.subject'),
    paragraphs: [
      t(l, 'mail.extension.lead', { requestId }),
      t(l, 'mail.extension.due', { when: dateText(l, dueAt) }),
      t(l, 'mail.extension.reason', { reason }),
      t(l, 'mail.extension.questions'),
    ],
  };
}

/** The extension notice, bilingual: `locale` first, then the other language. */
export function deadlineExtendedMail(
  locale: Locale,
  args: { readonly requestId: string; readonly dueAt: Date; readonly reason: string },
): MailContent {
  const other: Locale = locale === 'id' ? 'en' : 'id';
  const first = part(locale, args.requestId, args.dueAt, args.reason);
  const second = part(other, args.requestId, args.dueAt, args.reason);
  return {
    subject: first.subject,
    text: [...first.paragraphs, '---', ...second.paragraphs].join('\n\n'),
    html: [
      ...first.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
      '<hr>',
      ...second.paragraphs.map((p) => `<p lang="${other}">${escapeHtml(p)}</p>`),
    ].join('\n'),
  };
}
