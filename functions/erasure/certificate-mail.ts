/**
 * The email that tells the subject what erasure did: one mail in English and
 * Indonesian (the request's language first), a section per outcome, with the
 * legal basis and retention end of what is kept and the reason for what is held.
 * Only this subject's own records are described; nothing about anyone else.
 */
import type { MailContent } from '../core/emails';
import type { Locale } from '../core/request';
import type { Certificate } from './certificate';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Section {
  readonly title: string;
  readonly intro: string;
  readonly items: readonly string[];
}

const TEXT = {
  en: {
    subject: 'Your Impor.in data has been erased',
    opening: (id: string) =>
      `We have carried out your erasure request ${id}. Afterwards we searched every system again to confirm that nothing else of yours remains.`,
    deleted: ['Deleted', 'These records were deleted, including old copies:'],
    masked: ['Anonymised', 'These records were kept with every detail that identifies you overwritten:'],
    retained: [
      'Kept because the law requires it',
      'These records must be kept by law; details that identify you were removed where the law allows, and they will be erased when the retention period ends:',
    ],
    held: ['Not erased yet', 'These records could not be erased yet:'],
    records: (n: number) => `${n} ${n === 1 ? 'record' : 'records'}`,
    until: 'until',
    nothing: 'We held no personal data about you; nothing needed erasing.',
    nothingSubject: 'We held no data about you at Impor.in',
  },
  id: {
    subject: 'Data Anda di Impor.in telah dihapus',
    opening: (id: string) =>
      `Kami telah memproses permintaan penghapusan ${id}. Setelahnya kami memeriksa ulang setiap sistem untuk memastikan tidak ada lagi data Anda yang tersisa.`,
    deleted: ['Dihapus', 'Data berikut telah dihapus, termasuk salinan lamanya:'],
    masked: [
      'Dianonimkan',
      'Data berikut disimpan dengan setiap rincian yang mengidentifikasi Anda ditimpa:',
    ],
    retained: [
      'Disimpan karena diwajibkan hukum',
      'Data berikut wajib disimpan menurut hukum; rincian yang mengidentifikasi Anda dihapus sejauh diizinkan, dan data akan dihapus saat masa simpan berakhir:',
    ],
    held: ['Belum dihapus', 'Data berikut belum dapat dihapus:'],
    records: (n: number) => `${n} data`,
    until: 'sampai',
    nothing: 'Kami tidak menyimpan data pribadi apa pun tentang Anda; tidak ada yang perlu dihapus.',
    nothingSubject: 'Kami tidak menyimpan data Anda di Impor.in',
  },
} as const;

function sections(locale: Locale, certificate: Certificate): Section[] {
  const t = TEXT[locale];
  const section = ([title, intro]: readonly [string, string], items: string[]): Section[] =>
    items.length > 0 ? [{ title, intro, items }] : [];
  const stores = certificate.stores;
  return [
    ...section(
      t.deleted,
      stores.filter((s) => s.deleted > 0).map((s) => `${s.description} (${t.records(s.deleted)})`),
    ),
    ...section(
      t.masked,
      stores.filter((s) => s.masked > 0).map((s) => `${s.description} (${t.records(s.masked)})`),
    ),
    ...section(
      t.retained,
      stores.flatMap((s) =>
        s.retained.entries.map(
          (r) => `${s.description} (${t.records(r.records)}): ${r.legalBasis}; ${t.until} ${r.retainedUntil}`,
        ),
      ),
    ),
    ...section(
      t.held,
      stores.flatMap((s) =>
        s.held.holds.map((h) => `${s.description} (${t.records(h.records)}): ${h.description[locale]}`),
      ),
    ),
  ];
}

function textPart(locale: Locale, certificate: Certificate): string {
  const t = TEXT[locale];
  const parts = sections(locale, certificate);
  const body = parts.map((s) => `${s.title}\n${s.intro}\n${s.items.map((i) => `- ${i}`).join('\n')}`);
  return [t.opening(certificate.requestId), ...(body.length > 0 ? body : [t.nothing])].join('\n\n');
}

function htmlPart(locale: Locale, certificate: Certificate): string {
  const t = TEXT[locale];
  const parts = sections(locale, certificate);
  const body = parts.map(
    (s) =>
      `<h3>${esc(s.title)}</h3><p>${esc(s.intro)}</p><ul>${s.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`,
  );
  return `<div lang="${locale}"><p>${esc(t.opening(certificate.requestId))}</p>${body.length > 0 ? body.join('') : `<p>${esc(t.nothing)}</p>`}</div>`;
}

/** The erasure summary email, EN and ID in one mail, the request's language first. */
export function erasureSummaryMail(locale: Locale, certificate: Certificate): MailContent {
  const order: Locale[] = locale === 'id' ? ['id', 'en'] : ['en', 'id'];
  // Same wording whether or not the person was known: the mail goes only to the verified address.
  const key = certificate.totals.found === 0 ? 'nothingSubject' : 'subject';
  return {
    subject: `${TEXT[order[0] as Locale][key]} / ${TEXT[order[1] as Locale][key]}`,
    text: order.map((l) => textPart(l, certificate)).join('\n\n-----\n\n'),
    html: order.map((l) => htmlPart(l, certificate)).join('<hr>'),
  };
}
