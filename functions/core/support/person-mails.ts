/**
 * What the person is told when their request did not end as asked: completed
 * with exceptions, failed, verification expired, rejected after too many wrong
 * codes. Each in the request's language with the other below it, and each says
 * how to ask again.
 */

import type { MailContent } from '../emails';
import { escapeHtml } from '../html';
import { t } from '../i18n/mail-messages';
import type { Locale, RequestType } from '../request';

export interface MailText {
  readonly subject: string;
  readonly paragraphs: readonly string[];
  readonly list?: readonly string[];
}

/** What was asked, in words (`mail.type.*`). */
const typeText = (l: Locale, type: RequestType) => t(l, `mail.type.${type}`);

/** Both languages, the request's first, as one email. */
export function bilingual(locale: Locale, build: (l: Locale) => MailText): MailContent {
  const order: Locale[] = locale === 'id' ? ['id', 'en'] : ['en', 'id'];
  const parts = order.map(build);
  const first = parts[0] as MailText;
  const text = parts
    .map((p) => [...p.paragraphs, ...(p.list ?? []).map((l) => `- ${l}`)].join('\n\n'))
    .join('\n\n-----\n\n');
  const html = parts
    .map(
      (p) =>
        `${p.paragraphs.map((x) => `<p>${escapeHtml(x)}</p>`).join('')}${
          p.list ? `<ul>${p.list.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : ''
        }`,
    )
    .join('<hr>');
  return { subject: `${first.subject} / ${(parts[1] as MailText).subject}`, text, html };
}

export interface MailRequest {
  readonly requestId: string;
  readonly type: RequestType;
  readonly locale: Locale;
  readonly publicUrl: string;
}

/** A reason the system gives (not support's typed words), in both languages. */
export type PersonReason = Readonly<Record<'id' | 'en', string>>;

/** Completed with exceptions: what could not be done (per store) and why (support's reason). */
export function completedWithExceptionsMail(
  request: MailRequest,
  stores: readonly { readonly storeId: string; readonly description?: string }[],
  /** Support's words as typed, or the system's own reason in both languages. */
  reason: string | PersonReason,
): MailContent {
  const { requestId, type, publicUrl } = request;
  const where = (s: (typeof stores)[number]) =>
    s.description ? `${s.description} (${s.storeId})` : s.storeId;
  return bilingual(request.locale, (l) => ({
    subject: t(l, 'mail.exceptions.subject', { requestId }),
    paragraphs: [
      t(l, 'mail.exceptions.lead', {
        requestId,
        type: typeText(l, type),
        failed: t(l, `mail.failedIn.${type}`),
      }),
      t(l, 'mail.why', { reason: typeof reason === 'string' ? reason : reason[l] }),
      ...(type === 'access' ? [t(l, 'mail.exceptions.download')] : []),
      t(l, 'mail.askAgain', { url: publicUrl }),
    ],
    list: stores.map(where),
  }));
}

/** Failed: the request could not be carried out, and why. */
export function requestFailedMail(request: MailRequest, reason: string): MailContent {
  const { requestId, type, publicUrl } = request;
  return bilingual(request.locale, (l) => ({
    subject: t(l, 'mail.failed.subject', { requestId }),
    paragraphs: [
      t(l, 'mail.failed.lead', { requestId, type: typeText(l, type) }),
      t(l, 'mail.why', { reason }),
      t(l, 'mail.askAgain', { url: publicUrl }),
    ],
  }));
}

/** Verification expired: nobody confirmed the request in time, so nothing was done. */
export function verificationExpiredMail(request: MailRequest): MailContent {
  const { requestId, type, publicUrl } = request;
  return bilingual(request.locale, (l) => ({
    subject: t(l, 'mail.expired.subject', { requestId }),
    paragraphs: [
      t(l, 'mail.expired.lead', { requestId, type: typeText(l, type) }),
      t(l, 'mail.askAgain', { url: publicUrl }),
    ],
  }));
}

/** Rejected: too many wrong codes, so nothing was done. */
export function verificationRejectedMail(request: MailRequest): MailContent {
  const { requestId, type, publicUrl } = request;
  return bilingual(request.locale, (l) => ({
    subject: t(l, 'mail.rejected.subject', { requestId }),
    paragraphs: [
      t(l, 'mail.rejected.lead', { requestId, type: typeText(l, type) }),
      t(l, 'mail.rejected.askAgain', { url: publicUrl }),
    ],
  }));
}
