/**
 * S3 object versioning for the local S3 emulator (s3rver 3.7.1 has none).
 *
 * A koa middleware placed inside the s3rver app, after its virtual-host
 * rewrite and before its router. The current version of a key stays where
 * s3rver keeps it, so everything s3rver already does (listing, ranges,
 * multipart, pre-signed GETs) is unchanged. Older versions are copied into a
 * hidden bucket directory `.versions` (a name the S3 API cannot create), next to
 * a JSON index per key listing its versions newest first:
 *
 *   <dir>/.versions/<bucket>._S3rver_versioning.json          {"status":"Enabled"}
 *   <dir>/.versions/<bucket>/<key>._S3rver_versions.json      [{versionId, deleteMarker?, ...}]
 *   <dir>/.versions/<bucket>/<key>._S3rver_v/<versionId>      (an s3rver object: data, metadata, md5)
 *
 * A bucket that was never versioned has no index: its objects are listed as
 * version `null`. The subset implemented is the one the erasure uses; the
 * rest of versioning (copy from a version, MFA delete, delimiters) answers NotImplemented.
 *
 * ListObjectsV2 is answered here too, for every bucket: s3rver's own answers
 * 500 once a listing is truncated (see `continuationToken`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir, utimes, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type S3rver from 's3rver';

/** The hidden bucket directory holding version data; S3 bucket names cannot start with a dot. */
const SHADOW_BUCKET = '.versions';
const INDEX_SUFFIX = '._S3rver_versions.json';
const BLOB_DIR_SUFFIX = '._S3rver_v';
const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const OWNER = { ID: '123456789000', DisplayName: 'S3rver' };
/** Query parameters that name an S3 subresource (anything else, e.g. `versionId`, is a plain argument). */
const SUBRESOURCES = new Set([
  'acl',
  'analytics',
  'accelerate',
  'cors',
  'delete',
  'encryption',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versioning',
  'versions',
  'website',
]);

export type VersioningStatus = 'Enabled' | 'Suspended';

/** One version of a key, as kept in its index (newest first; the first one is the current version). */
export interface VersionEntry {
  readonly versionId: string;
  readonly deleteMarker?: boolean;
  /** ISO timestamp. */
  readonly lastModified: string;
  readonly size?: number;
  readonly etag?: string;
}

// ---- s3rver internals (untyped JavaScript), given the shapes this module relies on ----

/** What s3rver hands its store to write. */
interface S3rverObject {
  readonly bucket: string;
  readonly key: string;
  readonly content: Buffer | NodeJS.ReadableStream;
  readonly metadata: unknown;
}

/** The part of s3rver's FilesystemStore used here. */
interface FilesystemStore {
  readonly rootDirectory: string;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getBucket(bucket: string): Promise<unknown>;
  existsObject(bucket: string, key: string): Promise<boolean>;
  getMetadata(bucket: string, key: string): Promise<Record<string, string | number>>;
  copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    meta: null,
  ): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<void>;
  listObjects(
    bucket: string,
    options: { prefix?: string; delimiter?: string; startAfter?: string; maxKeys?: number },
  ): Promise<{
    objects: {
      key: string;
      size: number;
      lastModifiedDate: Date;
      metadata: Record<string, string | number>;
    }[];
    commonPrefixes: string[];
    isTruncated: boolean;
  }>;
}

/** The part of a koa context used here (koa ships no types in this project). */
interface KoaContext {
  readonly method: string;
  path: string;
  readonly query: Record<string, string | string[] | undefined>;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly req: IncomingMessage;
  status: number;
  body: unknown;
  params?: Record<string, string | undefined>;
  set(name: string, value: string): void;
}
type Next = () => Promise<void>;
type Middleware = (ctx: KoaContext, next: Next) => Promise<void>;

interface S3ErrorClass {
  new (code: string, message?: string, detail?: Record<string, unknown>): Error & { code: string };
}
interface XmlParser {
  validate(xml: string): true | object;
  parse(xml: string, options: Record<string, unknown>): Record<string, unknown>;
}

