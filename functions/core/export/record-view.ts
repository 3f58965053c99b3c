/**
 * The records of one store as index.html shows them: each record a table of
 * labelled fields (labels from the data map, or a readable form of the name),
 * amounts in rupiah, times in the person's time zone, lists of objects as
 * sub-tables, masked values named for what they are. Built while the store
 * file streams past: at most `limit` records (and a byte budget) are kept, as
 * HTML; the rest are only counted, and the page says where they are.
 */
import type { ExportField } from '../data-map';
import { escapeHtml } from '../html';
import type { ExportedData } from './export-file';

export type Locale = 'en' | 'id';

/** Words in both languages; the page shows the package's language first and the other beside it. */
export interface Bilingual {
  readonly en: string;
  readonly id: string;
}

/** How values read for this person. */
export interface ValueFormat {
  readonly locale: Locale;
  /** IANA time zone, e.g. `Asia/Jakarta`. */
  readonly timeZone: string;
}

/** The person's time zone, from where they live: WIB for Indonesia; UTC where the request does not say more. */
export function timeZoneOf(jurisdiction: string): string {
  return jurisdiction === 'ID' ? 'Asia/Jakarta' : 'UTC';
}

/** Formatters are costly to build: one per language and zone, reused for every value. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, options: Intl.DateTimeFormatOptions & { timeZone: string }) {
  const key = `${locale}|${JSON.stringify(options)}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, made);
  }
  return made;
}

/** The zone's short name as Indonesians write it (WIB, WITA, WIT; UTC elsewhere). */
export function zoneName(timeZone: string): string {
  const parts = formatter('id-ID', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(0));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

const INTL_LOCALE: Record<Locale, string> = { en: 'en-GB', id: 'id-ID' };

/** `15 Mar 2026, 17.00 WIB`: a moment in the person's time zone, with the zone named. */
export function formatMoment(at: Date, format: ValueFormat): string {
  const text = formatter(INTL_LOCALE[format.locale], {
    timeZone: format.timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
  return `${text} ${zoneName(format.timeZone)}`;
}

/** `15 Mar 2026`: a calendar date, shown as it is (no zone to convert). */
export function formatDate(date: string, format: ValueFormat): string {
  const at = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(at.getTime())) return date;
  return formatter(INTL_LOCALE[format.locale], {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  }).format(at);
}

const RUPIAH = new Intl.NumberFormat('id-ID', {
  style: 'currency',
  currency: 'IDR',
  maximumFractionDigits: 0,
});

/** `Rp 15.498.000`, the way Indonesians write rupiah (whatever the page's language). */
export function formatRupiah(amount: number): string {
  return RUPIAH.format(amount).replace(/\u00a0/g, ' ');
}

const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `recipientPhone` → `Recipient phone`, `items.hs_code` → `Items: hs code`: for a field the data map gives no label. */
export function readableName(path: string): string {
  const last = path.split('.').pop() ?? path;
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : path;
}

/** What one store's section needs to show its records. */
export interface RecordViewOptions extends ValueFormat {
  readonly storeId: string;
  /** The data map's `export.fields`: labels and formats by dotted path (`items.unitPriceIdr`). */
  readonly fields: Readonly<Record<string, ExportField>>;
  /** Values erasure writes over a field (`[erased]`, and any mask's `with`): shown as erased. */
  readonly maskValues: readonly string[];
  /**
   * The store's erasure holds with a condition (e.g. an order in transit): a
   * matching record says it is kept for now, and why, in the person's words.
   */
  readonly holds?: readonly {
    readonly field: string;
    readonly in: readonly (string | number | boolean)[];
    readonly description: Bilingual;
  }[];
  /** Records shown; the rest are only counted. */
  readonly limit: number;
  /** Bytes of HTML shown at most, so a store of huge records still keeps the page small. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 400 * 1024;
/** Longer text is cut on the page (the files hold all of it). */
const MAX_TEXT = 2000;
/** Depth past which a nested value is shown as JSON text. */
const MAX_NESTING = 3;

const YES_NO = { true: { en: 'Yes', id: 'Ya' }, false: { en: 'No', id: 'Tidak' } } as const;
const ERASED: Bilingual = { en: 'erased', id: 'dihapus' };
const EMPTY: Bilingual = { en: 'empty', id: 'kosong' };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** "Package language / <span lang=other>other language</span>", escaped. */
export function bilingual(words: Bilingual, locale: Locale): string {
  const other: Locale = locale === 'en' ? 'id' : 'en';
  if (words[locale] === words[other]) return escapeHtml(words[locale]);
  return `${escapeHtml(words[locale])} / <span lang="${other}">${escapeHtml(words[other])}</span>`;
}

/** Renders one store's records to HTML, record by record as they stream past. */
export class RecordView {
  private readonly parts: string[] = [];
  private bytes = 0;
  private shown = 0;
  private seen = 0;
  private readonly masks: ReadonlySet<string>;
  private readonly maxBytes: number;

  constructor(private readonly options: RecordViewOptions) {
    this.masks = new Set(options.maskValues);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** Counts a record and, while under the cap and the byte budget, renders it. */
  add(record: ExportedData): void {
    this.seen++;
    if (this.shown >= this.options.limit || this.bytes >= this.maxBytes) return;
    const html = this.recordTable(record, this.seen);
    this.bytes += Buffer.byteLength(html);
    this.parts.push(html);
    this.shown++;
  }

  /** Records counted so far. */
  get records(): number {
    return this.seen;
  }

  /** The records shown, and a notice naming the files when not all of them are. */
  html(files: readonly string[]): string {
    if (this.seen === 0) return '';
    const { locale } = this.options;
    const links = files.map((f) => `<a href="${escapeHtml(f)}">${escapeHtml(f)}</a>`).join(', ');
    const notice =
      this.shown < this.seen
        ? `
      <p class="cap-notice" role="note"><strong>${bilingual(
        {
          en: `This page shows the first ${this.shown} of ${this.seen} records.`,
          id: `Halaman ini menampilkan ${this.shown} catatan pertama dari ${this.seen}.`,
        },
        locale,
      )}</strong> ${bilingual({ en: 'All of them are in', id: 'Semuanya ada di' }, locale)}: ${links}</p>`
        : '';
    return `${notice}
      <div class="records">${this.parts.join('')}
      </div>${notice}`;
  }

  private label(path: string): string {
    const field = this.options.fields[path];
    return field ? bilingual(field.label, this.options.locale) : escapeHtml(readableName(path));
  }

  private recordTable(record: ExportedData, n: number): string {
    const { locale } = this.options;
    const caption = bilingual({ en: `Record ${n}`, id: `Catatan ${n}` }, locale);
    const hold = (this.options.holds ?? []).find((h) =>
      h.in.some((v) => v === record[h.field as keyof typeof record]),
    );
    const held = hold
      ? `
            <tr class="held"><th scope="row">${bilingual({ en: 'Kept for now', id: 'Disimpan untuk sementara' }, locale)}</th><td>${bilingual(hold.description, locale)}</td></tr>`
      : '';
    return `
        <table class="record">
          <caption>${caption}</caption>
          <tbody>${held}${this.rows(record, '', 1)}
          </tbody>
        </table>`;
  }

  private rows(record: ExportedData, prefix: string, depth: number): string {
    return Object.entries(record)
      .map(([name, value]) => {
        const path = prefix ? `${prefix}.${name}` : name;
        return `
            <tr><th scope="row">${this.label(path)}</th><td>${this.value(path, value, depth)}</td></tr>`;
      })
      .join('');
  }

  /** One value as HTML; every piece of text escaped. */
  private value(path: string, value: unknown, depth: number): string {
    const { locale } = this.options;
    const format = this.options.fields[path]?.format;
    if (value === null || value === undefined || value === '') {
      return `<span class="empty">(${bilingual(EMPTY, locale)})</span>`;
    }
    if (typeof value === 'boolean') return bilingual(YES_NO[value ? 'true' : 'false'], locale);
    if (typeof value === 'number') {
      return format === 'idr'
        ? `<span class="amount">${escapeHtml(formatRupiah(value))}</span>`
        : String(value);
    }
    if (typeof value === 'string') return this.text(path, value, format);
    if (depth >= MAX_NESTING) return this.text(path, JSON.stringify(value), undefined);
    if (Array.isArray(value)) return this.list(path, value, depth);
    if (isPlainObject(value)) {
      return `<table class="nested"><tbody>${this.rows(value, path, depth + 1)}</tbody></table>`;
    }
    return this.text(path, String(value), undefined);
  }

  private text(path: string, value: string, format: ExportField['format']): string {
    const { locale } = this.options;
    if (this.masks.has(value)) {
      return `<span class="masked">${escapeHtml(value)} (${bilingual(ERASED, locale)})</span>`;
    }
    if (format === 'idr' && /^-?\d+(\.\d+)?$/.test(value)) {
      return `<span class="amount">${escapeHtml(formatRupiah(Number(value)))}</span>`;
    }
    if (format !== 'date' && ISO_MOMENT.test(value) && !Number.isNaN(Date.parse(value))) {
      return `<time datetime="${escapeHtml(value)}">${escapeHtml(formatMoment(new Date(value), this.options))}</time>`;
    }
    if ((format === 'date' || format === undefined) && ISO_DATE.test(value)) {
      return `<time datetime="${escapeHtml(value)}">${escapeHtml(formatDate(value, this.options))}</time>`;
    }
    const attachment = `${this.options.storeId}/files/`;
    if (path === 'file' && value.startsWith(attachment) && !value.includes('..')) {
      const name = value.slice(attachment.length);
      return `<a href="stores/${escapeHtml(value)}">${escapeHtml(name)}</a>`;
    }
    if (value.length > MAX_TEXT) {
      return `${escapeHtml(value.slice(0, MAX_TEXT))}… <em>(${bilingual(
        { en: 'cut here; the files hold all of it', id: 'dipotong; berkasnya memuat selengkapnya' },
        locale,
      )})</em>`;
    }
    return escapeHtml(value);
  }

  /** A list of objects becomes a sub-table (one row each); a list of plain values, a list. */
  private list(path: string, values: readonly unknown[], depth: number): string {
    if (values.length === 0) return `<span class="empty">(${bilingual(EMPTY, this.options.locale)})</span>`;
    if (values.every(isPlainObject)) {
      const columns: string[] = [];
      for (const item of values) for (const k of Object.keys(item)) if (!columns.includes(k)) columns.push(k);
      const head = columns.map((c) => `<th scope="col">${this.label(`${path}.${c}`)}</th>`).join('');
      const body = values
        .map(
          (item) =>
            `<tr>${columns.map((c) => `<td>${this.value(`${path}.${c}`, item[c], depth + 1)}</td>`).join('')}</tr>`,
        )
        .join('');
      return `<table class="sub"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
    }
    return `<ul>${values.map((v) => `<li>${this.value(path, v, depth + 1)}</li>`).join('')}</ul>`;
  }
}
