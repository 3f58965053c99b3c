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
  // includes, not a regex: this runs for every cell, and the regex allocated on every call while V8 warmed it up.
  const quoted = text.includes('"') || text.includes(',') || text.includes('\n') || text.includes('\r');
  // split/join leaves less garbage than replaceAll for a list's JSON, which has many quotes.
  return quoted ? `"${text.split('"').join('""')}"` : text;
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

/** Receives each cell of a record from {@link eachCell}. */
export interface CellVisitor {
  cell(column: string, value: unknown): void;
}

/**
 * Gives `visitor` each cell of a record: `{ a: 1, b: { c: 2 }, items: [...] }`
 * gives `a` 1, `b.c` 2 and `items` [...]. Nested objects become dotted columns,
 * lists stay one value (a JSON cell). Nothing is collected on the way: this
 * runs for every record of a store, twice.
 */
export function eachCell(record: Readonly<Record<string, unknown>>, visitor: CellVisitor): void {
  walk(record, Object.keys(record), '', 1, visitor);
}

// Object.keys, not entries (a pair per field) or for…in with hasOwn (which allocates while the code is cold).
function walk(
  value: Readonly<Record<string, unknown>>,
  names: readonly string[],
  prefix: string,
  depth: number,
  visitor: CellVisitor,
): void {
  // Indexed: for…of allocates an iterator result per field until the code is optimised.
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const inner = value[name];
    const column = prefix === '' ? name : `${prefix}.${name}`;
    const nested = depth < MAX_DEPTH && isPlainObject(inner) ? Object.keys(inner) : undefined;
    if (nested && nested.length > 0)
      walk(inner as Record<string, unknown>, nested, column, depth + 1, visitor);
    else visitor.cell(column, inner);
  }
}

/** A store's CSV columns as learnt while its file was written: stored beside it for packaging. */
export interface LearntColumns {
  readonly columns: readonly string[];
  /** Some columns did not fit in {@link MAX_COLUMNS}: the rows end with the {@link OVERFLOW_COLUMN}. */
  readonly overflow: boolean;
}

/**
 * True when `value` reads back from its JSON as it is: only strings, finite
 * numbers, booleans, null, lists and plain objects, nothing undefined and no
 * `toJSON`. Columns learnt from such a record are the ones its JSON line gives,
 * so the line need not be parsed again; anything else is learnt from the line.
 */
export function readsBackAsIs(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth > 32) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!readsBackAsIs(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const object = value as Record<string, unknown>;
  if (typeof object.toJSON === 'function') return false;
  const names = Object.keys(object);
  for (let i = 0; i < names.length; i++)
    if (!readsBackAsIs(object[names[i] as string], depth + 1)) return false;
  return true;
}

/**
 * The columns of a store's CSV, in the order they first appear across its
 * records; learnt while the records stream past, then used to write the rows.
 * One row's cells are reused for the next, so a row costs its text only.
 */
export class CsvColumns {
  private readonly order: string[] = [];
  /** Each known column's place in the row. */
  private readonly position = new Map<string, number>();
  private overflow = false;
  private readonly cells: string[] = [];
  /** The current row's cells past {@link MAX_COLUMNS}, when it has any. */
  private rest: [string, unknown][] | undefined;
  private readonly learner: CellVisitor = {
    cell: (column) => {
      if (this.position.has(column)) return;
      if (this.order.length >= MAX_COLUMNS) {
        this.overflow = true;
        return;
      }
      this.position.set(column, this.order.length);
      this.order.push(column);
    },
  };
  private readonly writer: CellVisitor = {
    cell: (column, value) => {
      const at = this.position.get(column);
      if (at !== undefined) this.cells[at] = csvField(cellText(value));
      else if (this.overflow) {
        this.rest ??= [];
        this.rest.push([column, value]);
      }
    },
  };

  /** Learns the columns of one record. */
  add(record: Readonly<Record<string, unknown>>): void {
    eachCell(record, this.learner);
  }

  /** What was learnt, to be stored beside the store file and {@link CsvColumns.restore}d when packaging. */
  learnt(): LearntColumns {
    return { columns: [...this.order], overflow: this.overflow };
  }

  /** Columns learnt earlier (by writeStoreExport, as the records were written). */
  static restore(learnt: LearntColumns): CsvColumns {
    const restored = new CsvColumns();
    for (const column of learnt.columns.slice(0, MAX_COLUMNS)) restored.learner.cell(column, undefined);
    restored.overflow = learnt.overflow || learnt.columns.length > MAX_COLUMNS;
    return restored;
  }

  /** The header's columns (with the overflow column last, when some did not fit). */
  get columns(): readonly string[] {
    return this.overflow ? [...this.order, OVERFLOW_COLUMN] : this.order;
  }

  /** One record's line, with a cell per column (empty where the record has no such field). */
  row(record: Readonly<Record<string, unknown>>): string {
    const { cells } = this;
    cells.length = this.order.length + (this.overflow ? 1 : 0);
    cells.fill('');
    this.rest = undefined;
    eachCell(record, this.writer);
    // fromEntries, not assignment: a column named __proto__ stays a column.
    if (this.rest) cells[this.order.length] = csvField(cellText(Object.fromEntries(this.rest)));
    return `${cells.join(',')}\r\n`;
  }
}
