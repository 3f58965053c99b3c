import type { HistoryLine } from '../audit/trail';
import type { DataCategory, DataSource, LegalBasis, Purpose, Retention } from '../data-map';
import { CATEGORY_LABELS, type CategoryLabel } from './categories';
import {
  HISTORY_LABELS,
  LEGAL_BASIS_LABELS,
  PURPOSE_LABELS,
  retentionLabel,
  SOURCE_LABELS,
} from './processing-labels';
import type { ProcessorOutcome } from './processor-calls';
import { bilingual, type Locale } from './record-view';

/** Why and how a store or processor processes the data (the processing record's fields for it). */
export interface IndexProcessing {
  readonly purposes: readonly Purpose[];
  readonly legalBasis: LegalBasis;
  readonly retention: Retention;
  readonly source: DataSource;
  /** Who else receives it, as a person reads them (processor names, authorities). */
  readonly recipients: readonly string[];
}

/** What index.html shows for one store. */
export interface IndexStore {
  readonly storeId: string;
  readonly description: string;
  readonly categories: readonly DataCategory[];
  readonly records: number;
  /** Path inside the zip, e.g. `stores/orders.json`; absent when this export has no file for the store. */
  readonly file?: string;
  /** The same records as CSV for a spreadsheet, e.g. `stores/orders.csv`. */
  readonly csvFile?: string;
  /** The store's uploaded files: name, bytes and path inside the zip. */
  readonly attachments: readonly IndexAttachment[];
  /** The records themselves, as HTML (see record-view.ts): already escaped. */
  readonly recordsHtml?: string;
  /** Fields left out for security (credentials such as a password hash). */
  readonly withheld?: readonly string[];
  readonly processing?: IndexProcessing;
}

/** An uploaded file inside the zip. */
export interface IndexAttachment {
  readonly name: string;
  readonly size: number;
  /** Path inside the zip, e.g. `stores/documents/files/invoice.pdf`. */
  readonly path: string;
}

