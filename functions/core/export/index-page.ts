import type { DataCategory } from '../data-map';
import { CATEGORY_LABELS } from './categories';
import type { ProcessorOutcome } from './processor-calls';

/** What index.html shows for one store. */
export interface IndexStore {
  readonly storeId: string;
  readonly description: string;
  readonly categories: readonly DataCategory[];
  readonly records: number;
  /** Path inside the zip, e.g. `stores/orders.json`. */
  readonly file: string;
  /** Paths inside the zip of the store's attachments. */
  readonly attachments: readonly string[];
  /** Fields left out for security (credentials such as a password hash). */
  readonly withheld?: readonly string[];
}

/** What index.html shows for one recipient (a processor in the data map). */
export interface IndexRecipient {
  readonly processorId: string;
  readonly name: string;
  readonly description: string;
  readonly categories: readonly DataCategory[];
  readonly country?: string;
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

/** Says which fields were left out: credentials are withheld for security, never sent out, even to their owner. */
function withheldNote(store: IndexStore): string {
  if (!store.withheld?.length) return '';
  const fields = store.withheld.map(escapeHtml).join(', ');
  return `
      <p class="withheld">Not included, for security: ${fields}. Credentials such as your password are withheld for security and never sent out. /
      <span lang="id">Tidak disertakan demi keamanan: ${fields}. Kredensial seperti kata sandi Anda tidak disertakan demi keamanan dan tidak pernah dikirim.</span></p>`;
}

function storeSection(store: IndexStore): string {
  const e = escapeHtml;
  const categories = store.categories
    .map((c) => `<li>${e(CATEGORY_LABELS[c].en)} / <span lang="id">${e(CATEGORY_LABELS[c].id)}</span></li>`)
    .join('\n        ');
  const files =
    store.attachments.length === 0
      ? ''
      : `
      <p>Files / <span lang="id">Berkas</span> (${store.attachments.length}):</p>
      <ul>
        ${store.attachments.map((a) => `<li><a href="${e(a)}">${e(a.split('/').pop() ?? a)}</a></li>`).join('\n        ')}
      </ul>`;
  return `
    <section id="store-${e(store.storeId)}">
      <h2>${e(store.description)} <small>(${e(store.storeId)})</small></h2>
      <p>Kinds of data / <span lang="id">Jenis data</span>:</p>
      <ul>
        ${categories}
      </ul>
      <p>Records / <span lang="id">Catatan</span>: <strong>${store.records}</strong></p>
      <p>Data (JSON): <a href="${e(store.file)}">${e(store.file)}</a></p>${files}${withheldNote(store)}
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

function recipientItem(recipient: IndexRecipient): string {
  const e = escapeHtml;
  const answer =
    recipient.answer === 'confirmed' && (recipient.records ?? 0) > 0 ? SENT : ANSWERS[recipient.answer];
  const categories = recipient.categories
    .map((c) => `${e(CATEGORY_LABELS[c].en)} / <span lang="id">${e(CATEGORY_LABELS[c].id)}</span>`)
    .join('; ');
  const records =
    recipient.file !== undefined
      ? `
        <p>Records it sent / <span lang="id">Catatan yang dikirim</span>: <strong>${recipient.records ?? 0}</strong>,
          <a href="${e(recipient.file)}">${e(recipient.file)}</a></p>`
      : '';
  return `
      <li id="recipient-${e(recipient.processorId)}" class="recipient recipient-${e(recipient.answer)}">
        <strong>${e(recipient.name)}</strong>${recipient.country ? ` (${e(recipient.country)})` : ''}
        <p>${e(recipient.description)}</p>
        <p>Kinds of data / <span lang="id">Jenis data</span>: ${categories}</p>
        <p class="answer">${e(answer.en)} / <span lang="id">${e(answer.id)}</span></p>${records}
      </li>`;
}

/** "Who receives your data": every processor in the data map, and how this request's call to it ended. */
function recipientsSection(recipients: readonly IndexRecipient[]): string {
  if (recipients.length === 0) return '';
  return `
    <section id="recipients">
      <h2>Who receives your data / <span lang="id">Siapa yang menerima data Anda</span></h2>
      <p>These partners process data about you for us. <code>processing-record.json</code> lists them and every
        call we made to them for this request, with their answers.</p>
      <p lang="id">Mitra berikut memproses data tentang Anda untuk kami. <code>processing-record.json</code>
        mencantumkan mereka dan setiap panggilan kami kepada mereka untuk permintaan ini, beserta jawabannya.</p>
      <ul>${recipients.map(recipientItem).join('')}
      </ul>
    </section>`;
}

// Said plainly when every store was searched and none holds anything about the subject.
const NO_DATA = `    <p id="no-data"><strong>We hold no data about you.</strong> We searched every place listed below and found
      nothing about you.</p>
    <p lang="id"><strong>Kami tidak menyimpan data apa pun tentang Anda.</strong> Kami telah memeriksa setiap
      tempat yang tercantum di bawah dan tidak menemukan apa pun tentang Anda.</p>
`;

/**
 * A page a person can read (English / Bahasa Indonesia): what the export is,
 * per store the categories in plain words, record counts and links to the
 * files; then who receives the data (processors) and how each answered this
 * request. Every piece of text is HTML-escaped.
 */
export function renderIndexHtml(args: {
  readonly requestId: string;
  readonly generatedAt: string;
  readonly stores: readonly IndexStore[];
  /** Processors in the data map; none when absent. */
  readonly recipients?: readonly IndexRecipient[];
}): string {
  const e = escapeHtml;
  const total = args.stores.reduce((sum, s) => sum + s.records, 0);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Your data / Data Anda — ${e(args.requestId)}</title>
    <style>
      body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
      section { border-top: 1px solid #ccc; margin-top: 1.5rem; }
      [lang="id"] { color: #444; }
    </style>
  </head>
  <body>
    <h1>A copy of your personal data / <span lang="id">Salinan data pribadi Anda</span></h1>
    <p>This archive holds the personal data we keep about you, as requested (request ${e(args.requestId)},
      prepared ${e(args.generatedAt)}). Each section below is one place where we store data: what kinds of data
      it holds, how many records, and a link to the machine-readable JSON file. <code>manifest.json</code> lists
      every file with its SHA-256 checksum.</p>
    <p lang="id">Arsip ini berisi data pribadi Anda yang kami simpan, sesuai permintaan Anda (permintaan
      ${e(args.requestId)}, disiapkan ${e(args.generatedAt)}). Setiap bagian di bawah adalah satu tempat kami
      menyimpan data: jenis data, jumlah catatan, dan tautan ke berkas JSON yang dapat dibaca mesin.
      <code>manifest.json</code> mencantumkan setiap berkas beserta checksum SHA-256-nya.</p>
    <p>Total records / <span lang="id">Jumlah catatan</span>: <strong>${total}</strong></p>
${total === 0 ? NO_DATA : ''}${args.stores.map(storeSection).join('\n')}
${recipientsSection(args.recipients ?? [])}
  </body>
</html>
`;
}
