const NEWLINE = 0x0a;

/** A store file that is not in the shape writeStoreExport writes. */
export class ExportFileShapeError extends Error {
  override readonly name = 'ExportFileShapeError';
}

export type ExportedData = Readonly<Record<string, unknown>>;

/**
 * Reads the records of a store file (`stores/<storeId>.json`) while its bytes
 * stream past, one record at a time. It relies on the layout writeStoreExport
 * writes: a first line `{"storeId":…,"records":[`, then one record per line
 * (a trailing comma between them; JSON never holds a raw line break), then
 * `]}`. Lines are cut in the bytes and each decoded alone (a newline byte is
 * never part of a multi-byte UTF-8 character), so a chunk never becomes one
 * large string to copy; only the current line is ever held.
 */
export class ExportFileReader {
  /** The start of a line whose end has not arrived yet. */
  private pending: Buffer[] = [];
  private line = 0;

  /** Feeds bytes; calls `onRecord` for every record completed by them. */
  push(chunk: Buffer, onRecord: (record: ExportedData) => void): void {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.take(this.textOf(chunk, start, end), onRecord);
      start = end + 1;
    }
    // A copy, so the tail of a line does not keep the whole chunk alive.
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
  }

  /** The end of the file: the last line is read. */
  end(onRecord: (record: ExportedData) => void): void {
    const rest = this.textOf(Buffer.alloc(0), 0, 0);
    if (rest.trim()) this.take(rest, onRecord);
  }

  /** The pending bytes and `chunk` from `start` to `end`, as text. */
  private textOf(chunk: Buffer, start: number, end: number): string {
    if (this.pending.length === 0) return chunk.toString('utf8', start, end);
    const whole = Buffer.concat([...this.pending, chunk.subarray(start, end)]);
    this.pending = [];
    return whole.toString('utf8');
  }

  private take(raw: string, onRecord: (record: ExportedData) => void): void {
    const line = raw.trim();
    this.line++;
    if (this.line === 1) {
      if (!line.startsWith('{"storeId":') || !line.endsWith('"records":[')) {
        throw new ExportFileShapeError('a store file must start with its storeId and records');
      }
      return;
    }
    if (line === '' || line === ']}') return;
    const json = line.endsWith(',') ? line.slice(0, -1) : line;
    let record: unknown;
    try {
      record = JSON.parse(json);
    } catch {
      throw new ExportFileShapeError(`line ${this.line} of a store file is not one record`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new ExportFileShapeError(`line ${this.line} of a store file is not a record`);
    }
    onRecord(record as ExportedData);
  }
}