// Resolved from s3rver's own location, so these are exactly the modules s3rver uses.
const s3rverRequire = createRequire(require.resolve('s3rver'));
const S3Error = s3rverRequire('./models/error') as S3ErrorClass;
const authentication = (s3rverRequire('./middleware/authentication') as () => Middleware)();
const xmlParser = s3rverRequire('fast-xml-parser') as XmlParser;
const he = s3rverRequire('he') as { decode(text: string): string };

// ---- version state on disk ----

function newVersionId(): string {
  // 32 URL- and path-safe characters, like S3's.
  return randomBytes(24).toString('base64url');
}

function isMissing(error: unknown): boolean {
  return (error as { code?: string }).code === 'ENOENT';
}

/** Keys become file paths (s3rver does the same): refuse any that could leave the bucket directory. */
function assertSafeKey(key: string): void {
  if (key === '' || key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new S3Error('InvalidArgument', 'This key is not supported by the local S3 emulator.');
  }
}

/** Version bookkeeping of one s3rver directory. Single process: writes to a key are serialised in memory. */
export class VersionStore {
  private readonly statuses = new Map<string, VersioningStatus | undefined>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly store: FilesystemStore) {}

  private get shadowRoot(): string {
    return path.join(this.store.rootDirectory, SHADOW_BUCKET);
  }

  private configPath(bucket: string): string {
    return this.store.getResourcePath(SHADOW_BUCKET, bucket, 'versioning.json');
  }

  private indexPath(bucket: string, key: string): string {
    return path.join(this.shadowRoot, bucket, `${key}${INDEX_SUFFIX}`);
  }

  /** Where a noncurrent version lives, as a key of the shadow bucket. */
  private shadowKey(bucket: string, key: string, versionId: string): string {
    return `${bucket}/${key}${BLOB_DIR_SUFFIX}/${versionId}`;
  }

  /** The shadow bucket's URL path of a noncurrent version, for s3rver's own GET handler. */
  shadowPath(bucket: string, key: string, versionId: string): string {
    const shadowKey = this.shadowKey(bucket, key, versionId);
    return `/${SHADOW_BUCKET}/${shadowKey.split('/').map(encodeURIComponent).join('/')}`;
  }

  async init(): Promise<void> {
    await mkdir(this.shadowRoot, { recursive: true });
  }

  async status(bucket: string): Promise<VersioningStatus | undefined> {
    if (!this.statuses.has(bucket)) {
      try {
        const saved = JSON.parse(await readFile(this.configPath(bucket), 'utf8')) as {
          status: VersioningStatus;
        };
        this.statuses.set(bucket, saved.status);
      } catch (error) {
        if (!isMissing(error)) throw error;
        this.statuses.set(bucket, undefined);
      }
    }
    return this.statuses.get(bucket);
  }

  async setStatus(bucket: string, status: VersioningStatus): Promise<void> {
    await writeFile(this.configPath(bucket), JSON.stringify({ status }));
    this.statuses.set(bucket, status);
  }

  /** Forgets a deleted bucket's versioning, so a bucket created again under its name starts plain. */
  async forgetBucket(bucket: string): Promise<void> {
    await rm(path.join(this.shadowRoot, bucket), { recursive: true, force: true });
    await rm(this.configPath(bucket), { force: true });
    this.statuses.delete(bucket);
  }

  /** Runs `fn` with every other change to this key waiting. */
  async withLock<T>(bucket: string, key: string, fn: () => Promise<T>): Promise<T> {
    const id = `${bucket}/${key}`;
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.locks.set(id, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    }
  }

  private async readIndex(bucket: string, key: string): Promise<VersionEntry[] | undefined> {
    try {
      return JSON.parse(await readFile(this.indexPath(bucket, key), 'utf8')) as VersionEntry[];
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private async writeIndex(bucket: string, key: string, entries: readonly VersionEntry[]): Promise<void> {
    const file = this.indexPath(bucket, key);
    if (entries.length > 0) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(entries));
      return;
    }
    await rm(file, { force: true });
    await this.pruneEmptyDirs(path.dirname(file), path.join(this.shadowRoot, bucket));
  }

  private async pruneEmptyDirs(dir: string, stopAt: string): Promise<void> {
    for (let d = dir; d.startsWith(stopAt) && d !== stopAt; d = path.dirname(d)) {
      try {
        await rmdir(d);
      } catch {
        return; // not empty (or already gone)
      }
    }
  }

  private async currentEntry(bucket: string, key: string, versionId: string): Promise<VersionEntry> {
    const meta = await this.store.getMetadata(bucket, key);
    return {
      versionId,
      lastModified: new Date(String(meta['last-modified'])).toISOString(),
      size: Number(meta['content-length']),
      etag: String(meta.etag),
    };
  }

  /**
   * The versions of a key, newest first. An object written before versioning
   * was enabled (or in a never-versioned bucket) is its `null` version.
   */
  async entries(bucket: string, key: string): Promise<VersionEntry[]> {
    const index = await this.readIndex(bucket, key);
    if (index) return index;
    if (!(await this.store.existsObject(bucket, key))) return [];
    return [await this.currentEntry(bucket, key, 'null')];
  }

  private async archive(bucket: string, key: string, entry: VersionEntry): Promise<void> {
    const shadowKey = this.shadowKey(bucket, key, entry.versionId);
    await this.store.copyObject(bucket, key, SHADOW_BUCKET, shadowKey, null);
    await this.keepTime(SHADOW_BUCKET, shadowKey, entry);
  }

  /** Makes a noncurrent version current again (its data moves back to where s3rver serves it). */
  private async restore(bucket: string, key: string, entry: VersionEntry): Promise<void> {
    const shadowKey = this.shadowKey(bucket, key, entry.versionId);
    await this.store.copyObject(SHADOW_BUCKET, shadowKey, bucket, key, null);
    await this.keepTime(bucket, key, entry);
    await this.store.deleteObject(SHADOW_BUCKET, shadowKey);
  }

  /** s3rver reports a file's mtime as LastModified: keep the version's own. */
  private async keepTime(bucket: string, key: string, entry: VersionEntry): Promise<void> {
    const time = new Date(entry.lastModified);
    await utimes(this.store.getResourcePath(bucket, key, 'object'), time, time);
  }

  /** Drops the existing `null` version (suspended buckets overwrite it); `current` data is being replaced anyway. */
  private async dropNullVersion(
    bucket: string,
    key: string,
    entries: VersionEntry[],
  ): Promise<VersionEntry[]> {
    const index = entries.findIndex((e) => e.versionId === 'null');
    if (index > 0 && !entries[index]?.deleteMarker) {
      await this.store.deleteObject(SHADOW_BUCKET, this.shadowKey(bucket, key, 'null'));
    }
    return entries.filter((e) => e.versionId !== 'null');
  }

  /**
   * A PutObject, CopyObject or CompleteMultipartUpload on a versioned bucket:
   * keeps the current version, lets s3rver `write`, then records the new
   * version. If the write fails, the previous version is put back.
   */
  async write(
    bucket: string,
    key: string,
    status: VersioningStatus,
    write: () => Promise<boolean>,
  ): Promise<string | undefined> {
    let entries = await this.entries(bucket, key);
    const current = entries[0]?.deleteMarker ? undefined : entries[0];
    const archived = current !== undefined && !(status === 'Suspended' && current.versionId === 'null');
    if (current && archived) await this.archive(bucket, key, current);
    let ok = false;
    try {
      ok = await write();
    } finally {
      if (!ok && current && archived) await this.restore(bucket, key, current);
    }
    if (!ok) return undefined;
    const versionId = status === 'Enabled' ? newVersionId() : 'null';
    if (status === 'Suspended') entries = await this.dropNullVersion(bucket, key, entries);
    await this.writeIndex(bucket, key, [await this.currentEntry(bucket, key, versionId), ...entries]);
    return versionId;
  }

  /** DeleteObject without a version on a versioned bucket: the object becomes a delete marker. */
  async addDeleteMarker(bucket: string, key: string, status: VersioningStatus): Promise<string> {
    let entries = await this.entries(bucket, key);
    const current = entries[0]?.deleteMarker ? undefined : entries[0];
    if (current) {
      if (!(status === 'Suspended' && current.versionId === 'null')) await this.archive(bucket, key, current);
      await this.store.deleteObject(bucket, key);
    }
    const versionId = status === 'Enabled' ? newVersionId() : 'null';
    if (status === 'Suspended') entries = await this.dropNullVersion(bucket, key, entries);
    const marker: VersionEntry = { versionId, deleteMarker: true, lastModified: new Date().toISOString() };
    await this.writeIndex(bucket, key, [marker, ...entries]);
    return versionId;
  }

  /**
   * Removes one version for good. If it was the current one, the newest
   * remaining version becomes current (a delete marker leaves the key absent).
   * Returns the removed version, or undefined when there was none (no error: S3 is idempotent here).
   */
  async deleteVersion(bucket: string, key: string, versionId: string): Promise<VersionEntry | undefined> {
    const entries = await this.entries(bucket, key);
    const index = entries.findIndex((e) => e.versionId === versionId);
    const removed = entries[index];
    if (!removed) return undefined;
    if (!removed.deleteMarker) {
      if (index === 0) await this.store.deleteObject(bucket, key);
      else await this.store.deleteObject(SHADOW_BUCKET, this.shadowKey(bucket, key, versionId));
    }
    entries.splice(index, 1);
    const next = entries[0];
    if (index === 0 && next && !next.deleteMarker) await this.restore(bucket, key, next);
    await this.writeIndex(bucket, key, entries);
    return removed;
  }

  /** Keys with a version index under `prefix` (pruned walk of the shadow bucket). */
  private async indexedKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let items: Dirent[];
      try {
        items = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const item of items) {
        if (item.isDirectory()) {
          if (item.name.endsWith(BLOB_DIR_SUFFIX)) continue;
          const sub = `${rel}${item.name}/`;
          if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(path.join(dir, item.name), sub);
        } else if (item.name.endsWith(INDEX_SUFFIX)) {
          const key = rel + item.name.slice(0, -INDEX_SUFFIX.length);
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(path.join(this.shadowRoot, bucket), '');
    return keys;
  }

  /** Whether any version (current or not) or delete marker exists in the bucket. */
  async hasVersions(bucket: string): Promise<boolean> {
    return (await this.indexedKeys(bucket, '')).length > 0;
  }

  /**
   * ListObjectVersions: every key under `prefix` in key order, each key's
   * versions newest first, resuming after (`keyMarker`, `versionIdMarker`).
   */
  async list(
    bucket: string,
    options: { prefix: string; keyMarker: string; versionIdMarker: string; maxKeys: number },
  ): Promise<{ entries: { key: string; entry: VersionEntry; isLatest: boolean }[]; isTruncated: boolean }> {
    const { prefix, keyMarker, versionIdMarker, maxKeys } = options;
    // Current objects after the marker, at most maxKeys + 1 of them (each has a version): a page never
    // reaches past the last one listed, so keys only the version index knows still sort into place.
    const current = await this.store.listObjects(bucket, {
      prefix,
      ...(keyMarker ? { startAfter: keyMarker } : {}),
      maxKeys: maxKeys + 1,
    });
    // Past the last key listed, current objects are unknown: the page stops there (if it got that far).
    const bound = current.isTruncated ? current.objects[current.objects.length - 1]?.key : undefined;
    const resumed = versionIdMarker && keyMarker.startsWith(prefix) ? [keyMarker] : [];
    const keys = [
      ...new Set([
        ...resumed,
        ...current.objects.map((o) => o.key),
        ...(await this.indexedKeys(bucket, prefix)),
      ]),
    ]
      .filter((k) => (versionIdMarker ? k >= keyMarker : k > keyMarker))
      .filter((k) => bound === undefined || k <= bound)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: { key: string; entry: VersionEntry; isLatest: boolean }[] = [];
    for (const key of keys) {
      const all = await this.entries(bucket, key);
      let start = 0;
      if (key === keyMarker) {
        // Resume after the marker's version; a marker that no longer exists skips the key.
        const at = all.findIndex((v) => v.versionId === versionIdMarker);
        start = at < 0 ? all.length : at + 1;
      }
      for (let i = start; i < all.length; i += 1) {
        const entry = all[i] as VersionEntry;
        if (out.length === maxKeys) return { entries: out, isTruncated: true };
        out.push({ key, entry, isLatest: i === 0 });
      }
    }
    return { entries: out, isTruncated: bound !== undefined && out.length > 0 };
  }
}

