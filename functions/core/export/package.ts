import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { auditStep } from '../audit/events';
import { HISTORY_REQUESTS, type HistoryLine, personHistory } from '../audit/trail';
import {
  type DataMap,
  DEFAULT_PAGE_RECORDS,
  type ExportField,
  isProcessor,
  MASK_VALUE,
  type ProcessorStore,
  type StoreConfig,
} from '../data-map';
import type { ProcessorEvidence } from '../ledger-record';
import type { AuditTrail, Log, ObjectStore, RequestLedger, ZipWriters } from '../ports';
import * as z from '../zod';
import { CSV_BOM, CsvColumns, csvHeader, MAX_COLUMNS } from './csv';
import { type ExportedData, ExportFileReader } from './export-file';
import {
  type IndexAbout,
  type IndexProcessing,
  type IndexRecipient,
  type IndexStore,
  renderIndexHtml,
} from './index-page';
import {
  attachmentKey,
  attachmentPath,
  ExportStoreId,
  exportZipKey,
  safeFileName,
  safeRequestId,
  safeStoreId,
  storeColumnsKey,
  storeExportKey,
} from './keys';
import { openExisting, readSmall } from './objects';
import { buildProcessingRecord } from './processing-record';
import { processorCallStatus, processorCallsOf, processorOutcome } from './processor-calls';
import { formatMoment, type Locale, RecordView, timeZoneOf, zoneName } from './record-view';
import { StoreExportResult } from './store-export';

/** A store file's bytes did not match the hash recorded when it was written. */
export class ExportIntegrityError extends Error {
  override readonly name = 'ExportIntegrityError';
}

/**
 * A processor branch that ended without a store file in the workflow state:
 * EscalateProcessor's answer (`escalated: false` when an acknowledgement won the
 * race against the escalation), or NotifyProcessor's acknowledgement without records.
 */
export const ProcessorExportOutcome = z.union([
  z.strictObject({
    storeId: ExportStoreId,
    escalated: z.boolean(),
    reason: z.optional(z.string().check(z.regex(/^[a-z_]{1,40}$/))),
  }),
  z.strictObject({
    storeId: ExportStoreId,
    processor: z.strictObject({
      status: z.string().check(z.maxLength(40)),
      reference: z.string().check(z.maxLength(200)),
    }),
  }),
]);
export type ProcessorExportOutcome = z.infer<typeof ProcessorExportOutcome>;

/** One item of PackageExport's `exports`: what each Map iteration (store or processor) returned. */
export const PackageExportItem = z.union([StoreExportResult, ProcessorExportOutcome]);
export type PackageExportItem = z.infer<typeof PackageExportItem>;

export interface PackageExportArgs {
  readonly requestId: string;
  /** Validated here (zod): store files, and processor outcomes without a file in the state. */
  readonly exports: readonly unknown[];
  /** What the processing record and index.html say about the controller, each store and each processor. */
  readonly dataMap: Pick<DataMap, 'organisation' | 'contact' | 'stores'>;
  /** This request's processor evidence from the ledger. */
  readonly processorCalls?: readonly ProcessorEvidence[];
  /** The request's history from its audit chain (owner: audit); empty when no chain was read. */
  readonly history?: readonly HistoryLine[];
  readonly generatedAt?: Date;
  /** The person's language (the page's first language) and time zone; default English and WIB. */
  readonly locale?: Locale;
  readonly timeZone?: string;
  /** setting `publicUrl` (the form is its root) and setting `exportLinkTtlSeconds`: the page's first lines say both. */
  readonly settings?: { readonly publicUrl: string; readonly linkTtlSeconds: number };
}

export interface PackagedExport {
  readonly key: string;
  readonly records: number;
  /** Bytes of the zip. */
  readonly size: number;
}

/** manifest.json: ids, counts and hashes only, never personal data or processor references. */
export interface ExportManifest {
  readonly requestId: string;
  readonly generatedAt: string;
  readonly stores: readonly {
    readonly storeId: string;
    readonly records: number;
    readonly sha256: string;
    readonly file: string;
    /** The same records as CSV (RFC 4180, UTF-8 with a byte-order mark), and its SHA-256. */
    readonly csv: { readonly file: string; readonly sha256: string };
    readonly attachments: number;
  }[];
  readonly processingRecord: { readonly file: 'processing-record.json'; readonly sha256: string };
  /** Each processor asked for this request and where its call ended. */
  readonly processors: readonly {
    readonly processorId: string;
    readonly status: 'acknowledged' | 'escalated' | 'pending';
  }[];
}

