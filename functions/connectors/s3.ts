import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import {
  type _Object,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectVersionsCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { identityOfPrefix, type S3Store } from '../core/data-map';
import { type ErasureAction, type RecordDecision, UnsupportedErasureError } from '../core/erasure/decisions';
import type {
  Connector,
  EraseReceipt,
  ExportedRecord,
  ExportOptions,
  OpenedAttachment,
  RecordRef,
  Subject,
  SurveyPage,
} from '../core/ports';

/** Records per page for JSON Lines stores: bounded so memory stays flat. */
export const JSONL_PAGE_SIZE = 500;

const SAFE_IDENTITY = /^[A-Za-z0-9._@+-]{1,200}$/;

/** An identity value that could widen or escape a subject's key prefix. Name is matched by the workflow. */
export class InvalidIdentityError extends Error {
  override readonly name = 'InvalidIdentityError';
}

/** A decision names a record this connector could not have produced (other bucket, outside the subject prefixes). */
export class ForeignRecordError extends Error {
  override readonly name = 'ForeignRecordError';
}

/** S3 answered DeleteObjects with per-key errors: the objects are not (all) gone. */
export class S3DeleteError extends Error {
  override readonly name = 'S3DeleteError';
}

/** HeadObject requests sent at once when an erasure hold decides on documents' content type. */
const HEAD_BATCH = 25;

/** DeleteObjects takes at most this many keys or versions per call. */
const DELETE_BATCH = 1000;

/** One object version or delete marker, as ListObjectVersions reports it. */
export interface ListedVersion {
  readonly key: string;
  /** `null` on a bucket that was never versioned, as S3 says. */
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly deleteMarker: boolean;
  readonly size?: number;
  readonly lastModified?: Date;
}

/**
 * Every version and delete marker under `prefix`, page by page
 * (ListObjectVersions has no SDK paginator: it resumes on two markers).
 */
export async function* listVersionPages(
  client: S3Client,
  bucket: string,
  prefix: string,
): AsyncIterable<ListedVersion[]> {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const out = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    const listed = (
      entries: { Key?: string; VersionId?: string; IsLatest?: boolean; Size?: number; LastModified?: Date }[],
      deleteMarker: boolean,
    ) =>
      entries
        .filter((e) => e.Key?.startsWith(prefix))
        .map(
          (e): ListedVersion => ({
            key: e.Key as string,
            versionId: e.VersionId ?? 'null',
            isLatest: e.IsLatest === true,
            deleteMarker,
            ...(e.Size === undefined ? {} : { size: e.Size }),
            ...(e.LastModified ? { lastModified: e.LastModified } : {}),
          }),
        );
    yield [...listed(out.Versions ?? [], false), ...listed(out.DeleteMarkers ?? [], true)];
    if (!out.IsTruncated) return;
    if (!out.NextKeyMarker) throw new Error('ListObjectVersions was truncated without a next key marker');
    keyMarker = out.NextKeyMarker;
    versionIdMarker = out.NextVersionIdMarker;
  }
}

/** The key prefix of one identity value; throws unless the value is a plain, single path segment. */
export function subjectPrefix(template: string, value: string): string {
  // A value starting with "." could be "." itself: a path segment that tools resolve to the parent prefix.
  if (!SAFE_IDENTITY.test(value) || value.startsWith('.') || value.includes('..') || value.includes('/')) {
    // No value in the message: it may be personal data.
    throw new InvalidIdentityError('identity value is not allowed in an S3 key prefix');
  }
  return template.replace(/\{(email|phone|customerId)\}/, value);
}

/** A line's record; a line that is not a JSON object is still the subject's data, so it is kept as text. */
function lineData(text: string): Record<string, unknown> {
  return parseLine(text).data;
}

/** A line's record, and whether it did not parse (exported as text, and counted). */
function parseLine(text: string): { data: Record<string, unknown>; problem?: 'unparsable_line' } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return { data: parsed as Record<string, unknown> };
    return { data: { value: parsed } };
  } catch {
    return { data: { unparsedLine: text }, problem: 'unparsable_line' };
  }
}

