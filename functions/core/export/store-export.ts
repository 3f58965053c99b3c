import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { auditStore } from '../audit/events';
import { type DataMap, dataStoreOf } from '../data-map';
import type {
  AuditTrail,
  ConnectorFor,
  ExportedRecord,
  Log,
  ObjectStore,
  OpenedAttachment,
  RecordProblem,
  RequestLedger,
} from '../ports';
import { markedFailedOnError } from '../store-progress';
import * as z from '../zod';
import { CsvColumns, readsBackAsIs } from './csv';
import {
  attachmentKey,
  attachmentPath,
  ExportFileName,
  ExportStoreId,
  FileNameAllocator,
  safeRequestId,
  safeStoreId,
  storeColumnsKey,
  storeExportKey,
} from './keys';

/** What one store's export produced; small enough to travel through the workflow state. */
export const StoreExportResult = z.strictObject({
  storeId: ExportStoreId,
  records: z.number().check(z.int(), z.nonnegative()),
  /** Hex sha256 of the exact bytes of `stores/<storeId>.json`. */
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  key: z.string().check(z.minLength(1)),
  attachments: z.array(
    z.strictObject({
      name: ExportFileName,
      key: z.string().check(z.minLength(1)),
      size: z.number().check(z.int(), z.nonnegative()),
    }),
  ),
  /** Fields the data map keeps out of the export (credentials), as found in the records; the index says so. */
  withheld: z.optional(z.array(z.string())),
  /**
   * Hex sha256 of `stores/<storeId>.columns.json`, the CSV columns learnt while the file was written, so
   * packaging reads the records once; absent (a file written before, or a partner's) = packaging learns them.
   */
  columnsSha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
  /** Records that could not be read as stored, by problem: exported as far as they could be, and counted. */
  problems: z.optional(
    z.partialRecord(z.enum(['unparsable_line', 'missing_key', 'unreadable_object']), z.number()),
  ),
});
export type StoreExportResult = z.infer<typeof StoreExportResult>;

export interface StoreExportArgs {
  readonly requestId: string;
  readonly storeId: string;
  readonly records: AsyncIterable<readonly ExportedRecord[]>;
  /** Fields left out of every record (the data map's `export.excludeFields`). */
  readonly excludeFields?: readonly string[];
}

/** `data` without the `excluded` fields; the names actually left out are added to `withheld`. */
function withoutFields(
  data: Readonly<Record<string, unknown>>,
  excluded: ReadonlySet<string>,
  withheld: Set<string>,
): Readonly<Record<string, unknown>> {
  if (excluded.size === 0) return data;
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(data)) {
    if (excluded.has(name)) withheld.add(name);
    else Object.defineProperty(kept, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return kept;
}

/** A record's file being copied: its name in the export, its place in the list, and its read's answer. */
interface HeldFile {
  readonly name: string;
  readonly at: number;
  readonly opened: Promise<OpenedAttachment>;
}

/** Attachments copied at once, and the bytes they may hold together: a large one is copied alone. */
const ATTACHMENT_COPIES = 8;
const ATTACHMENT_BUDGET_BYTES = 8 * 1024 * 1024;

/**
 * Runs copies concurrently, at most {@link ATTACHMENT_COPIES} and, by their
 * known sizes, {@link ATTACHMENT_BUDGET_BYTES} at once (one of unknown or
 * larger size runs alone); the first failure is thrown by the next `add` or by `drain`.
 */
class AttachmentCopies {
  private readonly running = new Set<Promise<void>>();
  private bytes = 0;
  private failure: { error: unknown } | undefined;

  async add(size: number | undefined, copy: () => Promise<void>): Promise<void> {
    const weight = size === undefined || size > ATTACHMENT_BUDGET_BYTES ? ATTACHMENT_BUDGET_BYTES : size;
    while (
      this.running.size > 0 &&
      (this.running.size >= ATTACHMENT_COPIES || this.bytes + weight > ATTACHMENT_BUDGET_BYTES)
    ) {
      await Promise.race(this.running);
    }
    if (this.failure) throw this.failure.error;
    this.bytes += weight;
    const running: Promise<void> = copy()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.bytes -= weight;
        this.running.delete(running);
      });
    this.running.add(running);
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure) throw this.failure.error;
  }

  /** Waits for the copies still running, whatever their outcome (the export failed: none outlives it). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.running);
  }
}

/**
 * Streams one store's records for a subject into
 * `exports/<requestId>/stores/<storeId>.json` as
 * `{ "storeId": ..., "records": [ {...}, ... ] }`, one page at a time, hashing
 * the bytes as they go. Attachments are streamed to
 * `exports/<requestId>/stores/<storeId>/files/<safe name>` and their record
 * gets `"file": "<storeId>/files/<name>"` (relative to the `stores/` folder),
 * a few at once within a byte budget. Memory stays flat whatever the number of records.
 *
 * @throws UnsafeExportKeyError when requestId or storeId is not of the expected shape (nothing is written).
 */