/** A processor's records file (written by its acknowledgement) is bounded by the 5 MiB answer cap; this leaves room. */
const MAX_PROCESSOR_FILE_BYTES = 16 * 1024 * 1024;

/** Only the shape is checked: the file was written by writeStoreExport. */
const ProcessorFile = z.object({ records: z.array(z.unknown()) });

/** A store file to put in the zip: from the workflow state, or a processor's file found in the bucket. */
type PackagedStore = StoreExportResult & { readonly bytes?: Buffer };

/**
 * A processor whose acknowledgement did not travel through the workflow state
 * (it won a race against the escalation, or came by callback) may still have
 * written its records file: read it (bounded) so its hash and count are known
 * before the manifest is written. Undefined when there is none.
 */
async function processorFile(
  exports: ObjectStore,
  requestId: string,
  storeId: string,
): Promise<PackagedStore | undefined> {
  const key = storeExportKey(requestId, storeId);
  const bytes = await readSmall(
    exports,
    key,
    MAX_PROCESSOR_FILE_BYTES,
    () => new ExportIntegrityError(`partner file ${storeId} is larger than a partner answer can be`),
  );
  if (!bytes) return undefined;
  let records: number;
  try {
    records = z.parse(ProcessorFile, JSON.parse(bytes.toString('utf8'))).records.length;
  } catch {
    throw new ExportIntegrityError(`partner file ${storeId} is not an export file`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { storeId, records, sha256, key, attachments: [], bytes };
}

const isStoreFile = (item: PackageExportItem): item is StoreExportResult => 'sha256' in item;

/** A store's or processor's processing as index.html shows it: recipients by the names a person knows. */
function indexProcessing(store: StoreConfig, nameOf: ReadonlyMap<string, string>): IndexProcessing {
  return {
    purposes: store.purposes,
    legalBasis: store.legalBasis,
    retention: store.retention,
    source: store.source,
    recipients: store.recipients.map((r) => nameOf.get(r) ?? r),
  };
}

/** The index's view of each processor: what this request asked of it and how that ended. */
function indexRecipients(
  processors: readonly ProcessorStore[],
  calls: readonly ProcessorEvidence[],
  outcomes: readonly ProcessorExportOutcome[],
  files: ReadonlyMap<string, PackagedStore>,
  nameOf: ReadonlyMap<string, string>,
): IndexRecipient[] {
  const callOf = new Map(calls.map((c) => [c.processorId, c]));
  const outcomeOf = new Map(outcomes.map((o) => [o.storeId, o]));
  return processors.map((p): IndexRecipient => {
    const call = callOf.get(p.id);
    const outcome = outcomeOf.get(p.id);
    const file = files.get(p.id);
    const escalatedInState = outcome !== undefined && 'escalated' in outcome && outcome.escalated;
    const answer = call
      ? processorOutcome(call)
      : escalatedInState
        ? 'followed_up'
        : file || outcome
          ? 'confirmed'
          : 'not_asked';
    return {
      processorId: p.id,
      name: p.name,
      description: p.description,
      categories: p.categories,
      country: p.country,
      ...(p.country !== 'ID' && p.transferSafeguard ? { transferSafeguard: p.transferSafeguard } : {}),
      processing: indexProcessing(p, nameOf),
      answer,
      ...(file ? { records: file.records, file: `stores/${p.id}.json` } : {}),
    };
  });
}

/**
 * index.html's sections: every data store of the map (with its file when this
 * export has one), then any processor that sent records, under its name;
 * a file for a store the map no longer knows still gets its section.
 */
function indexStores(
  dataMap: Pick<DataMap, 'stores'>,
  files: ReadonlyMap<string, PackagedStore>,
  nameOf: ReadonlyMap<string, string>,
  recordsHtml: ReadonlyMap<string, string>,
): IndexStore[] {
  const section = (storeId: string, file: PackagedStore | undefined) => ({
    storeId,
    records: file?.records ?? 0,
    ...(file ? { file: `stores/${storeId}.json`, csvFile: `stores/${storeId}.csv` } : {}),
    attachments: (file?.attachments ?? []).map((a) => ({
      name: a.name,
      size: a.size,
      path: `stores/${attachmentPath(storeId, a.name)}`,
    })),
    ...(file?.withheld ? { withheld: file.withheld } : {}),
    ...(recordsHtml.has(storeId) ? { recordsHtml: recordsHtml.get(storeId) } : {}),
  });
  const known = new Set(dataMap.stores.map((s) => s.id));
  const mapped = dataMap.stores
    .filter((s) => !isProcessor(s) || files.has(s.id))
    .map(
      (s): IndexStore => ({
        ...section(s.id, files.get(s.id)),
        description: isProcessor(s) ? s.name : s.description,
        categories: s.categories,
        processing: indexProcessing(s, nameOf),
      }),
    );
  const unknown = [...files.values()]
    .filter((f) => !known.has(f.storeId))
    .map((f): IndexStore => ({ ...section(f.storeId, f), description: f.storeId, categories: [] }));
  return [...mapped, ...unknown];
}

/**
 * Passes bytes through while hashing them (and showing each chunk to `inspect`,
 * whose error fails the stream); `digest()` is valid once the stream has ended.
 */
function hashing(inspect?: (chunk: Buffer) => void): Transform & { digest(): string } {
  const hash = createHash('sha256');
  let hex: string | undefined;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      try {
        inspect?.(chunk);
      } catch (error) {
        callback(error instanceof Error ? error : new Error('could not read the store file'));
        return;
      }
      callback(null, chunk);
    },
    flush(callback) {
      hex = hash.digest('hex');
      callback();
    },
  });
  return Object.assign(transform, {
    digest(): string {
      if (hex === undefined) throw new Error('hash read before the stream ended');
      return hex;
    },
  });
}