// ---- HTTP ----

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function readXml(ctx: KoaContext): Promise<Record<string, unknown>> {
  const xml = await readBody(ctx.req);
  if (xmlParser.validate(xml) !== true) {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate.');
  }
  // Values stay strings: a key or version id like "123" must not become a number.
  return xmlParser.parse(xml, {
    parseNodeValue: false,
    trimValues: false,
    tagValueProcessor: (v: string) => he.decode(v),
  });
}

function queryString(ctx: KoaContext, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

function notImplemented(): Error {
  return new S3Error(
    'NotImplemented',
    'A parameter you provided implies functionality that is not implemented',
  );
}

/** Bucket and key of a path-style URL (virtual hosts were already rewritten by s3rver). */
function target(ctx: KoaContext): { bucket?: string; key?: string } {
  const match = /^\/([^/]+)(?:\/(.*))?$/.exec(ctx.path);
  if (!match?.[1]) return {};
  const bucket = decodeURIComponent(match[1]);
  const key = match[2] ? decodeURIComponent(match[2]) : undefined;
  return { bucket, key };
}

function versionXml(key: string, entry: VersionEntry, isLatest: boolean): Record<string, unknown> {
  return entry.deleteMarker
    ? {
        Key: key,
        VersionId: entry.versionId,
        IsLatest: isLatest,
        LastModified: entry.lastModified,
        Owner: OWNER,
      }
    : {
        Key: key,
        VersionId: entry.versionId,
        IsLatest: isLatest,
        LastModified: entry.lastModified,
        ETag: entry.etag,
        Size: entry.size,
        Owner: OWNER,
        StorageClass: 'STANDARD',
      };
}

interface Handlers {
  readonly versions: VersionStore;
  readonly store: FilesystemStore;
}

async function listObjectVersions(ctx: KoaContext, bucket: string, { versions }: Handlers): Promise<void> {
  if (queryString(ctx, 'delimiter')) throw notImplemented();
  const prefix = queryString(ctx, 'prefix') ?? '';
  const keyMarker = queryString(ctx, 'key-marker') ?? '';
  const versionIdMarker = keyMarker ? (queryString(ctx, 'version-id-marker') ?? '') : '';
  const rawMax = queryString(ctx, 'max-keys');
  const maxKeys = rawMax === undefined ? 1000 : Number(rawMax);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) {
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range');
  }
  const page = await versions.list(bucket, {
    prefix,
    keyMarker,
    versionIdMarker,
    maxKeys: Math.min(maxKeys, 1000),
  });
  const last = page.entries[page.entries.length - 1];
  ctx.body = {
    ListVersionsResult: {
      '@': { xmlns: XMLNS },
      Name: bucket,
      Prefix: prefix,
      KeyMarker: keyMarker,
      VersionIdMarker: versionIdMarker,
      NextKeyMarker: page.isTruncated ? last?.key : undefined,
      NextVersionIdMarker: page.isTruncated ? last?.entry.versionId : undefined,
      MaxKeys: maxKeys,
      IsTruncated: page.isTruncated,
      Version: page.entries
        .filter((e) => !e.entry.deleteMarker)
        .map((e) => versionXml(e.key, e.entry, e.isLatest)),
      DeleteMarker: page.entries
        .filter((e) => e.entry.deleteMarker)
        .map((e) => versionXml(e.key, e.entry, e.isLatest)),
    },
  };
}

