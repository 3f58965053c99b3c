import { LANGUAGE_NAMES, otherLocale } from './i18n/catalogue';
import type { Locale } from './request';

export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * One email in both languages: the request's first, a rule, then the other
 * (marked with its `lang` in HTML), so a person who reads the other one is
 * never left out; the subject names both.
 */
export function bothLanguages(locale: Locale, build: (l: Locale) => MailContent): MailContent {
  const other = otherLocale(locale);
  const first = build(locale);
  const second = build(other);
  return {
    subject: `${first.subject} / ${second.subject}`,
    text: `${first.text}\n\n----- ${LANGUAGE_NAMES[other]} -----\n\n${second.text}`,
    html: `<div lang="${locale}">${first.html}</div><hr><div lang="${other}">${second.html}</div>`,
  };
}

/** The read-only status link: it opens the status page, nothing else. */
export function statusLink(publicUrl: string, requestId: string, linkToken: string): string {
  return `${publicUrl}/requests/${encodeURIComponent(requestId)}/status?token=${encodeURIComponent(linkToken)}`;
}

/** The emailed verification link: it opens the confirmation page, whose form POSTs the token. */
export function verificationLink(publicUrl: string, requestId: string, linkToken: string): string {
  return `${publicUrl}/requests/${encodeURIComponent(requestId)}/verify?token=${encodeURIComponent(linkToken)}`;
}

/** The verification email (EN or ID): the 6-digit code and a link to the confirmation page. */
function verificationMailIn(
  locale: Locale,
  args: { requestId: string; code: string; link: string; minutes: number; statusLink?: string },
): MailContent {
  const { requestId, code, link, minutes, statusLink } = args;
  if (locale === 'id') {
    const status = statusLink
      ? {
          text: `\n\nIkuti kemajuan permintaan Anda (halaman ini hanya menampilkan status):\n${statusLink}`,
          html: `<p><a href="${esc(statusLink)}">Lihat status permintaan Anda</a> (hanya menampilkan kemajuan; tidak mengubah apa pun).</p>`,
        }
      : { text: '', html: '' };
    return {
      subject: 'Kode konfirmasi permintaan data Anda',
      text: `Kami menerima permintaan ${requestId} atas data pribadi Anda di Impor.in.\n\nKode konfirmasi: ${code}\n\nAtau buka tautan ini untuk mengonfirmasi:\n${link}\n\nKode berlaku ${minutes} menit. Jika Anda tidak mengajukan permintaan ini, abaikan email ini.${status.text}`,
      html: `<p>Kami menerima permintaan <strong>${esc(requestId)}</strong> atas data pribadi Anda di Impor.in.</p><p>Kode konfirmasi: <strong style="font-size:1.4em">${esc(code)}</strong></p><p><a href="${esc(link)}">Konfirmasi permintaan</a></p><p>Kode berlaku ${minutes} menit. Jika Anda tidak mengajukan permintaan ini, abaikan email ini.</p>${status.html}`,
    };
  }
  const status = statusLink
    ? {
        text: `\n\nFollow your request's progress (this page only shows its status):\n${statusLink}`,
        html: `<p><a href="${esc(statusLink)}">See the status of your request</a> (it only shows progress; it changes nothing).</p>`,
      }
    : { text: '', html: '' };
  return {
    subject: 'Your data request confirmation code',
    text: `We received request ${requestId} about your personal data at Impor.in.\n\nConfirmation code: ${code}\n\nOr open this link to confirm:\n${link}\n\nThe code is valid for ${minutes} minutes. If you did not make this request, ignore this email.${status.text}`,
    html: `<p>We received request <strong>${esc(requestId)}</strong> about your personal data at Impor.in.</p><p>Confirmation code: <strong style="font-size:1.4em">${esc(code)}</strong></p><p><a href="${esc(link)}">Confirm the request</a></p><p>The code is valid for ${minutes} minutes. If you did not make this request, ignore this email.</p>${status.html}`,
  };
}