/**
 * The CSV of a store file, produced as the file streams past: each chunk's
 * rows are handed on as bytes at once, so the stream buffers bytes and no more
 * than one chunk's rows are ever text. Each record is also shown to `seen`.
 */
function csvOf(columns: CsvColumns, seen?: (record: ExportedData) => void): Transform {
  const reader = new ExportFileReader();
  let text = CSV_BOM + csvHeader(columns.columns);
  const addRow = (record: ExportedData) => {
    text += columns.row(record);
    seen?.(record);
  };
  // Runs `read` (which adds rows to `text`) and hands the rows on; a line that is not a record fails the stream.
  const handOn = (read: () => void, callback: TransformCallback): void => {
    let bytes: Buffer | undefined;
    try {
      read();
      bytes = text === '' ? undefined : Buffer.from(text, 'utf8');
    } catch (error) {
      callback(error instanceof Error ? error : new Error('could not read the store file'));
      return;
    } finally {
      text = '';
    }
    callback(null, bytes);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      handOn(() => reader.push(chunk, addRow), callback);
    },
    flush(callback) {
      handOn(() => reader.end(addRow), callback);
    },
  });
}

/** Files of a store opened before their turn in the zip (each an open GetObject stream, paused by backpressure). */
const ATTACHMENTS_AHEAD = 4;
/** Only files this small are opened ahead, and only while the file being added is this small. */
const AHEAD_MAX_BYTES = 1024 * 1024;

/** The columns file is field names only, capped at {@link MAX_COLUMNS} of them; this leaves room for long names. */
const MAX_COLUMNS_FILE_BYTES = 1024 * 1024;

const LearntColumnsFile = z.object({
  columns: z.array(z.string()).check(z.maxLength(MAX_COLUMNS)),
  overflow: z.boolean(),
});

/**
 * The CSV columns writeStoreExport learnt and stored beside the store file,
 * checked against the hash it recorded; undefined when it stored none (a
 * partner's file, or one written before it did), and packaging learns them.
 */