/**
 * ListObjectsV2 continuation tokens. s3rver 3.7.1 encrypts its own with DES,
 * which OpenSSL 3 (Node 17+) refuses, so any truncated listing answered 500
 * (`ERR_OSSL_EVP_UNSUPPORTED`). Ours are opaque to clients but plain inside:
 * base64url of `<bucket>/<last key listed>`.
 */
const TOKEN_PREFIX = 'v1:';

function continuationToken(bucket: string, lastKey: string): string {
  return Buffer.from(`${TOKEN_PREFIX}${bucket}/${lastKey}`, 'utf8').toString('base64url');
}

/** The key to list after, or an InvalidArgument error as S3 gives for a token that is not its own. */
function startAfterToken(bucket: string, token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  const head = `${TOKEN_PREFIX}${bucket}/`;
  if (!decoded.startsWith(head) || decoded.length === head.length) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
      ArgumentName: 'continuation-token',
    });
  }
  return decoded.slice(head.length);
}

/**
 * GET Bucket with `list-type=2`, answered here instead of by s3rver (see
 * `continuationToken`), from the same store listing and with the same
 * response shape. Like s3rver, the next page starts after the last key listed.
 */
async function listObjectsV2(ctx: KoaContext, bucket: string, { store }: Handlers): Promise<void> {
  if (queryString(ctx, 'marker') !== undefined) {
    throw new S3Error('InvalidArgument', 'Marker unsupported with REST.GET.BUCKET in list-type=2', {
      ArgumentName: 'marker',
    });
  }
  const rawMax = queryString(ctx, 'max-keys');
  if (rawMax !== undefined && !/^\d+$/.test(rawMax)) {
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: rawMax,
    });
  }
  const maxKeys = rawMax === undefined ? 1000 : Math.min(Number(rawMax), 1000);
  const prefix = queryString(ctx, 'prefix') || undefined;
  const delimiter = queryString(ctx, 'delimiter') || undefined;
  const token = queryString(ctx, 'continuation-token') || undefined;
  const startAfter = token ? startAfterToken(bucket, token) : queryString(ctx, 'start-after') || undefined;
  const result =
    maxKeys === 0
      ? { objects: [], commonPrefixes: [], isTruncated: false }
      : await store.listObjects(bucket, { prefix, delimiter, startAfter, maxKeys });
  const last = result.objects[result.objects.length - 1];
  const fetchOwner = queryString(ctx, 'fetch-owner') === 'true';
  ctx.body = {
    ListBucketResult: {
      '@': { xmlns: XMLNS },
      Name: bucket,
      Prefix: prefix ?? '',
      StartAfter: token ? undefined : startAfter,
      ContinuationToken: token,
      NextContinuationToken: result.isTruncated && last ? continuationToken(bucket, last.key) : undefined,
      KeyCount: result.objects.length,
      MaxKeys: rawMax ?? 1000,
      Delimiter: delimiter,
      IsTruncated: result.isTruncated,
      Contents: result.objects.map((object) => ({
        Key: object.key,
        LastModified: object.lastModifiedDate.toISOString(),
        ETag: object.metadata.etag,
        Size: object.size,
        Owner: fetchOwner ? OWNER : undefined,
        StorageClass: 'STANDARD',
      })),
      CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: p })),
    },
  };
}