export async function writeStoreExport(
  ports: { readonly exports: ObjectStore },
  args: StoreExportArgs,
): Promise<StoreExportResult> {
  const { exports } = ports;
  const requestId = safeRequestId(args.requestId);
  const storeId = safeStoreId(args.storeId);
  const key = storeExportKey(requestId, storeId);
  const hash = createHash('sha256');
  const attachments: StoreExportResult['attachments'] = [];
  const names = new FileNameAllocator();
  let records = 0;
  const excluded = new Set(args.excludeFields ?? []);
  const withheld = new Set<string>();
  const problems: Partial<Record<RecordProblem, number>> = {};
  // Learnt here, from the records already in hand, so packaging need not parse every record twice.
  const columns = new CsvColumns();
  const copies = new AttachmentCopies();
  // Files that may not be read: their records are flagged and they leave the list.
  const unreadable = new Set<number>();

  // Text, not bytes: the upload encodes it straight into its part buffer.
  const emit = (text: string): string => {
    hash.update(text, 'utf8');
    return text;
  };
  async function* document(): AsyncGenerator<string> {
    yield emit(`{"storeId":${JSON.stringify(storeId)},"records":[`);
    try {
      yield* recordLines();
    } finally {
      await copies.settle();
    }
    yield emit('\n]}\n');
  }

  async function* recordLines(): AsyncGenerator<string> {
    for await (const page of args.records) {
      // A record with a file waits for its read's answer (its content type) before its line is written.
      const held: { data: Readonly<Record<string, unknown>>; problem?: RecordProblem; file?: HeldFile }[] =
        [];
      for (const record of page) {
        const data = withoutFields(record.data, excluded, withheld);
        held.push({
          data,
          ...(record.problem ? { problem: record.problem } : {}),
          ...(record.attachment ? { file: await copy(record.attachment) } : {}),
        });
      }
      const lines: string[] = [];
      for (const { file, ...entry } of held) {
        let { data, problem } = entry;
        if (file) {
          const opened = await file.opened;
          if ('unreadable' in opened) {
            data = { ...data, unreadable: true };
            problem = 'unreadable_object';
            unreadable.add(file.at);
          } else {
            // From `data`, not `record.data`: an excluded field stays out of a record with a file too.
            data = { ...data, ...opened.fields, file: attachmentPath(storeId, file.name) };
          }
        }
        if (problem) problems[problem] = (problems[problem] ?? 0) + 1;
        const line = JSON.stringify(data);
        // A record that would not read back as it is (a Set, a Date, an undefined field) is learnt from its line.
        columns.add(readsBackAsIs(data) ? data : (JSON.parse(line) as Readonly<Record<string, unknown>>));
        lines.push((records === 0 ? '\n' : ',\n') + line);
        records++;
      }
      if (lines.length > 0) yield emit(lines.join(''));
    }
    await copies.drain();
  }

  /**
   * Starts copying a record's file beside the records, a few at once within a
   * byte budget (see AttachmentCopies); listed in record order. Its one read
   * (GetObject) also answers what the record says of it, so nothing is asked twice.
   */
  async function copy(attachment: NonNullable<ExportedRecord['attachment']>): Promise<HeldFile> {
    const name = names.allocate(attachment.name);
    const fileKey = attachmentKey(requestId, storeId, name);
    const at = attachments.length;
    attachments.push({ name, key: fileKey, size: 0 });
    let opened: Promise<OpenedAttachment> | undefined;
    await copies.add(attachment.size, async () => {
      opened = attachment.open();
      const file = await opened;
      if ('unreadable' in file) return;
      const size = await exports.upload(fileKey, file.body, { contentType: 'application/octet-stream' });
      attachments[at] = { name, key: fileKey, size };
    });
    // `add` has called the copy by now: `opened` is set (and a failure is also the copy's, so never unhandled).
    return { name, at, opened: opened as Promise<OpenedAttachment> };
  }

  await exports.upload(key, Readable.from(document()), { contentType: 'application/json; charset=utf-8' });
  // Field names only, never values; bounded by the CSV's column cap.
  const learnt = JSON.stringify(columns.learnt());
  await exports.put(storeColumnsKey(requestId, storeId), learnt, {
    contentType: 'application/json; charset=utf-8',
  });
  return {
    storeId,
    records,
    sha256: hash.digest('hex'),
    key,
    attachments: attachments.filter((_, i) => !unreadable.has(i)),
    columnsSha256: createHash('sha256').update(learnt).digest('hex'),
    ...(withheld.size > 0 ? { withheld: [...withheld].sort() } : {}),
    ...(Object.keys(problems).length > 0 ? { problems } : {}),
  };
}

/** `unparsable_line` -> `unparsableLine` (audit detail names are camelCase). */
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** What ExportStore needs from outside. */
export interface ExportStorePorts {
  readonly ledger: Pick<RequestLedger, 'require' | 'setStoreProgress'>;
  readonly exports: ObjectStore;
  readonly dataMap: DataMap;
  readonly connectorFor: ConnectorFor;
  readonly log: Log;
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
}

/**
 * ExportStore (one Map iteration): streams one store's records for the subject
 * into the exports bucket, recording the store's progress in the ledger.
 */
export async function exportStore(
  ports: ExportStorePorts,
  input: { readonly requestId: string; readonly storeId: string },
): Promise<StoreExportResult> {
  const { requestId, storeId } = input;
  const { ledger, log } = ports;
  const store = dataStoreOf(ports.dataMap, storeId);
  const record = await ledger.require(requestId);
  await ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' });
  return markedFailedOnError({ ledger, log }, { requestId, storeId }, async () => {
    const result = await writeStoreExport(ports, {
      requestId,
      storeId,
      records: ports.connectorFor(store).export({ identities: record.identities ?? {} }),
      excludeFields: store.export?.excludeFields ?? [],
    });
    const { problems } = result;
    await ledger.setStoreProgress(requestId, storeId, {
      status: 'completed',
      records: result.records,
      ...(problems ? { problems } : {}),
    });
    // Counts only: a bad line's text is the person's data.
    log.info('store exported', {
      requestId,
      storeId,
      records: result.records,
      ...(problems ? { problems } : {}),
    });
    await auditStore(ports.auditTrail, requestId, storeId, 'store_exported', {
      records: result.records,
      ...Object.fromEntries(Object.entries(problems ?? {}).map(([p, n]) => [camel(p), n ?? 0])),
    });
    return result;
  });
}