async function learntColumns(
  objects: ObjectStore,
  requestId: string,
  result: PackagedStore,
): Promise<CsvColumns | undefined> {
  if (!result.columnsSha256 || result.bytes) return undefined;
  const mismatch = () =>
    new ExportIntegrityError(`columns of store file ${result.storeId} do not match their recorded sha256`);
  const bytes = await readSmall(
    objects,
    storeColumnsKey(requestId, result.storeId),
    MAX_COLUMNS_FILE_BYTES,
    mismatch,
  );
  if (!bytes || createHash('sha256').update(bytes).digest('hex') !== result.columnsSha256) throw mismatch();
  return CsvColumns.restore(LearntColumnsFile.parse(JSON.parse(bytes.toString('utf8'))));
}

/** How a store's records look on the page: its labels and formats, its cap, what its masks write and what it holds. */
function viewOf(
  store: StoreConfig | undefined,
  storeId: string,
  format: { readonly locale: Locale; readonly timeZone: string },
): RecordView {
  const fields: Readonly<Record<string, ExportField>> = store?.export?.fields ?? {};
  const masks =
    store && !isProcessor(store)
      ? Object.values(store.erasure.fields).flatMap((f) => (f.action === 'mask' && f.with ? [f.with] : []))
      : [];
  const holds =
    store && !isProcessor(store)
      ? store.erasure.holds.flatMap((h) => (h.when ? [{ ...h.when, description: h.description }] : []))
      : [];
  return new RecordView({
    ...format,
    storeId,
    fields,
    maskValues: [MASK_VALUE, ...masks],
    holds,
    limit: store?.export?.pageRecords ?? DEFAULT_PAGE_RECORDS,
  });
}

/**
 * Builds the one zip a data subject downloads, `exports/<requestId>/export.zip`:
 * `manifest.json`, `index.html` (EN/ID), `processing-record.json` (the
 * controller, every store's and processor's purposes, legal basis, retention,
 * source and recipients, this request's processor calls, transfers abroad and
 * the request's history),
 * `stores/<storeId>.json` and `stores/<storeId>.csv` per store or answering
 * processor and `stores/<storeId>/files/...` attachments. Each store file is
 * streamed from S3 into the archive, which streams into a multipart upload:
 * nothing is held whole (a processor's file, bounded by its answer cap, is read
 * once to hash it). A second read streams it into the CSV, with the columns
 * writeStoreExport learnt while writing it, and renders its first records (the
 * data map's `export.pageRecords`, default 200) for index.html: each record is
 * parsed once. (A file with no learnt columns, a partner's, is parsed on both
 * reads: the first learns its columns.) index.html, the
 * processing record and the manifest (with every hash) come last.
 * Keys are rebuilt from validated ids, never taken from the input.
 *
 * @throws UnsafeExportKeyError on an invalid request id, store id or file name.
 * @throws ExportIntegrityError when a store file no longer matches its recorded sha256.
 * @throws ExportFileShapeError when a store file is not laid out as writeStoreExport writes it.
 */