async function putBucketVersioning(ctx: KoaContext, bucket: string, { versions }: Handlers): Promise<void> {
  const body = (await readXml(ctx)).VersioningConfiguration as { Status?: unknown } | undefined;
  const status = body?.Status;
  if (status !== 'Enabled' && status !== 'Suspended') {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate.');
  }
  await versions.setStatus(bucket, status);
  ctx.body = '';
}

/** Deletes one object or version as DeleteObject(s) would; returns what S3 reports about it. */
async function deleteOne(
  versions: VersionStore,
  bucket: string,
  key: string,
  versionId: string | undefined,
  status: VersioningStatus | undefined,
  store: FilesystemStore,
): Promise<{ deleteMarker?: boolean; versionId?: string }> {
  assertSafeKey(key);
  if (!status && versionId !== undefined && versionId !== 'null') {
    throw new S3Error('InvalidArgument', 'Invalid version id specified');
  }
  return versions.withLock(bucket, key, async () => {
    if (versionId !== undefined) {
      const removed = await versions.deleteVersion(bucket, key, versionId);
      return { versionId, ...(removed?.deleteMarker ? { deleteMarker: true } : {}) };
    }
    if (status) return { deleteMarker: true, versionId: await versions.addDeleteMarker(bucket, key, status) };
    if (await store.existsObject(bucket, key)) await store.deleteObject(bucket, key);
    return {};
  });
}