/** The code that confirms a new email address, sent to that address (EN or ID). */
function newAddressMailIn(locale: Locale, args: { requestId: string; code: string }): MailContent {
  const { requestId, code } = args;
  if (locale === 'id') {
    return {
      subject: 'Konfirmasi alamat email baru Anda',
      text: `Permintaan ${requestId} mengganti alamat email akun Impor.in Anda ke alamat ini.\n\nKode untuk alamat baru: ${code}\n\nMasukkan kode ini bersama kode yang dikirim ke alamat lama Anda. Jika Anda tidak mengajukan permintaan ini, abaikan email ini; tidak ada yang berubah.`,
      html: `<p>Permintaan <strong>${esc(requestId)}</strong> mengganti alamat email akun Impor.in Anda ke alamat ini.</p><p>Kode untuk alamat baru: <strong style="font-size:1.4em">${esc(code)}</strong></p><p>Masukkan kode ini bersama kode yang dikirim ke alamat lama Anda. Jika Anda tidak mengajukan permintaan ini, abaikan email ini; tidak ada yang berubah.</p>`,
    };
  }
  return {
    subject: 'Confirm your new email address',
    text: `Request ${requestId} changes the email address of your Impor.in account to this address.\n\nCode for the new address: ${code}\n\nEnter it together with the code sent to your current address. If you did not make this request, ignore this email; nothing changes.`,
    html: `<p>Request <strong>${esc(requestId)}</strong> changes the email address of your Impor.in account to this address.</p><p>Code for the new address: <strong style="font-size:1.4em">${esc(code)}</strong></p><p>Enter it together with the code sent to your current address. If you did not make this request, ignore this email; nothing changes.</p>`,
  };
}

/**
 * The "your data is ready" email (EN or ID): a link to the API, never a
 * pre-signed URL. When the search found nothing (`records` is 0) it says so
 * plainly; the archive then only lists the places that were searched.
 */
function exportReadyMailIn(
  locale: Locale,
  args: { requestId: string; link: string; days: number; records?: number },
): MailContent {
  const { requestId, link, days } = args;
  const none = args.records === 0;
  if (locale === 'id') {
    const lead = none
      ? `Kami telah memeriksa semua tempat kami menyimpan data untuk permintaan ${requestId}. Kami tidak menyimpan data apa pun tentang Anda.`
      : `Salinan data untuk permintaan ${requestId} sudah siap.`;
    const action = none ? 'Daftar tempat yang kami periksa' : 'Unduh data Anda';
    return {
      subject: none
        ? 'Kami tidak menyimpan data tentang Anda di Impor.in'
        : 'Salinan data Anda dari Impor.in sudah siap',
      text: `${lead}\n\n${action} (berlaku ${days} hari):\n${link}`,
      html: `<p>${esc(lead)}</p><p><a href="${esc(link)}">${action}</a> (berlaku ${days} hari).</p>`,
    };
  }
  const lead = none
    ? `We searched every place we keep data for request ${requestId}. We hold no data about you.`
    : `The copy of your data for request ${requestId} is ready.`;
  const action = none ? 'See the list of places we searched' : 'Download your data';
  return {
    subject: none ? 'We hold no data about you at Impor.in' : 'Your copy of your Impor.in data is ready',
    text: `${lead}\n\n${action} here (valid for ${days} days):\n${link}`,
    html: `<p>${esc(lead)}</p><p><a href="${esc(link)}">${action}</a> (valid for ${days} days).</p>`,
  };
}

/** A grace period in words: whole days, hours, minutes or seconds, whichever fits. */
function durationText(locale: Locale, seconds: number): string {
  const bySecond: [number, string, string, string] = [1, 'second', 'seconds', 'detik'];
  const units: [number, string, string, string][] = [
    [86400, 'day', 'days', 'hari'],
    [3600, 'hour', 'hours', 'jam'],
    [60, 'minute', 'minutes', 'menit'],
  ];
  const [size, one, many, id] = units.find(([size]) => seconds >= size && seconds % size === 0) ?? bySecond;
  const count = Math.round(seconds / size);
  if (locale === 'id') return `${count} ${id}`;
  return `${count} ${count === 1 ? one : many}`;
}