/** `12.3 KB`: a file's size as a person reads it. */
export function readableSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** What index.html shows for one recipient (a processor in the data map). */
export interface IndexRecipient {
  readonly processorId: string;
  readonly name: string;
  readonly description: string;
  readonly categories: readonly DataCategory[];
  readonly country: string;
  /** How data sent outside Indonesia stays protected. */
  readonly transferSafeguard?: string;
  readonly processing?: IndexProcessing;
  /** How this request's call to the processor ended; `not_asked` when it does not handle access requests. */
  readonly answer: ProcessorOutcome | 'not_asked';
  /** Records the processor sent for this request, and their file in the zip. */
  readonly records?: number;
  readonly file?: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Words in the page's language, with the other language beside them (escaped). */
type Say = (en: string, id: string) => string;

/** Two paragraphs, the page's language first; each argument is HTML already. */
type Pair = (en: string, id: string, attributes?: string) => string;

/** The helpers every section writes its words with, for one page language. */
interface Words {
  readonly locale: Locale;
  readonly say: Say;
  readonly both: (label: CategoryLabel) => string;
  readonly pair: Pair;
}

function wordsFor(locale: Locale): Words {
  const other: Locale = locale === 'en' ? 'id' : 'en';
  return {
    locale,
    say: (en, id) => bilingual({ en, id }, locale),
    both: (label) => bilingual(label, locale),
    pair: (en, id, attributes = '') => {
      const [first, second] = locale === 'en' ? [en, id] : [id, en];
      return `<p${attributes}>${first}</p>
      <p lang="${other}"${attributes}>${second}</p>`;
    },
  };
}

/** Says which fields were left out: credentials are withheld for security, never sent out, even to their owner. */
function withheldNote(store: IndexStore, w: Words): string {
  if (!store.withheld?.length) return '';
  const fields = store.withheld.map(escapeHtml).join(', ');
  return `
      ${w.pair(
        `Not included, for security: ${fields}. Credentials such as your password are withheld for security and never sent out.`,
        `Tidak disertakan demi keamanan: ${fields}. Kredensial seperti kata sandi Anda tidak disertakan demi keamanan dan tidak pernah dikirim.`,
        ' class="withheld"',
      )}`;
}

/** Why, on what basis, how long, from where and to whom: one definition list, the same for stores and partners. */
function processingList(processing: IndexProcessing, w: Words): string {
  const e = escapeHtml;
  const { say, both } = w;
  const purposes = processing.purposes.map((p) => `<li>${both(PURPOSE_LABELS[p])}</li>`).join('');
  const recipients = processing.recipients.length
    ? `<ul>${processing.recipients.map((r) => `<li>${e(r)}</li>`).join('')}</ul>`
    : say('Nobody else', 'Tidak ada pihak lain');
  return `
      <dl class="processing">
        <dt>${say('Why we use it', 'Untuk apa kami menggunakannya')}</dt>
        <dd><ul>${purposes}</ul></dd>
        <dt>${say('Legal basis', 'Dasar hukum')}</dt>
        <dd class="legal-basis">${both(LEGAL_BASIS_LABELS[processing.legalBasis])}</dd>
        <dt>${say('How long we keep it', 'Berapa lama disimpan')}</dt>
        <dd class="retention">${both(retentionLabel(processing.retention.period))} (${e(processing.retention.basedOn)})</dd>
        <dt>${say('Where it comes from', 'Asal data')}</dt>
        <dd class="source">${both(SOURCE_LABELS[processing.source])}</dd>
        <dt>${say('Who else receives it', 'Siapa lagi yang menerimanya')}</dt>
        <dd class="recipients">${recipients}</dd>
      </dl>`;
}

function storeSection(store: IndexStore, w: Words): string {
  const e = escapeHtml;
  const { say, both } = w;
  const categories = store.categories.map((c) => `<li>${both(CATEGORY_LABELS[c])}</li>`).join('\n        ');
  const files =
    store.attachments.length === 0
      ? ''
      : `
      <p>${say('Files you uploaded', 'Berkas yang Anda unggah')} (${store.attachments.length}):</p>
      <ul class="files">
        ${store.attachments.map((a) => `<li><a href="${e(a.path)}">${e(a.name)}</a> (${e(readableSize(a.size))})</li>`).join('\n        ')}
      </ul>`;
  return `
    <section id="store-${e(store.storeId)}">
      <h2>${e(store.description)} <small>(${e(store.storeId)})</small></h2>
      <p>${say('Kinds of data', 'Jenis data')}:</p>
      <ul>
        ${categories}
      </ul>
      <p>${say('Records', 'Catatan')}: <strong>${store.records}</strong></p>${
        store.file
          ? `
      <p>Data (JSON): <a href="${e(store.file)}">${e(store.file)}</a>${
        store.csvFile
          ? ` · ${say('Spreadsheet', 'Lembar kerja')} (CSV): <a href="${e(store.csvFile)}">${e(store.csvFile)}</a>`
          : ''
      }</p>`
          : ''
      }${files}${withheldNote(store, w)}${store.recordsHtml ?? ''}${store.processing ? processingList(store.processing, w) : ''}
    </section>`;
}

const SENT = {
  en: 'Answered our request and sent the data it holds about you.',
  id: 'Telah menjawab permintaan kami dan mengirim data tentang Anda yang disimpannya.',
};

const ANSWERS: Record<IndexRecipient['answer'], { en: string; id: string }> = {
  confirmed: {
    en: 'Answered our request: it holds no data about you.',
    id: 'Telah menjawab permintaan kami: tidak menyimpan data tentang Anda.',
  },
  followed_up: {
    en: 'Did not answer in time; our support team is following up.',
    id: 'Tidak menjawab tepat waktu; tim dukungan kami sedang menindaklanjuti.',
  },
  pending: { en: 'Asked for this copy; no answer yet.', id: 'Sudah dimintai salinan ini; belum menjawab.' },
  not_asked: {
    en: 'Not asked for a copy: this partner does not handle access requests.',
    id: 'Tidak dimintai salinan: mitra ini tidak melayani permintaan akses.',
  },
};

function recipientItem(recipient: IndexRecipient, w: Words): string {
  const e = escapeHtml;
  const { say, both } = w;
  const answer =
    recipient.answer === 'confirmed' && (recipient.records ?? 0) > 0 ? SENT : ANSWERS[recipient.answer];
  const categories = recipient.categories.map((c) => both(CATEGORY_LABELS[c])).join('; ');
  const records =
    recipient.file !== undefined
      ? `
        <p>${say('Records it sent', 'Catatan yang dikirim')}: <strong>${recipient.records ?? 0}</strong>,
          <a href="${e(recipient.file)}">${e(recipient.file)}</a></p>`
      : '';
  return `
      <li id="recipient-${e(recipient.processorId)}" class="recipient recipient-${e(recipient.answer)}">
        <strong>${e(recipient.name)}</strong> (${e(recipient.country)})
        <p>${e(recipient.description)}</p>
        <p>${say('Kinds of data', 'Jenis data')}: ${categories}</p>${recipient.processing ? processingList(recipient.processing, w) : ''}${
          recipient.transferSafeguard
            ? `
        <p class="transfer">${say('Outside Indonesia, protected by', 'Di luar Indonesia, dilindungi dengan')}: ${e(recipient.transferSafeguard)}</p>`
            : ''
        }
        <p class="answer">${both(answer)}</p>${records}
      </li>`;
}

/** "Who receives your data": every processor in the data map, and how this request's call to it ended. */
function recipientsSection(recipients: readonly IndexRecipient[], w: Words): string {
  if (recipients.length === 0) return '';
  return `
    <section id="recipients">
      <h2>${w.say('Who receives your data', 'Siapa yang menerima data Anda')}</h2>
      ${w.pair(
        `These partners process data about you for us. <code>processing-record.json</code> lists them and every
        call we made to them for this request, with their answers.`,
        `Mitra berikut memproses data tentang Anda untuk kami. <code>processing-record.json</code>
        mencantumkan mereka dan setiap panggilan kami kepada mereka untuk permintaan ini, beserta jawabannya.`,
      )}
      <ul>${recipients.map((r) => recipientItem(r, w)).join('')}
      </ul>
    </section>`;
}

/** Who decides about the data and where to ask (the controller). */
function controllerSection(
  controller: { readonly name: string; readonly contact: string },
  w: Words,
): string {
  const e = escapeHtml;
  return `
    <section id="controller">
      <h2>${w.say('Who is responsible for your data', 'Siapa yang bertanggung jawab atas data Anda')}</h2>
      <p><strong>${e(controller.name)}</strong>. ${w.say('Questions about your data', 'Pertanyaan tentang data Anda')}:
        <a href="mailto:${e(controller.contact)}">${e(controller.contact)}</a></p>
    </section>`;
}

/** Partners outside Indonesia, or a plain statement that there are none. */
function transfersSection(transfers: readonly IndexTransfer[], w: Words): string {
  const e = escapeHtml;
  const body = transfers.length
    ? `
      <ul>${transfers.map((t) => `<li>${e(t.name)} (${e(t.country)}): ${e(t.safeguard)}</li>`).join('')}</ul>`
    : `
      <p>${w.say('None of your data is sent outside Indonesia.', 'Tidak ada data Anda yang dikirim ke luar Indonesia.')}</p>`;
  return `
    <section id="transfers">
      <h2>${w.say('Data sent outside Indonesia', 'Data yang dikirim ke luar Indonesia')}</h2>${body}
    </section>`;
}

/** The person's history: one row per event of the audit chains of their requests. */
function historySection(
  history: readonly HistoryLine[],
  w: Words,
  formatTime?: (iso: string) => string,
): string {
  if (history.length === 0) return '';
  const e = escapeHtml;
  const { say, both } = w;
  const when = formatTime ?? ((iso: string) => iso);
  const zone = formatTime ? say('When', 'Waktu') : say('When (UTC)', 'Waktu (UTC)');
  const rows = history
    .map(
      (h) => `
        <tr><td><time datetime="${e(h.at)}">${e(when(h.at))}</time></td><td>${e(h.requestId)}</td><td>${both(HISTORY_LABELS[h.kind])}</td></tr>`,
    )
    .join('');
  return `
    <section id="history">
      <h2>${say('What we did for your requests', 'Apa yang kami lakukan untuk permintaan Anda')}</h2>
      <table>
        <caption>${say('Each step, from our audit trail', 'Setiap langkah, dari jejak audit kami')}</caption>
        <thead><tr><th scope="col">${zone}</th><th scope="col">${say('Request', 'Permintaan')}</th><th scope="col">${say('What', 'Apa')}</th></tr></thead>
        <tbody>${rows}
        </tbody>
      </table>
    </section>`;
}

/** A processor outside Indonesia, by name, and the safeguard of the transfer. */
export interface IndexTransfer {
  readonly name: string;
  readonly country: string;
  readonly safeguard: string;
}

/** The package's first lines: what it is, when it was made, for which request, what next, and the link's life. */
export interface IndexAbout {
  /** Who made it (the controller's name). */
  readonly organisation: string;
  /** When the package was made, as the person reads it (their time zone, named). */
  readonly madeAt: string;
  /** The request form, where the person can ask for a correction, deletion or opt-out. */
  readonly formUrl: string;
  /** Days the emailed download link works. */
  readonly linkDays: number;
  /** The time zone values are shown in, as the person reads it (e.g. WIB). */
  readonly zone: string;
}

function aboutSection(requestId: string, about: IndexAbout, w: Words): string {
  const e = escapeHtml;
  const form = `<a href="${e(about.formUrl)}">${e(about.formUrl)}</a>`;
  const days = about.linkDays === 1 ? '1 day' : `${about.linkDays} days`;
  return `
    <section id="about" aria-label="${e(w.locale === 'en' ? 'About this copy' : 'Tentang salinan ini')}">
      ${w.pair(
        `<strong>This is a copy of the personal data ${e(about.organisation)} holds about you</strong>, made on
        ${e(about.madeAt)} for your request <code>${e(requestId)}</code>. It shows your data below, store by
        store; every file beside this page holds all of it (JSON for programs, CSV for spreadsheets).`,
        `<strong>Ini salinan data pribadi Anda yang disimpan ${e(about.organisation)}</strong>, dibuat pada
        ${e(about.madeAt)} untuk permintaan Anda <code>${e(requestId)}</code>. Data Anda ditampilkan di bawah, per
        tempat penyimpanan; setiap berkas di samping halaman ini memuat seluruhnya (JSON untuk program, CSV untuk
        lembar kerja).`,
      )}
      ${w.pair(
        `<strong>What you can do next:</strong> ask us to correct your data, delete it, or stop marketing to you,
        on our form: ${form}`,
        `<strong>Yang dapat Anda lakukan selanjutnya:</strong> minta kami memperbaiki data Anda,
        menghapusnya, atau berhenti mengirimi Anda pemasaran, melalui formulir kami: ${form}`,
      )}
      ${w.pair(
        `<strong>The download link</strong> in our email works for ${e(days)} after it was sent; after that, ask
        for a new copy on the form. Keep this file safe: it holds your personal data. Times are shown in
        ${e(about.zone)}.`,
        `<strong>Tautan unduhan</strong> di email kami berlaku ${about.linkDays} hari sejak dikirim; setelah
        itu, minta salinan baru melalui formulir. Simpan berkas ini dengan aman: isinya data pribadi Anda. Waktu
        ditampilkan dalam ${e(about.zone)}.`,
      )}
    </section>`;
}

// Said plainly when every store was searched and none holds anything about the subject.
function noData(w: Words): string {
  return `    ${w.pair(
    `<strong>We hold no data about you.</strong> We searched every place listed below and found
      nothing about you.`,
    `<strong>Kami tidak menyimpan data apa pun tentang Anda.</strong> Kami telah memeriksa setiap
      tempat yang tercantum di bawah dan tidak menemukan apa pun tentang Anda.`,
    ' class="no-data"',
  )}
`;
}

/**
 * A page a person can read, in the request's language with the other beside it
 * (English / Bahasa Indonesia): what the export is and who is responsible; per
 * store the categories, purposes, legal basis, retention and source in plain
 * words, its recipients, record counts, the records themselves and links to
 * the files; then who receives the data (processors) and how each answered
 * this request, what goes abroad, and the request's history. Every piece of
 * text is HTML-escaped.
 */
export function renderIndexHtml(args: {
  readonly requestId: string;
  readonly generatedAt: string;
  readonly stores: readonly IndexStore[];
  /** Processors in the data map; none when absent. */
  readonly recipients?: readonly IndexRecipient[];
  /** Who is responsible and where to ask; the section is left out when absent. */
  readonly controller?: { readonly name: string; readonly contact: string };
  /** Processors outside Indonesia; the section is shown when this is given, even empty. */
  readonly transfers?: readonly IndexTransfer[];
  readonly history?: readonly HistoryLine[];
  /** A moment (ISO 8601) as the person reads it, in their time zone; ISO in UTC when absent. */
  readonly formatTime?: (iso: string) => string;
  /** The first lines (what, when, which request, what next, the link); left out when absent. */
  readonly about?: IndexAbout;
  /** The page's first language; default English. */
  readonly locale?: Locale;
}): string {
  const e = escapeHtml;
  const w = wordsFor(args.locale ?? 'en');
  const other: Locale = w.locale === 'en' ? 'id' : 'en';
  const total = args.stores.reduce((sum, s) => sum + s.records, 0);
  const when = args.formatTime ?? ((iso: string) => iso);
  const prepared = `<time datetime="${e(args.generatedAt)}">${e(when(args.generatedAt))}</time>`;
  return `<!doctype html>
<html lang="${w.locale}">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${w.locale === 'en' ? 'Your data / Data Anda' : 'Data Anda / Your data'} — ${e(args.requestId)}</title>
    <style>
      body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
      section { border-top: 1px solid #ccc; margin-top: 1.5rem; }
      [lang="${other}"] { color: #444; }
      dt { font-weight: bold; }
      td, th { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; }
      table { border-collapse: collapse; }
      #about { border: 2px solid #246; padding: 0 1rem; margin: 1rem 0; }
      table.record { width: 100%; margin: .75rem 0; }
      table.record caption { text-align: left; font-weight: bold; }
      table.record th { width: 35%; font-weight: normal; background: #f4f4f4; }
      table.sub th { background: #f4f4f4; }
      .masked { font-style: italic; color: #6b2200; }
      tr.held th, tr.held td { background: #e8f0fe; }
      .empty { color: #555; }
      .cap-notice { background: #fff4ce; padding: .5rem; border: 1px solid #c9a400; }
      .amount { white-space: nowrap; }
    </style>
  </head>
  <body>
  <main>
    <h1>${w.say('A copy of your personal data', 'Salinan data pribadi Anda')}</h1>${
      args.about ? aboutSection(args.requestId, args.about, w) : ''
    }
    ${w.pair(
      `This archive holds the personal data we keep about you, as requested (request ${e(args.requestId)},
      prepared ${prepared}). Each section below is one place where we store data: what kinds of data it holds,
      how many records, the records themselves, links to the same records as a JSON file (for programs) and a CSV
      file (for spreadsheets), and why we use it, on what legal basis, how long we keep it, where it came from and
      who else receives it. <code>processing-record.json</code> says the same for machines;
      <code>manifest.json</code> lists every file with its SHA-256 checksum.`,
      `Arsip ini berisi data pribadi Anda yang kami simpan, sesuai permintaan Anda (permintaan
      ${e(args.requestId)}, disiapkan ${prepared}). Setiap bagian di bawah adalah satu tempat kami menyimpan data:
      jenis data, jumlah catatan, catatan itu sendiri, tautan ke catatan yang sama sebagai berkas JSON (untuk
      program) dan berkas CSV (untuk lembar kerja), serta untuk apa kami menggunakannya, dasar hukumnya, berapa
      lama disimpan, dari mana asalnya dan siapa lagi yang menerimanya. <code>processing-record.json</code> memuat
      hal yang sama untuk mesin; <code>manifest.json</code> mencantumkan setiap berkas beserta checksum SHA-256-nya.`,
    )}
    <p>${w.say('Total records', 'Jumlah catatan')}: <strong>${total}</strong></p>
${args.controller ? controllerSection(args.controller, w) : ''}
${total === 0 ? noData(w) : ''}${args.stores.map((st) => storeSection(st, w)).join('\n')}
${recipientsSection(args.recipients ?? [], w)}${args.transfers ? transfersSection(args.transfers, w) : ''}${historySection(args.history ?? [], w, args.formatTime)}
  </main>
  </body>
</html>
`;
}