/** S3 errors that make one object unreadable for good (permissions, an archived object); others are retried. */
const UNREADABLE = new Set(['AccessDenied', 'InvalidObjectState', 'Forbidden']);
const isUnreadable = (error: unknown) => error instanceof Error && UNREADABLE.has(error.name);
const isGone = (error: unknown) =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');

/**
 * The lines of a JSON Lines text exactly as `readline` (and so `export`)
 * numbers them: CRLF, LF and lone CR end a line, a final line ending adds no line.
 */
function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n|\r(?!\n)/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * One line after an erasure decision: `delete` empties it (line numbers stay
 * stable, export skips empty lines), `update` overwrites existing fields with
 * `set` and drops `remove`, `keep` leaves it byte for byte. Applying it twice
 * gives the same line.
 */
function eraseLine(text: string, action: ErasureAction | undefined): string {
  if (!action || action.kind === 'keep' || text.trim() === '') return text;
  if (action.kind === 'delete') return '';
  const removed = new Set(action.remove);
  const record = lineData(text);
  // fromEntries defines own properties, so a field named `__proto__` stays data.
  const updated = Object.fromEntries(
    Object.entries(record)
      .filter(([field]) => !removed.has(field))
      .map(([field, value]) => [field, Object.hasOwn(action.set, field) ? action.set[field] : value]),
  );
  return JSON.stringify(updated);
}

/** Erasure counts of one object's decisions. */
interface Tally {
  deleted: number;
  updated: number;
  kept: number;
  versionsDeleted: number;
}

/**
 * Lists the objects under each subject prefix (ListObjectsV2, paginated) and
 * streams them: `jsonl` yields one record per non-empty line, `binary` one
 * record per object with the bytes as a lazily opened attachment.
 */
export class S3Connector implements Connector {
  readonly storeId: string;

  constructor(
    private readonly store: S3Store,
    private readonly client: S3Client,
  ) {
    this.storeId = store.id;
  }

  /**
   * Every version and delete marker under the subject's prefixes
   * (ListObjectVersions): object-level refs flagged `noncurrent` unless they
   * are the current version, so a proof of erasure sees what stays recoverable.
   */
  async *locate(subject: Subject): AsyncIterable<readonly RecordRef[]> {
    for (const prefix of this.subjectPrefixes(subject)) {
      for await (const versions of listVersionPages(this.client, this.store.bucket, prefix)) {
        const refs = this.versionRefs(versions);
        if (refs.length > 0) yield refs;
      }
    }
  }

  /**
   * `locate` and `export` (attachments: false) from the one version listing:
   * every version and delete marker as `locate` gives them, and the records
   * of each current object (the lines of a JSON Lines object, read once; a
   * document as the listing shows it, with a HeadObject only when a hold reads
   * its content type). A bucket never versioned lists its objects as current.
   */
  async *survey(subject: Subject): AsyncIterable<SurveyPage> {
    const heads = this.store.erasure.holds.some((h) => h.when?.field === 'contentType');
    for (const prefix of this.subjectPrefixes(subject)) {
      for await (const versions of listVersionPages(this.client, this.store.bucket, prefix)) {
        const refs = this.versionRefs(versions);
        const current = versions
          .filter((v) => v.isLatest && !v.deleteMarker && !v.key.endsWith('/'))
          .map((v): _Object => ({ Key: v.key, Size: v.size, LastModified: v.lastModified }));
        if (this.store.format === 'binary') {
          const records: ExportedRecord[] = [];
          for (let i = 0; i < current.length; i += HEAD_BATCH) {
            const batch = current.slice(i, i + HEAD_BATCH);
            records.push(
              ...(heads
                ? await Promise.all(batch.map((o) => this.headedRecord(prefix, o)))
                : batch.map((o) => this.listedRecord(prefix, o, false))),
            );
          }
          if (records.length > 0 || refs.length > 0) yield { records, refs };
          continue;
        }
        if (refs.length > 0) yield { records: [], refs };
        let page: ExportedRecord[] = [];
        for (const object of current) {
          for await (const record of this.jsonlRecords(object.Key as string)) {
            page.push(record);
            if (page.length >= JSONL_PAGE_SIZE) {
              yield { records: page, refs: [] };
              page = [];
            }
          }
        }
        if (page.length > 0) yield { records: page, refs: [] };
      }
    }
  }