async function deleteObjects(ctx: KoaContext, bucket: string, handlers: Handlers): Promise<void> {
  const request = (await readXml(ctx)).Delete as { Object?: unknown; Quiet?: unknown } | undefined;
  const objects = ([] as unknown[]).concat(request?.Object ?? []) as { Key?: unknown; VersionId?: unknown }[];
  if (objects.length === 0 || objects.length > 1000 || objects.some((o) => typeof o.Key !== 'string')) {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate.');
  }
  const quiet = request?.Quiet === 'true';
  const status = await handlers.versions.status(bucket);
  const deleted: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const object of objects) {
    const key = object.Key as string;
    const versionId = typeof object.VersionId === 'string' ? object.VersionId : undefined;
    try {
      const done = await deleteOne(handlers.versions, bucket, key, versionId, status, handlers.store);
      deleted.push({
        Key: key,
        VersionId: versionId,
        DeleteMarker: done.deleteMarker,
        DeleteMarkerVersionId: done.deleteMarker ? done.versionId : undefined,
      });
    } catch (error) {
      const s3Error = error instanceof S3Error ? error : undefined;
      errors.push({
        Key: key,
        VersionId: versionId,
        Code: s3Error?.code ?? 'InternalError',
        Message: s3Error?.message ?? 'We encountered an internal error. Please try again.',
      });
    }
  }
  ctx.body = { DeleteResult: { '@': { xmlns: XMLNS }, Deleted: quiet ? [] : deleted, Error: errors } };
}

