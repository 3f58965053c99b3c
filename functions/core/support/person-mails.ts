/**
 * What the person is told when their request did not end as asked: completed
 * with exceptions, failed, verification expired, rejected after too many wrong
 * codes. Each in the request's language with the other below it, and each says
 * how to ask again.
 */

import type { MailContent } from '../emails';
import { escapeHtml } from '../html';
import type { Locale, RequestType } from '../request';

export interface MailText {
  readonly subject: string;
  readonly paragraphs: readonly string[];
  readonly list?: readonly string[];
}

const TYPE: Record<Locale, Record<RequestType, string>> = {
  en: {
    access: 'a copy of your data',
    delete: 'erasure of your data',
    opt_out: 'opting out of marketing',
    rectify: 'correction of your data',
    restrict: 'restriction of the processing of your data',
    lift_restriction: 'lifting the restriction of your data',
    withdraw_consent: 'withdrawing your consent',
  },
  id: {
    access: 'salinan data Anda',
    delete: 'penghapusan data Anda',
    opt_out: 'berhenti menerima pemasaran',
    rectify: 'pembetulan data Anda',
    restrict: 'pembatasan pemrosesan data Anda',
    lift_restriction: 'pencabutan pembatasan data Anda',
    withdraw_consent: 'penarikan persetujuan Anda',
  },
};

const ASK_AGAIN: Record<Locale, (publicUrl: string) => string> = {
  en: (url) =>
    `To ask again, send a new request at ${url}/ or reply to this email to reach our privacy team.`,
  id: (url) =>
    `Untuk mengajukan lagi, kirim permintaan baru di ${url}/ atau balas email ini untuk menghubungi tim privasi kami.`,
};

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

const WHAT_FAILED: Record<Locale, Record<RequestType, string>> = {
  en: {
    access: 'could not export the data held in',
    delete: 'could not erase the data held in',
    opt_out: 'could not turn off marketing in',
    rectify: 'could not correct the data held in',
    restrict: 'could not restrict the data held in',
    lift_restriction: 'could not lift the restriction in',
    withdraw_consent: 'could not record the withdrawal of consent in',
  },
  id: {
    access: 'tidak dapat mengekspor data di',
    delete: 'tidak dapat menghapus data di',
    opt_out: 'tidak dapat menonaktifkan pemasaran di',
    rectify: 'tidak dapat membetulkan data di',
    restrict: 'tidak dapat membatasi data di',
    lift_restriction: 'tidak dapat mencabut pembatasan di',
    withdraw_consent: 'tidak dapat mencatat penarikan persetujuan di',
  },
};

/** Completed with exceptions: what could not be done (per store) and why (support's reason). */
/** A reason the system gives (not support's typed words), in both languages. */
export type PersonReason = Readonly<Record<'id' | 'en', string>>;

export function completedWithExceptionsMail(
  request: MailRequest,
  stores: readonly { readonly storeId: string; readonly description?: string }[],
  /** Support's words as typed, or the system's own reason in both languages. */
  reason: string | PersonReason,
): MailContent {
  const { requestId, type, publicUrl } = request;
  const why = (l: 'id' | 'en') => (typeof reason === 'string' ? reason : reason[l]);
  const where = (s: (typeof stores)[number]) =>
    s.description ? `${s.description} (${s.storeId})` : s.storeId;
  return bilingual(request.locale, (l) =>
    l === 'id'
      ? {
          subject: `Permintaan ${requestId} selesai dengan pengecualian`,
          paragraphs: [
            `Kami telah menyelesaikan permintaan ${requestId} (${TYPE.id[type]}), kecuali bagian berikut. Kami ${WHAT_FAILED.id[type]}:`,
            `Alasannya: ${why('id')}`,
            ...(type === 'access' ? ['Tautan unduhan untuk data lainnya dikirim dalam email terpisah.'] : []),
            ASK_AGAIN.id(publicUrl),
          ],
          list: stores.map(where),
        }
      : {
          subject: `Request ${requestId} completed with exceptions`,
          paragraphs: [
            `We completed request ${requestId} (${TYPE.en[type]}) except for the following. We ${WHAT_FAILED.en[type]}:`,
            `Why: ${why('en')}`,
            ...(type === 'access'
              ? ['The download link for the rest of your data comes in a separate email.']
              : []),
            ASK_AGAIN.en(publicUrl),
          ],
          list: stores.map(where),
        },
  );
}

/** Failed: the request could not be carried out, and why. */
export function requestFailedMail(request: MailRequest, reason: string): MailContent {
  const { requestId, type, publicUrl } = request;
  return bilingual(request.locale, (l) =>
    l === 'id'
      ? {
          subject: `Permintaan ${requestId} tidak dapat diselesaikan`,
          paragraphs: [
            `Maaf, kami tidak dapat menyelesaikan permintaan ${requestId} (${TYPE.id[type]}).`,
            `Alasannya: ${reason}`,
            ASK_AGAIN.id(publicUrl),
          ],
        }
      : {
          subject: `Request ${requestId} could not be completed`,
          paragraphs: [
            `We are sorry: we could not complete request ${requestId} (${TYPE.en[type]}).`,
            `Why: ${reason}`,
            ASK_AGAIN.en(publicUrl),
          ],
        },
  );
}

/** Verification expired: nobody confirmed the request in time, so nothing was done. */
export function verificationExpiredMail(request: MailRequest): MailContent {
  const { requestId, type, publicUrl } = request;
  return bilingual(request.locale, (l) =>
    l === 'id'
      ? {
          subject: `Permintaan ${requestId} kedaluwarsa`,
          paragraphs: [
            `Permintaan ${requestId} (${TYPE.id[type]}) tidak dikonfirmasi tepat waktu, jadi kami tidak memprosesnya dan tidak ada data yang diubah.`,
            ASK_AGAIN.id(publicUrl),
          ],
        }
      : {
          subject: `Request ${requestId} expired`,
          paragraphs: [
            `Request ${requestId} (${TYPE.en[type]}) was not confirmed in time, so we did not act on it and no data was changed.`,
            ASK_AGAIN.en(publicUrl),
          ],
        },
  );
}

/** Rejected: too many wrong codes, so nothing was done. */
export function verificationRejectedMail(request: MailRequest): MailContent {
  const { requestId, type, publicUrl } = request;
  return bilingual(request.locale, (l) =>
    l === 'id'
      ? {
          subject: `Permintaan ${requestId} ditolak`,
          paragraphs: [
            `Permintaan ${requestId} (${TYPE.id[type]}) ditolak karena kode konfirmasi yang salah dimasukkan terlalu sering. Kami tidak memprosesnya dan tidak ada data yang diubah.`,
            `Jika itu Anda, ${ASK_AGAIN.id(publicUrl).charAt(0).toLowerCase()}${ASK_AGAIN.id(publicUrl).slice(1)}`,
          ],
        }
      : {
          subject: `Request ${requestId} was rejected`,
          paragraphs: [
            `Request ${requestId} (${TYPE.en[type]}) was rejected because a wrong confirmation code was entered too many times. We did not act on it and no data was changed.`,
            `If this was you: ${ASK_AGAIN.en(publicUrl).charAt(0).toLowerCase()}${ASK_AGAIN.en(publicUrl).slice(1)}`,
          ],
        },
  );
}