  /** Object-level refs of listed versions, flagged `noncurrent` unless they are the current version. */
  private versionRefs(versions: readonly ListedVersion[]): RecordRef[] {
    return versions
      .filter((v) => !v.key.endsWith('/'))
      .map((v) => ({
        kind: 's3',
        bucket: this.store.bucket,
        key: v.key,
        versionId: v.versionId,
        noncurrent: !v.isLatest || v.deleteMarker,
        deleteMarker: v.deleteMarker,
      }));
  }

  /**
   * Carries out decisions object by object (decisions of one object arrive
   * consecutively, possibly across pages). An object whose every decision is
   * `delete` goes with all its versions and delete markers; a JSON Lines object
   * with other decisions is rewritten in place (see `eraseLine`) and then loses
   * its older versions and delete markers, which hold the data as it was. An
   * object whose decisions all keep it is not touched. Idempotent: a second run
   * writes nothing new, and an object already gone is no error.
   */
  async erase(decisions: AsyncIterable<readonly RecordDecision[]>): Promise<EraseReceipt> {
    const tally: Tally = { deleted: 0, updated: 0, kept: 0, versionsDeleted: 0 };
    const finished = new Set<string>();
    let key: string | undefined;
    let group: RecordDecision[] = [];
    const flush = async () => {
      if (key === undefined) return;
      await this.eraseObject(key, group, tally);
      finished.add(key);
    };
    for await (const page of decisions) {
      for (const decision of page) {
        const next = this.ownKey(decision.ref);
        if (next === key) {
          group.push(decision);
          continue;
        }
        await flush();
        // A later group of an object already handled could undo what it decided (e.g. delete a kept line).
        if (finished.has(next))
          throw new Error(`store ${this.storeId}: decisions of one object are not consecutive`);
        key = next;
        group = [decision];
      }
    }
    await flush();
    return { storeId: this.storeId, ...tally };
  }

  /**
   * The object key of a ref this connector produced: this store's bucket, a
   * key under a prefix `subjectPrefix` makes for this store's template, and
   * nothing that could escape it. Anything else is refused before any write.
   */
  private ownKey(ref: RecordRef): string {
    const refuse = () =>
      new ForeignRecordError(`store ${this.storeId}: a decision names a record outside this store`);
    if (ref.kind !== 's3' || ref.bucket !== this.store.bucket) throw refuse();
    const template = this.store.prefix;
    const match = /\{(email|phone|customerId)\}/.exec(template);
    if (!match) throw refuse();
    const head = template.slice(0, match.index);
    const tail = template.slice(match.index + match[0].length);
    const { key } = ref;
    if (!key.startsWith(head)) throw refuse();
    const end = key.indexOf(tail, head.length);
    if (end <= head.length) throw refuse();
    let prefix: string;
    try {
      prefix = subjectPrefix(template, key.slice(head.length, end));
    } catch {
      throw refuse();
    }
    const rest = key.slice(prefix.length);
    if (!key.startsWith(prefix) || rest === '' || rest.split('/').some((p) => p === '..' || p === '.')) {
      throw refuse();
    }
    if (
      ref.line !== undefined &&
      (this.store.format !== 'jsonl' || !Number.isInteger(ref.line) || ref.line < 1)
    ) {
      throw refuse();
    }
    return key;
  }