/** Object requests on a bucket that is (or was) versioned, and any request naming a version. */
async function objectRequest(
  ctx: KoaContext,
  next: Next,
  bucket: string,
  key: string,
  subresource: string | undefined,
  { versions, store }: Handlers,
): Promise<void> {
  const status = await versions.status(bucket);
  const versionId = queryString(ctx, 'versionId');
  const method = ctx.method;
  if (!status) {
    // Never versioned: only the `null` version exists, which s3rver serves and deletes as is.
    if (versionId !== undefined && versionId !== 'null') {
      throw new S3Error('InvalidArgument', 'Invalid version id specified');
    }
    return next();
  }
  assertSafeKey(key);
  if ((method === 'GET' || method === 'HEAD') && !subresource) {
    const entries = await versions.entries(bucket, key);
    if (versionId === undefined) {
      const current = entries[0];
      if (current?.deleteMarker) ctx.set('x-amz-delete-marker', 'true');
      else if (current) ctx.set('x-amz-version-id', current.versionId);
      return next();
    }
    const found = entries.find((e) => e.versionId === versionId);
    if (!found)
      throw new S3Error('NoSuchVersion', 'The specified version does not exist.', {
        Key: key,
        VersionId: versionId,
      });
    ctx.set('x-amz-version-id', found.versionId);
    if (found.deleteMarker) {
      ctx.set('x-amz-delete-marker', 'true');
      throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.');
    }
    // An older version is an ordinary object of the shadow bucket: s3rver serves it (ranges, HEAD, ...).
    if (found !== entries[0]) ctx.path = versions.shadowPath(bucket, key, found.versionId);
    return next();
  }
  if (method === 'DELETE' && !subresource) {
    const done = await deleteOne(versions, bucket, key, versionId, status, store);
    if (done.versionId) ctx.set('x-amz-version-id', done.versionId);
    if (done.deleteMarker) ctx.set('x-amz-delete-marker', 'true');
    ctx.status = 204;
    return;
  }
  const isWrite = (method === 'PUT' && !subresource) || (method === 'POST' && subresource === 'uploadId');
  if (!isWrite) return next();
  const copySource = ctx.headers['x-amz-copy-source'];
  if (typeof copySource === 'string' && copySource.includes('?versionId=')) throw notImplemented();
  const newVersion = await versions.withLock(bucket, key, () =>
    versions.write(bucket, key, status, async () => {
      await next();
      return ctx.status < 300;
    }),
  );
  if (newVersion) ctx.set('x-amz-version-id', newVersion);
}

