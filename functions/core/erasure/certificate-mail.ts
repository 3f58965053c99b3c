/**
 * The email that tells the subject what erasure did: one mail in English and
 * Indonesian (the request's language first), a section per outcome, with the
 * legal basis and retention end of what is kept and the reason for what is held,
 * then which processors confirmed and which our support team is following up.
 * Only this subject's own records are described; nothing about anyone else.
 * Processors appear by name only: never their references or identifiers.
 */
import { DataCategory } from '../data-map';
import type { MailContent } from '../emails';
import { CATEGORY_LABELS } from '../export/categories';
import type { Locale } from '../request';
import type { Certificate, CertificateProcessor } from './certificate';

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
    // Pseudonymised, not anonymised: the record keeps its key and our customer number.
    masked: [
      'Pseudonymised',
      'These records were kept under an internal number only, with every detail that identifies you overwritten:',
    ],
    retained: [
      'Kept because the law requires it',
      'These records must be kept by law; details that identify you were removed where the law allows, and they will be erased when the retention period ends:',
    ],
    held: ['Not erased yet', 'These records could not be erased yet:'],
    notErased: [
      'Not erased',
      'We could not erase your data in these systems; we sent you a separate email saying why:',
    ],
    records: (n: number) => `${n} ${n === 1 ? 'record' : 'records'}`,
    until: 'until',
    nothing: 'We held no personal data about you; nothing needed erasing.',
    nothingSubject: 'We held no data about you at Impor.in',
    processorsConfirmed: [
      'Confirmed by our partners',
      'We also told the partners that process your data for us to erase it. These partners confirmed:',
    ],
    processorsFollowedUp: [
      'Being followed up by our support team',
      'These partners have not confirmed; our support team is following up with them:',
    ],
    processorsPending: [
      'Waiting for our partners',
      'These partners have been told and have not answered yet:',
    ],
    processorDone: {
      completed: 'erased your data',
      not_found: 'held no data about you',
      retained: 'erased your data except records the law requires it to keep',
    },
    processorKeeps: 'keeps',
  },
  id: {
    subject: 'Data Anda di Impor.in telah dihapus',
    opening: (id: string) =>
      `Kami telah memproses permintaan penghapusan ${id}. Setelahnya kami memeriksa ulang setiap sistem untuk memastikan tidak ada lagi data Anda yang tersisa.`,
    deleted: ['Dihapus', 'Data berikut telah dihapus, termasuk salinan lamanya:'],
    masked: [
      'Dipseudonimkan',
      'Data berikut disimpan hanya dengan nomor internal, dengan setiap rincian yang mengidentifikasi Anda ditimpa:',
    ],
    retained: [
      'Disimpan karena diwajibkan hukum',
      'Data berikut wajib disimpan menurut hukum; rincian yang mengidentifikasi Anda dihapus sejauh diizinkan, dan data akan dihapus saat masa simpan berakhir:',
    ],
    held: ['Belum dihapus', 'Data berikut belum dapat dihapus:'],
    notErased: [
      'Tidak dihapus',
      'Kami tidak dapat menghapus data Anda di sistem berikut; alasannya kami kirim dalam email terpisah:',
    ],
    records: (n: number) => `${n} data`,
    until: 'sampai',
    nothing: 'Kami tidak menyimpan data pribadi apa pun tentang Anda; tidak ada yang perlu dihapus.',
    nothingSubject: 'Kami tidak menyimpan data Anda di Impor.in',
    processorsConfirmed: [
      'Dikonfirmasi oleh mitra kami',
      'Kami juga meminta mitra yang memproses data Anda untuk kami agar menghapusnya. Mitra berikut telah mengonfirmasi:',
    ],
    processorsFollowedUp: [
      'Sedang ditindaklanjuti oleh tim dukungan kami',
      'Mitra berikut belum mengonfirmasi; tim dukungan kami sedang menindaklanjutinya:',
    ],
    processorsPending: ['Menunggu mitra kami', 'Mitra berikut sudah diberi tahu dan belum menjawab:'],
    processorDone: {
      completed: 'telah menghapus data Anda',
      not_found: 'tidak menyimpan data tentang Anda',
      retained: 'telah menghapus data Anda kecuali data yang wajib disimpannya menurut hukum',
    },
    processorKeeps: 'menyimpan',
  },
} as const;

const section = ([title, intro]: readonly [string, string], items: string[]): Section[] =>
  items.length > 0 ? [{ title, intro, items }] : [];

/** A processor that answered `failed` has not done what was asked: support follows it up too. */
const confirmed = (p: CertificateProcessor) =>
  p.status === 'acknowledged' && p.ack !== undefined && p.ack.status !== 'failed';
const followedUp = (p: CertificateProcessor) =>
  p.status === 'escalated' || (p.status === 'acknowledged' && p.ack?.status === 'failed');

/** A processor's category in plain words when it is one of ours, else as the processor wrote it. */
function categoryText(locale: Locale, category: string): string {
  const known = DataCategory.safeParse(category);
  return known.success ? CATEGORY_LABELS[known.data][locale] : category;
}

/** What a processor confirmed, and what it keeps by law and why; its name only, never its reference. */
function processorItem(locale: Locale, processor: CertificateProcessor): string {
  const t = TEXT[locale];
  const status = processor.ack?.status;
  const done = status && status !== 'failed' ? t.processorDone[status] : '';
  const kept = (processor.ack?.retained ?? []).map(
    (r) =>
      `${t.processorKeeps} ${r.category ? `${categoryText(locale, r.category)}: ` : ''}${r.reason}${r.until ? ` (${t.until} ${r.until})` : ''}`,
  );
  return [`${processor.name}: ${done}`, ...kept].join('; ');
}

function processorSections(locale: Locale, certificate: Certificate): Section[] {
  const t = TEXT[locale];
  const processors = certificate.processors;
  return [
    ...section(
      t.processorsConfirmed,
      processors.filter(confirmed).map((p) => processorItem(locale, p)),
    ),
    ...section(
      t.processorsFollowedUp,
      processors.filter(followedUp).map((p) => p.name),
    ),
    ...section(
      t.processorsPending,
      processors.filter((p) => p.status === 'pending').map((p) => p.name),
    ),
  ];
}

function storeSections(locale: Locale, certificate: Certificate): Section[] {
  const t = TEXT[locale];
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
    ...section(
      t.notErased,
      (certificate.notErased ?? []).map((s) => s.description),
    ),
  ];
}

function textPart(locale: Locale, certificate: Certificate): string {
  const t = TEXT[locale];
  const text = (s: Section) => `${s.title}\n${s.intro}\n${s.items.map((i) => `- ${i}`).join('\n')}`;
  const stores = storeSections(locale, certificate).map(text);
  const processors = processorSections(locale, certificate).map(text);
  return [
    t.opening(certificate.requestId),
    ...(stores.length > 0 ? stores : [t.nothing]),
    ...processors,
  ].join('\n\n');
}

function htmlPart(locale: Locale, certificate: Certificate): string {
  const t = TEXT[locale];
  const html = (s: Section) =>
    `<h3>${esc(s.title)}</h3><p>${esc(s.intro)}</p><ul>${s.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
  const stores = storeSections(locale, certificate).map(html);
  const processors = processorSections(locale, certificate).map(html);
  return `<div lang="${locale}"><p>${esc(t.opening(certificate.requestId))}</p>${stores.length > 0 ? stores.join('') : `<p>${esc(t.nothing)}</p>`}${processors.join('')}</div>`;
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
