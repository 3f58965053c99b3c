import { StringDecoder } from 'node:string_decoder';

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
 * `]}`. Only the current line is ever held.
 */
export class ExportFileReader {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private line = 0;

  /** Feeds bytes; calls `onRecord` for every record completed by them. */
  push(chunk: Buffer, onRecord: (record: ExportedData) => void): void {
    const text = this.pending + this.decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      this.take(text.slice(start, end), onRecord);
      start = end + 1;
    }
    this.pending = text.slice(start);
  }

  /** The end of the file: the last line is read. */
  end(onRecord: (record: ExportedData) => void): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest.trim()) this.take(rest, onRecord);
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