/** When erasure starts, in Jakarta time (where Impor.in is) and UTC, for the reader's language. */
function startText(locale: Locale, at: Date): string {
  const local = new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Asia/Jakarta',
  }).format(at);
  return `${local} WIB (${at.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
}

/**
 * The "your deletion is scheduled" email (EN or ID): when erasure starts and
 * the link that cancels it until then. The link carries the cancel token, so it
 * appears only in the body, never in the subject line.
 */
function erasureScheduledMailIn(
  locale: Locale,
  args: { requestId: string; link: string; startsAt: Date; graceSeconds: number },
): MailContent {
  const { requestId, link, startsAt, graceSeconds } = args;
  const when = startText(locale, startsAt);
  const wait = durationText(locale, graceSeconds);
  if (locale === 'id') {
    return {
      subject: 'Penghapusan data Anda di Impor.in telah dijadwalkan',
      text: `Permintaan ${requestId} untuk menghapus data pribadi Anda di Impor.in telah dikonfirmasi.\n\nPenghapusan dimulai dalam ${wait}, pada ${when}. Sampai saat itu Anda dapat membatalkannya:\n${link}\n\nData yang wajib kami simpan menurut hukum (misalnya catatan pajak) akan disimpan dengan alasannya; Anda akan menerima ringkasan setelah selesai.`,
      html: `<p>Permintaan <strong>${esc(requestId)}</strong> untuk menghapus data pribadi Anda di Impor.in telah dikonfirmasi.</p><p>Penghapusan dimulai dalam ${esc(wait)}, pada <strong>${esc(when)}</strong>.</p><p><a href="${esc(link)}">Batalkan penghapusan</a> (hanya sebelum waktu tersebut).</p><p>Data yang wajib kami simpan menurut hukum (misalnya catatan pajak) akan disimpan dengan alasannya; Anda akan menerima ringkasan setelah selesai.</p>`,
    };
  }
  return {
    subject: 'The deletion of your Impor.in data is scheduled',
    text: `Request ${requestId} to delete your personal data at Impor.in is confirmed.\n\nErasure starts in ${wait}, at ${when}. Until then you can cancel it:\n${link}\n\nRecords the law requires us to keep (such as tax records) are kept, with the reason; you will get a summary when it is done.`,
    html: `<p>Request <strong>${esc(requestId)}</strong> to delete your personal data at Impor.in is confirmed.</p><p>Erasure starts in ${esc(wait)}, at <strong>${esc(when)}</strong>.</p><p><a href="${esc(link)}">Cancel the deletion</a> (only before that time).</p><p>Records the law requires us to keep (such as tax records) are kept, with the reason; you will get a summary when it is done.</p>`,
  };
}

/** A processor told about an opt-out, as the subject is told: its name and whether it confirmed. */
export interface OptOutProcessor {
  readonly name: string;
  /** `followed_up`: it did not confirm in time (or could not comply) and support is following up. */
  readonly outcome: 'confirmed' | 'followed_up' | 'pending';
}

const PROCESSOR_TEXT = {
  en: {
    intro: 'We also told the partners that process your data for us to stop marketing to you:',
    confirmed: 'confirmed',
    followed_up: 'has not confirmed; our support team is following up',
    pending: 'told; waiting for its confirmation',
  },
  id: {
    intro:
      'Kami juga meminta mitra yang memproses data Anda untuk kami agar berhenti mengirim pemasaran kepada Anda:',
    confirmed: 'telah mengonfirmasi',
    followed_up: 'belum mengonfirmasi; tim dukungan kami sedang menindaklanjutinya',
    pending: 'sudah diberi tahu; menunggu konfirmasinya',
  },
} as const;

/** The processors paragraph of the opt-out mail (text and HTML); empty when no processor was told. */
function processorLines(
  locale: Locale,
  processors: readonly OptOutProcessor[],
): { text: string; html: string } {
  if (processors.length === 0) return { text: '', html: '' };
  const t = PROCESSOR_TEXT[locale];
  return {
    text: `\n\n${t.intro}\n${processors.map((p) => `- ${p.name}: ${t[p.outcome]}`).join('\n')}`,
    html: `<p>${esc(t.intro)}</p><ul>${processors.map((p) => `<li>${esc(p.name)}: ${esc(t[p.outcome])}</li>`).join('')}</ul>`,
  };
}

/**
 * The "you will get no more marketing" email (EN or ID): which places were
 * updated, which processors were told (confirmed, or followed up by support),
 * and that the address stays on the suppression list. Store descriptions and
 * processor names come from the data map; no record contents or processor
 * references appear.
 */
function optOutConfirmedMailIn(
  locale: Locale,
  args: {
    requestId: string;
    stores: readonly { description: string; records: number }[];
    processors?: readonly OptOutProcessor[];
  },
): MailContent {
  const { requestId, stores } = args;
  const told = processorLines(locale, args.processors ?? []);
  const list = (recordsWord: string) =>
    stores.map((s) => `- ${s.description} (${s.records} ${recordsWord})`).join('\n');
  const htmlList = (recordsWord: string) =>
    stores.length === 0
      ? ''
      : `<ul>${stores.map((s) => `<li>${esc(s.description)} (${s.records} ${recordsWord})</li>`).join('')}</ul>`;
  if (locale === 'id') {
    const places =
      stores.length === 0
        ? 'Kami tidak menyimpan persetujuan pemasaran atas nama Anda.'
        : `Persetujuan pemasaran (email, WhatsApp, SMS, dan cookie iklan) telah dimatikan di:\n${list('catatan')}`;
    return {
      subject: 'Anda tidak akan lagi menerima pemasaran dari Impor.in',
      text: `Permintaan ${requestId} untuk berhenti menerima pemasaran telah selesai.\n\n${places}${told.text}\n\nAlamat Anda masuk daftar penolakan kami, sehingga pendaftaran atau impor data di kemudian hari tidak akan mengaktifkannya kembali. Email tentang pesanan dan akun Anda tetap dikirim.`,
      html: `<p>Permintaan <strong>${esc(requestId)}</strong> untuk berhenti menerima pemasaran telah selesai.</p>${
        stores.length === 0
          ? '<p>Kami tidak menyimpan persetujuan pemasaran atas nama Anda.</p>'
          : `<p>Persetujuan pemasaran (email, WhatsApp, SMS, dan cookie iklan) telah dimatikan di:</p>${htmlList('catatan')}`
      }${told.html}<p>Alamat Anda masuk daftar penolakan kami, sehingga pendaftaran atau impor data di kemudian hari tidak akan mengaktifkannya kembali. Email tentang pesanan dan akun Anda tetap dikirim.</p>`,
    };
  }
  const places =
    stores.length === 0
      ? 'We hold no marketing consent for you.'
      : `Marketing consent (email, WhatsApp, SMS and advertising cookies) is now off in:\n${list('records')}`;
  return {
    subject: 'You will no longer receive marketing from Impor.in',
    text: `Request ${requestId} to stop marketing to you is done.\n\n${places}${told.text}\n\nYour address is on our suppression list, so a later sign-up or data import will not turn marketing back on. Emails about your orders and account still arrive.`,
    html: `<p>Request <strong>${esc(requestId)}</strong> to stop marketing to you is done.</p>${
      stores.length === 0
        ? '<p>We hold no marketing consent for you.</p>'
        : `<p>Marketing consent (email, WhatsApp, SMS and advertising cookies) is now off in:</p>${htmlList('records')}`
    }${told.html}<p>Your address is on our suppression list, so a later sign-up or data import will not turn marketing back on. Emails about your orders and account still arrive.</p>`,
  };
}

/** The verification email: the 6-digit code, the confirmation link and the read-only status link. */
export function verificationMail(
  locale: Locale,
  args: { requestId: string; code: string; link: string; minutes: number; statusLink?: string },
): MailContent {
  return bothLanguages(locale, (l) => verificationMailIn(l, args));
}

/** The code that confirms a new email address, sent to that address. */
export function newAddressMail(locale: Locale, args: { requestId: string; code: string }): MailContent {
  return bothLanguages(locale, (l) => newAddressMailIn(l, args));
}

/** The "your data is ready" email (see exportReadyMailIn). */
export function exportReadyMail(
  locale: Locale,
  args: { requestId: string; link: string; days: number; records?: number },
): MailContent {
  return bothLanguages(locale, (l) => exportReadyMailIn(l, args));
}

/** The "your deletion is scheduled" email (see erasureScheduledMailIn). */
export function erasureScheduledMail(
  locale: Locale,
  args: { requestId: string; link: string; startsAt: Date; graceSeconds: number },
): MailContent {
  return bothLanguages(locale, (l) => erasureScheduledMailIn(l, args));
}

/** The "you will get no more marketing" email (see optOutConfirmedMailIn). */
export function optOutConfirmedMail(
  locale: Locale,
  args: Parameters<typeof optOutConfirmedMailIn>[1],
): MailContent {
  return bothLanguages(locale, (l) => optOutConfirmedMailIn(l, args));
}