export async function packageExport(
  ports: { readonly exports: ObjectStore; readonly zip: ZipWriters },
  args: PackageExportArgs,
): Promise<PackagedExport> {
  const objects = ports.exports;
  const requestId = safeRequestId(args.requestId);
  const items = z.parse(z.array(PackageExportItem), args.exports);
  const outcomes = items.filter((i): i is ProcessorExportOutcome => !isStoreFile(i));
  const exports: PackagedStore[] = items.filter(isStoreFile);
  for (const outcome of outcomes) {
    const found = await processorFile(objects, requestId, safeStoreId(outcome.storeId));
    if (found) exports.push(found);
  }
  for (const result of exports) {
    safeStoreId(result.storeId);
    for (const file of result.attachments) safeFileName(file.name);
  }
  const generatedAt = args.generatedAt ?? new Date();
  const key = exportZipKey(requestId);
  const calls = args.processorCalls ?? [];
  const processingRecord = buildProcessingRecord({
    dataMap: args.dataMap,
    records: new Map(exports.map((r) => [r.storeId, r.records])),
    calls,
    history: args.history ?? [],
  });
  const processingJson = `${JSON.stringify(processingRecord, null, 2)}\n`;
  const csvHashes = new Map<string, string>();
  const recordsHtml = new Map<string, string>();
  const manifest = (): ExportManifest => ({
    requestId,
    generatedAt: generatedAt.toISOString(),
    stores: exports.map((r) => ({
      storeId: r.storeId,
      records: r.records,
      sha256: r.sha256,
      file: `stores/${r.storeId}.json`,
      csv: { file: `stores/${r.storeId}.csv`, sha256: csvHashes.get(r.storeId) ?? '' },
      attachments: r.attachments.length,
    })),
    processingRecord: {
      file: 'processing-record.json',
      sha256: createHash('sha256').update(processingJson).digest('hex'),
    },
    processors: calls.map((c) => ({ processorId: c.processorId, status: processorCallStatus(c) })),
  });
  const files = new Map(exports.map((r) => [r.storeId, r]));
  const processors = args.dataMap.stores.filter(isProcessor);
  const nameOf = new Map(processors.map((p) => [p.id, p.name]));
  const format = { locale: args.locale ?? 'en', timeZone: args.timeZone ?? timeZoneOf('ID') } as const;
  const storeConfigOf = new Map(args.dataMap.stores.map((st) => [st.id, st]));
  const about = (): IndexAbout | undefined =>
    args.settings && {
      organisation: args.dataMap.organisation,
      madeAt: formatMoment(generatedAt, format),
      formUrl: `${args.settings.publicUrl.replace(/\/+$/, '')}/`,
      linkDays: Math.max(1, Math.round(args.settings.linkTtlSeconds / 86400)),
      zone: zoneName(format.timeZone),
    };
  const indexHtml = () =>
    renderIndexHtml({
      requestId,
      generatedAt: generatedAt.toISOString(),
      controller: processingRecord.controller,
      stores: indexStores(args.dataMap, files, nameOf, recordsHtml),
      recipients: indexRecipients(processors, calls, outcomes, files, nameOf),
      transfers: processingRecord.transfers.map((t) => ({
        ...t,
        name: nameOf.get(t.processor) ?? t.processor,
      })),
      history: processingRecord.history,
      about: about(),
      locale: format.locale,
      formatTime: (iso) => formatMoment(new Date(iso), format),
    });
  const open = async (result: PackagedStore): Promise<Readable> =>
    result.bytes
      ? Readable.from([result.bytes])
      : openExisting(objects, storeExportKey(requestId, result.storeId));

  const archive = ports.zip();
  /**
   * A store's files into the zip one after another. While a small one is
   * added, the next small ones (up to {@link ATTACHMENTS_AHEAD}) are already
   * being opened, so a store of many small documents does not wait for each
   * GetObject in turn; a large file is opened at its turn and nothing is opened
   * ahead while it is added (an opened stream left idle for long may be closed).
   */
  const addAttachments = async (result: PackagedStore): Promise<void> => {
    const opening = new Map<number, Promise<Readable>>();
    const openAt = (i: number) => {
      const file = result.attachments[i];
      if (file && !opening.has(i)) {
        const pending = openExisting(objects, attachmentKey(requestId, result.storeId, file.name));
        // Seen here too, so a file opened ahead whose turn never comes leaves no unhandled rejection.
        pending.catch(() => undefined);
        opening.set(i, pending);
      }
    };
    try {
      const small = (i: number) =>
        (result.attachments[i]?.size ?? Number.POSITIVE_INFINITY) <= AHEAD_MAX_BYTES;
      for (const [i, file] of result.attachments.entries()) {
        openAt(i);
        for (let ahead = i + 1; small(i) && ahead <= i + ATTACHMENTS_AHEAD && small(ahead); ahead++)
          openAt(ahead);
        const source = await (opening.get(i) as Promise<Readable>);
        opening.delete(i);
        await archive.add(source, `stores/${attachmentPath(result.storeId, file.name)}`, generatedAt);
      }
    } finally {
      // Packaging failed part-way: close the files opened ahead.
      for (const pending of opening.values()) void pending.then((s) => s.destroy()).catch(() => undefined);
    }
  };
  const fill = async (): Promise<void> => {
    for (const result of exports) {
      const { storeId } = result;
      const jsonFile = `stores/${storeId}.json`;
      const csvFile = `stores/${storeId}.csv`;
      const view = viewOf(storeConfigOf.get(storeId), storeId, format);
      const learnt = await learntColumns(objects, requestId, result);
      const columns = learnt ?? new CsvColumns();
      // Without learnt columns, the first read learns them (and renders the page's records) as it goes.
      const reader = learnt ? undefined : new ExportFileReader();
      const seen = (record: ExportedData) => {
        columns.add(record);
        view.add(record);
      };
      // First read: into the zip as it is, hashed.
      const check = hashing(reader && ((chunk) => reader.push(chunk, seen)));
      // pipeline destroys `check` with the error if the S3 stream fails, which `add` turns into a rejection.
      pipeline(await open(result), check).catch(() => undefined);
      await archive.add(check, jsonFile, generatedAt);
      reader?.end(seen);
      if (check.digest() !== result.sha256) {
        throw new ExportIntegrityError(`store file ${storeId} does not match its recorded sha256`);
      }
      // Second read: the same records as CSV rows, now that every column is known (and rendered, if not yet).
      const csv = hashing();
      const rendered = learnt ? (record: ExportedData) => view.add(record) : undefined;
      pipeline(await open(result), csvOf(columns, rendered), csv).catch(() => undefined);
      await archive.add(csv, csvFile, generatedAt);
      csvHashes.set(storeId, csv.digest());
      recordsHtml.set(storeId, view.html([jsonFile, csvFile]));
      await addAttachments(result);
    }
    await archive.add(indexHtml(), 'index.html', generatedAt);
    await archive.add(processingJson, 'processing-record.json', generatedAt);
    await archive.add(`${JSON.stringify(manifest(), null, 2)}\n`, 'manifest.json', generatedAt);
    // Completion is the upload's, and errors reach it too.
    archive.finish();
  };

  const filling = fill();
  const uploading = objects.upload(key, archive.output, {
    contentType: 'application/zip',
    contentDisposition: `attachment; filename="${requestId}.zip"`,
  });
  try {
    await Promise.all([filling, uploading]);
  } catch (error) {
    // Destroy with the error (not abort(), which ends the zip cleanly) so a truncated zip is never stored.
    archive.destroy(error instanceof Error ? error : new Error('packaging failed'));
    await Promise.allSettled([filling, uploading]);
    throw error;
  }
  return { key, records: exports.reduce((sum, r) => sum + r.records, 0), size: archive.size() };
}