/**
 * The koa middleware adding versioning to s3rver. Requests it does not
 * concern pass on unchanged; requests it handles are authenticated with
 * s3rver's own middleware first (it runs per route, after this one).
 */
export function s3VersioningMiddleware(versions: VersionStore, store: FilesystemStore): Middleware {
  const handlers: Handlers = { versions, store };
  return async function s3Versioning(ctx, next) {
    const { bucket, key } = target(ctx);
    if (!bucket) {
      await next();
      // ListBuckets: the version store is not a bucket.
      const result = (ctx.body as { ListAllMyBucketsResult?: { Buckets?: { Bucket?: { Name: string }[] } } })
        ?.ListAllMyBucketsResult?.Buckets;
      if (result?.Bucket) result.Bucket = result.Bucket.filter((b) => !b.Name.startsWith('.'));
      return;
    }
    if (bucket.startsWith('.'))
      throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });

    const subresources = Object.keys(ctx.query).filter((q) => SUBRESOURCES.has(q));
    if (subresources.length > 1) return next(); // s3rver answers this with InvalidArgument
    const subresource = subresources[0];
    const method = ctx.method;
    // Only requests about versions, or on a bucket that is (or was) versioned, are handled here.
    const versioned = (await versions.status(bucket)) !== undefined;
    const handled =
      key === undefined
        ? (method === 'GET' && (subresource === 'versions' || subresource === 'versioning')) ||
          (method === 'GET' && !subresource && queryString(ctx, 'list-type') === '2') ||
          (method === 'PUT' && subresource === 'versioning') ||
          (method === 'POST' && subresource === 'delete') ||
          (versioned && (method === 'DELETE' || method === 'POST') && !subresource)
        : versioned || queryString(ctx, 'versionId') !== undefined;
    if (!handled) return next();

    // s3rver authenticates per route, after this middleware: do it first for what is handled here.
    ctx.params = { bucket, key };
    await authentication(ctx, async () => undefined);
    if (!(await store.getBucket(bucket))) {
      throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    }
    if (key !== undefined) return objectRequest(ctx, next, bucket, key, subresource, handlers);

    if (method === 'GET' && subresource === 'versions') return listObjectVersions(ctx, bucket, handlers);
    if (method === 'GET' && !subresource) return listObjectsV2(ctx, bucket, handlers);
    if (method === 'GET' && subresource === 'versioning') {
      const status = await versions.status(bucket);
      ctx.body = { VersioningConfiguration: { '@': { xmlns: XMLNS }, Status: status } };
      return;
    }
    if (method === 'PUT') return putBucketVersioning(ctx, bucket, handlers);
    if (method === 'POST' && subresource === 'delete') return deleteObjects(ctx, bucket, handlers);
    // Browser form uploads are not versioned here.
    if (method === 'POST') throw notImplemented();
    // DeleteBucket: S3 refuses while versions remain; afterwards the bucket's version state goes too.
    if (await versions.hasVersions(bucket)) {
      throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', {
        BucketName: bucket,
      });
    }
    await next();
    if (ctx.status < 300) await versions.forgetBucket(bucket);
  };
}

/**
 * Adds versioning to an s3rver instance: must be called before `run()`.
 * Inserts the middleware just before s3rver's router (the last middleware).
 */
export async function installS3Versioning(server: S3rver): Promise<VersionStore> {
  const store = server.store as FilesystemStore;
  awaitFlushedWrites(store);
  const versions = new VersionStore(store);
  await versions.init();
  server.middleware.splice(server.middleware.length - 1, 0, s3VersioningMiddleware(versions, store));
  return versions;
}

/**
 * s3rver 3.7's putObject resolves before its file stream has flushed, so a read
 * or stat right after a PUT can see a short file (a version recorded with size 0
 * under load). This one resolves only once the file is complete on disk.
 */
function awaitFlushedWrites(store: FilesystemStore): void {
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(path.dirname(objectPath), { recursive: true });
    const md5 = createHash('md5');
    let size = 0;
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    await pipeline(
      source,
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          md5.update(chunk);
          size += chunk.length;
          callback(null, chunk);
        },
      }),
      createWriteStream(objectPath),
    );
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}
