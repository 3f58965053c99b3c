/**
 * CSV for spreadsheets (RFC 4180): one row per record, nested objects
 * flattened to dotted columns, lists as JSON in one cell, a UTF-8 byte-order
 * mark so spreadsheet programs read Indonesian text correctly, and every text
 * that a spreadsheet would run as a formula made inert.
 */

/** Spreadsheet programs need it to read the file as UTF-8. */
export const CSV_BOM = '\uFEFF';

/** Objects nested deeper than this are one JSON cell, like lists. */
const MAX_DEPTH = 4;

/** Columns beyond this many go, as JSON, into one last column: a strange record cannot make the header unbounded. */
export const MAX_COLUMNS = 500;

/** The column holding what did not fit in {@link MAX_COLUMNS}. */
export const OVERFLOW_COLUMN = '(more)';

// A cell starting with one of these is read as a formula (or a DDE call) by Excel, LibreOffice and Sheets.
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text a spreadsheet shows as text: a leading formula character gets a single quote before it. */
export function inertText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One cell as RFC 4180 writes it: quoted when it holds a quote, comma or line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A value's cell text: numbers and booleans as they are, text made inert, lists and deep objects as JSON. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (typeof value === 'string') return inertText(value);
  return inertText(JSON.stringify(value));
}

/** One CSV line (CRLF-terminated) from cell values. */
export function csvRow(values: readonly unknown[]): string {
  return `${values.map((v) => csvField(cellText(v))).join(',')}\r\n`;
}

/** A header line: column names are made inert too, since they come from the records. */
export function csvHeader(columns: readonly string[]): string {
  return csvRow(columns);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `{ a: 1, b: { c: 2 }, items: [...] }` → `[["a", 1], ["b.c", 2], ["items", [...]]]`:
 * nested objects become dotted columns, lists stay one value (a JSON cell).
 */
export function flattenRecord(record: Readonly<Record<string, unknown>>): [string, unknown][] {
  const out: [string, unknown][] = [];
  const walk = (value: Readonly<Record<string, unknown>>, prefix: string, depth: number): void => {
    for (const [name, inner] of Object.entries(value)) {
      const column = prefix ? `${prefix}.${name}` : name;
      if (isPlainObject(inner) && depth < MAX_DEPTH && Object.keys(inner).length > 0) {
        walk(inner, column, depth + 1);
      } else out.push([column, inner]);
    }
  };
  walk(record, '', 1);
  return out;
}

/**
 * The columns of a store's CSV, in the order they first appear across its
 * records; learnt while the records stream past, then used to write the rows.
 */
export class CsvColumns {
  private readonly order: string[] = [];
  private readonly known = new Set<string>();
  private overflow = false;

  /** Learns the columns of one record. */
  add(record: Readonly<Record<string, unknown>>): void {
    for (const [column] of flattenRecord(record)) {
      if (this.known.has(column)) continue;
      if (this.order.length >= MAX_COLUMNS) {
        this.overflow = true;
        continue;
      }
      this.known.add(column);
      this.order.push(column);
    }
  }

  /** The header's columns (with the overflow column last, when some did not fit). */
  get columns(): readonly string[] {
    return this.overflow ? [...this.order, OVERFLOW_COLUMN] : this.order;
  }

  /** One record's line, with a cell per column (empty where the record has no such field). */
  row(record: Readonly<Record<string, unknown>>): string {
    const cells = new Map(flattenRecord(record));
    const values: unknown[] = this.order.map((column) => cells.get(column));
    if (this.overflow) {
      const rest = [...cells].filter(([column]) => !this.known.has(column));
      values.push(rest.length > 0 ? Object.fromEntries(rest) : undefined);
    }
    return csvRow(values);
  }
}