  private async eraseObject(key: string, decisions: readonly RecordDecision[], tally: Tally): Promise<void> {
    const kinds = new Set(decisions.map((d) => d.action.kind));
    const count = (kind: ErasureAction['kind']) => decisions.filter((d) => d.action.kind === kind).length;
    const objectLevel = decisions.filter((d) => d.ref.kind === 's3' && d.ref.line === undefined).length;
    if (objectLevel > 0) {
      // Binary objects, and objects that exist only as old versions: no lines to rewrite.
      if (objectLevel !== decisions.length || kinds.size > 1) {
        throw new Error(`store ${this.storeId}: conflicting decisions for one object`);
      }
      if (kinds.has('update')) {
        throw new UnsupportedErasureError(
          `store ${this.storeId}: a whole object can be deleted or kept, not masked`,
        );
      }
    }
    tally.deleted += count('delete');
    tally.updated += count('update');
    tally.kept += count('keep');
    if (kinds.size === 1 && kinds.has('keep')) return;
    if (kinds.size === 1 && kinds.has('delete')) {
      tally.versionsDeleted += await this.deleteVersions(key, () => true);
      return;
    }
    const actions = new Map(decisions.map((d) => [(d.ref as { line: number }).line, d.action]));
    const current = await this.readText(key);
    if (current) {
      const lines = splitLines(current.text).map((text, i) => eraseLine(text, actions.get(i + 1)));
      const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
      if (text !== current.text) {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.store.bucket,
            Key: key,
            Body: text,
            ContentType: current.contentType ?? 'application/x-ndjson',
          }),
        );
      }
    }
    // Older versions still hold the unmasked lines; with no current object, nothing of it is kept.
    tally.versionsDeleted += await this.deleteVersions(key, (v) => !current || !v.isLatest || v.deleteMarker);
  }

  /** The current text of an object, or undefined when it has none (gone, or a delete marker). */
  private async readText(key: string): Promise<{ text: string; contentType?: string } | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.store.bucket, Key: key }));
      return { text: (await out.Body?.transformToString('utf8')) ?? '', contentType: out.ContentType };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /** Permanently deletes the versions and delete markers of exactly `key` that `which` selects. */
  private async deleteVersions(key: string, which: (v: ListedVersion) => boolean): Promise<number> {
    const doomed: string[] = [];
    for await (const versions of listVersionPages(this.client, this.store.bucket, key)) {
      for (const v of versions) if (v.key === key && which(v)) doomed.push(v.versionId);
    }
    for (let i = 0; i < doomed.length; i += DELETE_BATCH) {
      const batch = doomed.slice(i, i + DELETE_BATCH);
      const out = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.store.bucket,
          Delete: { Objects: batch.map((VersionId) => ({ Key: key, VersionId })), Quiet: true },
        }),
      );
      const errors = out.Errors ?? [];
      if (errors.length > 0) {
        // Codes only: keys may contain an identifier.
        const codes = [...new Set(errors.map((e) => e.Code ?? 'unknown'))].join(', ');
        throw new S3DeleteError(
          `store ${this.storeId}: S3 refused to delete ${errors.length} object version(s) (${codes})`,
        );
      }
    }
    return doomed.length;
  }

  async *export(subject: Subject, options: ExportOptions = {}): AsyncIterable<readonly ExportedRecord[]> {
    if (this.store.format === 'binary') {
      // Erasure decides on whole objects from the listing; a HeadObject each only when a hold reads the content type.
      const headed =
        options.attachments === false &&
        this.store.erasure.holds.some((h) => h.when?.field === 'contentType');
      for await (const { prefix, objects } of this.listPages(subject)) {
        if (!headed) {
          // The export's one GetObject per document (the copy) also answers its content type.
          yield objects.map((o) => this.listedRecord(prefix, o, options.attachments !== false));
          continue;
        }
        // HeadObject 25 at a time, each 25 yielded as a page while the next 25 are asked for.
        const heads = (i: number) =>
          Promise.all(objects.slice(i, i + HEAD_BATCH).map((o) => this.headedRecord(prefix, o)));
        let next = heads(0);
        for (let i = 0; i < objects.length; i += HEAD_BATCH) {
          const page = await next;
          if (i + HEAD_BATCH < objects.length) {
            next = heads(i + HEAD_BATCH);
            // Awaited at the next turn; seen now so an early return leaves no unhandled rejection.
            next.catch(() => undefined);
          }
          yield page;
        }
      }
      return;
    }
    let page: ExportedRecord[] = [];
    for await (const { objects } of this.listPages(subject)) {
      for (const object of objects) {
        for await (const record of this.jsonlRecords(object.Key as string)) {
          page.push(record);
          if (page.length >= JSONL_PAGE_SIZE) {
            yield page;
            page = [];
          }
        }
      }
    }
    if (page.length > 0) yield page;
  }

  /** The subject's key prefixes; every value is validated before any request, so a bad one never reaches S3. */
  private subjectPrefixes(subject: Subject): string[] {
    const identity = identityOfPrefix(this.store.prefix);
    const values = identity ? [...new Set(subject.identities[identity] ?? [])] : [];
    return values.map((v) => subjectPrefix(this.store.prefix, v));
  }

  private async *listPages(subject: Subject): AsyncIterable<{ prefix: string; objects: _Object[] }> {
    for (const prefix of this.subjectPrefixes(subject)) {
      for await (const page of paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.store.bucket, Prefix: prefix },
      )) {
        const objects = (page.Contents ?? []).filter((o) => o.Key && !o.Key.endsWith('/'));
        if (objects.length > 0) yield { prefix, objects };
      }
    }
  }

  private async *jsonlRecords(key: string): AsyncIterable<ExportedRecord> {
    let body: Readable;
    try {
      body = await this.open(key);
    } catch (error) {
      // Deleted since the listing: nothing to export. Unreadable: one record says so, the others go on.
      if (isGone(error)) return;
      if (!isUnreadable(error)) throw error;
      yield {
        ref: { kind: 's3', bucket: this.store.bucket, key },
        data: { object: key.slice(key.lastIndexOf('/') + 1), unreadable: true },
        problem: 'unreadable_object',
      };
      return;
    }
    const lines = createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      const { data, problem } = parseLine(text);
      yield {
        ref: { kind: 's3', bucket: this.store.bucket, key, line },
        data,
        ...(problem ? { problem } : {}),
      };
    }
  }

  /**
   * A whole-object record as the listing shows it, nothing read; with
   * `attachment`, its file, whose one read (GetObject) gives the record its
   * content type, or says the object may not be read.
   */
  private listedRecord(prefix: string, object: _Object, attachment: boolean): ExportedRecord {
    const key = object.Key as string;
    const name = key.slice(prefix.length);
    const size = object.Size ?? 0;
    return {
      ref: { kind: 's3', bucket: this.store.bucket, key },
      data: { name, size, lastModified: object.LastModified?.toISOString() },
      ...(attachment ? { attachment: { name, size, open: () => this.openAttachment(key) } } : {}),
    };
  }

  private async openAttachment(key: string): Promise<OpenedAttachment> {
    let out: GetObjectCommandOutput;
    try {
      out = await this.client.send(new GetObjectCommand({ Bucket: this.store.bucket, Key: key }));
    } catch (error) {
      if (isUnreadable(error)) return { unreadable: true };
      throw error;
    }
    return {
      body: this.bodyOf(out),
      fields: { contentType: out.ContentType ?? 'application/octet-stream' },
    };
  }

  /** A record for erasure decisions on the content type: the listing and a HeadObject, no file. */
  private async headedRecord(prefix: string, object: _Object): Promise<ExportedRecord> {
    const key = object.Key as string;
    const name = key.slice(prefix.length);
    let head: HeadObjectCommandOutput;
    try {
      head = await this.client.send(new HeadObjectCommand({ Bucket: this.store.bucket, Key: key }));
    } catch (error) {
      if (!isUnreadable(error)) throw error;
      return {
        ref: { kind: 's3', bucket: this.store.bucket, key },
        data: { name, size: object.Size ?? 0, unreadable: true },
        problem: 'unreadable_object',
      };
    }
    return {
      ref: { kind: 's3', bucket: this.store.bucket, key },
      data: {
        name,
        size: object.Size ?? head.ContentLength ?? 0,
        lastModified: (object.LastModified ?? head.LastModified)?.toISOString(),
        contentType: head.ContentType ?? 'application/octet-stream',
      },
    };
  }

  private async open(key: string): Promise<Readable> {
    return this.bodyOf(await this.client.send(new GetObjectCommand({ Bucket: this.store.bucket, Key: key })));
  }

  private bodyOf(out: GetObjectCommandOutput): Readable {
    const body = out.Body;
    if (body instanceof Readable) return body;
    if (body && typeof (body as { transformToWebStream?: unknown }).transformToWebStream === 'function') {
      return Readable.fromWeb(
        (body as { transformToWebStream(): ReadableStream }).transformToWebStream() as Parameters<
          typeof Readable.fromWeb
        >[0],
      );
    }
    return Readable.from([]);
  }
}