/** What PackageExport needs from outside. */
export interface PackageExportPorts {
  readonly ledger: Pick<RequestLedger, 'require' | 'requestsOf'>;
  readonly exports: ObjectStore;
  readonly zip: ZipWriters;
  readonly dataMap: DataMap;
  readonly log: Log;
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
  /** setting `publicUrl` and setting `exportLinkTtlSeconds`, for the page's first lines; left out when absent. */
  readonly settings?: { readonly publicUrl: string; readonly linkTtlSeconds: number };
}

/**
 * PackageExport: streams the per-store (and per-processor) files into one zip
 * with the processing record (from the data map, this request's processor
 * calls and its audit chain); returns its key and record count.
 */
export async function packageRequestExport(
  ports: PackageExportPorts,
  input: { readonly requestId: string; readonly exports: readonly PackageExportItem[] },
): Promise<{ key: string; records: number }> {
  const { requestId, exports } = input;
  const { dataMap } = ports;
  const record = await ports.ledger.require(requestId);
  const processorCalls = processorCallsOf(record, dataMap);
  // This request first: the index is eventually consistent and may not list it yet.
  const earlier = (await ports.ledger.requestsOf(record.subjectHash, HISTORY_REQUESTS)).filter(
    (r) => r.requestId !== requestId,
  );
  const history = ports.auditTrail
    ? await personHistory(ports.auditTrail, [{ requestId, type: record.type }, ...earlier])
    : [];
  const result = await packageExport(ports, {
    requestId,
    exports,
    dataMap,
    processorCalls,
    history,
    locale: record.locale,
    timeZone: timeZoneOf(record.jurisdiction),
    ...(ports.settings ? { settings: ports.settings } : {}),
  });
  await auditStep(ports.auditTrail, requestId, 'package_built', {
    records: result.records,
    size: result.size,
  });
  ports.log.info('export packaged', {
    requestId,
    records: result.records,
    size: result.size,
    processors: processorCalls.length,
    processorsEscalated: processorCalls.filter((c) => processorCallStatus(c) === 'escalated').length,
  });
  return { key: result.key, records: result.records };
}
