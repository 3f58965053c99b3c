import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';

let emulators: Emulators;
let s3: S3Client;
let bucketCount = 0;

function client(endpoint: string): S3Client {
  return new S3Client({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint,
    forcePathStyle: true,
  });
}

/** A fresh bucket per test, versioned unless told otherwise. */
async function bucket(versioned = true, c: S3Client = s3): Promise<string> {
  bucketCount += 1;
  const name = `versions-${bucketCount}`;
  await c.send(new CreateBucketCommand({ Bucket: name }));
  if (versioned) {
    await c.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
  return name;
}

async function put(Bucket: string, Key: string, Body: string): Promise<string | undefined> {
  return (await s3.send(new PutObjectCommand({ Bucket, Key, Body }))).VersionId;
}

async function text(Bucket: string, Key: string, VersionId?: string, c: S3Client = s3): Promise<string> {
  const out = await c.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return (await out.Body?.transformToString()) ?? '';
}

async function keys(Bucket: string): Promise<string[]> {
  return ((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => o.Key as string);
}

type Listed = { key: string; id: string; latest: boolean; marker: boolean; size?: number };

async function versions(
  Bucket: string,
  Prefix?: string,
  pageSize?: number,
  c: S3Client = s3,
): Promise<Listed[]> {
  const out: Listed[] = [];
  // The SDK has no paginator for ListObjectVersions (two markers): follow them by hand.
  let page: ListObjectVersionsCommandOutput | undefined;
  do {
    page = await c.send(
      new ListObjectVersionsCommand({
        Bucket,
        Prefix,
        MaxKeys: pageSize,
        KeyMarker: page?.NextKeyMarker,
        VersionIdMarker: page?.NextVersionIdMarker,
      }),
    );
    const v = (page.Versions ?? []).map((x) => ({
      key: x.Key as string,
      id: x.VersionId as string,
      latest: x.IsLatest === true,
      marker: false,
      size: x.Size,
    }));
    const m = (page.DeleteMarkers ?? []).map((x) => ({
      key: x.Key as string,
      id: x.VersionId as string,
      latest: x.IsLatest === true,
      marker: true,
    }));
    if (pageSize) expect(v.length + m.length).toBeLessThanOrEqual(pageSize);
    out.push(...v, ...m);
  } while (page.IsTruncated);
  return out;
}

beforeAll(async () => {
  emulators = await startEmulators();
  s3 = client(emulators.endpoints.s3);
});

afterAll(async () => {
  s3?.destroy();
  await emulators?.stop();
});

describe('local S3 versioning', () => {
  it('reports a bucket as unversioned until versioning is enabled', async () => {
    const name = await bucket(false);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: name }))).Status).toBeUndefined();

    await s3.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
    );

    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: name }))).Status).toBe('Enabled');
  });

  it('keeps every overwritten version readable by its version id while listing shows only the latest', async () => {
    // Prepare
    const name = await bucket();
    const ids = [await put(name, 'a/log.jsonl', 'one'), await put(name, 'a/log.jsonl', 'two!')];
    ids.push(await put(name, 'a/log.jsonl', 'three'));

    // Assess
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => typeof id === 'string' && id.length > 10)).toBe(true);
    expect(await text(name, 'a/log.jsonl')).toBe('three');
    expect(await text(name, 'a/log.jsonl', ids[0])).toBe('one');
    expect(await text(name, 'a/log.jsonl', ids[1])).toBe('two!');
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: name, Key: 'a/log.jsonl', VersionId: ids[1] }),
    );
    expect(head.ContentLength).toBe(4);
    expect(head.VersionId).toBe(ids[1]);
    expect(await keys(name)).toEqual(['a/log.jsonl']);
    expect(await versions(name)).toEqual([
      { key: 'a/log.jsonl', id: ids[2], latest: true, marker: false, size: 5 },
      { key: 'a/log.jsonl', id: ids[1], latest: false, marker: false, size: 4 },
      { key: 'a/log.jsonl', id: ids[0], latest: false, marker: false, size: 3 },
    ]);
    await expect(
      s3.send(new GetObjectCommand({ Bucket: name, Key: 'a/log.jsonl', VersionId: 'no-such-version' })),
    ).rejects.toMatchObject({ name: 'NoSuchVersion' });
  });

  it('hides a deleted object behind a delete marker, and removing the marker brings it back', async () => {
    const name = await bucket();
    const first = await put(name, 'doc.pdf', 'v1');
    await put(name, 'doc.pdf', 'v2');

    // Act: a plain delete
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: name, Key: 'doc.pdf' }));

    // Assess: gone from listing and GET, still recoverable
    expect(deleted.DeleteMarker).toBe(true);
    expect(deleted.VersionId).toBeDefined();
    expect(await keys(name)).toEqual([]);
    await expect(s3.send(new GetObjectCommand({ Bucket: name, Key: 'doc.pdf' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    const listed = await versions(name);
    expect(listed.filter((v) => v.marker)).toEqual([
      { key: 'doc.pdf', id: deleted.VersionId, latest: true, marker: true },
    ]);
    expect(listed.filter((v) => !v.marker).every((v) => !v.latest)).toBe(true);
    expect(await text(name, 'doc.pdf', first)).toBe('v1');

    // Act: delete the marker itself
    const unmarked = await s3.send(
      new DeleteObjectCommand({ Bucket: name, Key: 'doc.pdf', VersionId: deleted.VersionId }),
    );
    expect(unmarked.DeleteMarker).toBe(true);
    expect(await text(name, 'doc.pdf')).toBe('v2');
    expect(await keys(name)).toEqual(['doc.pdf']);
  });

  it('deleting the current version by id makes the previous version current again', async () => {
    const name = await bucket();
    const first = await put(name, 'k.txt', 'old text');
    const second = await put(name, 'k.txt', 'new text');

    await s3.send(new DeleteObjectCommand({ Bucket: name, Key: 'k.txt', VersionId: second }));

    expect(await text(name, 'k.txt')).toBe('old text');
    expect(await versions(name)).toEqual([{ key: 'k.txt', id: first, latest: true, marker: false, size: 8 }]);
    await expect(
      s3.send(new GetObjectCommand({ Bucket: name, Key: 'k.txt', VersionId: second })),
    ).rejects.toMatchObject({ name: 'NoSuchVersion' });
  });

  it('DeleteObjects with version ids removes every version and marker for good, quietly if asked', async () => {
    // Prepare: two versions and a delete marker of one key, another key left alone
    const name = await bucket();
    await put(name, 'p/x.jsonl', '1');
    await put(name, 'p/x.jsonl', '2');
    await s3.send(new DeleteObjectCommand({ Bucket: name, Key: 'p/x.jsonl' }));
    await put(name, 'p/y.jsonl', 'stays');
    const all = (await versions(name, 'p/x.jsonl')).filter((v) => v.key === 'p/x.jsonl');
    expect(all).toHaveLength(3);

    // Act
    const out = await s3.send(
      new DeleteObjectsCommand({
        Bucket: name,
        Delete: { Objects: all.map((v) => ({ Key: v.key, VersionId: v.id })) },
      }),
    );

    // Assess
    expect(out.Errors ?? []).toEqual([]);
    expect((out.Deleted ?? []).map((d) => d.VersionId).sort()).toEqual(all.map((v) => v.id).sort());
    expect((out.Deleted ?? []).filter((d) => d.DeleteMarker)).toHaveLength(1);
    expect(await versions(name)).toEqual([
      expect.objectContaining({ key: 'p/y.jsonl', latest: true, marker: false }),
    ]);

    // Quiet mode: only errors are reported
    const [y] = await versions(name);
    const quiet = await s3.send(
      new DeleteObjectsCommand({
        Bucket: name,
        Delete: { Objects: [{ Key: 'p/y.jsonl', VersionId: y?.id }], Quiet: true },
      }),
    );
    expect(quiet.Deleted ?? []).toEqual([]);
    expect(await versions(name)).toEqual([]);
  });

  it('pages ListObjectVersions over more entries than MaxKeys without losing or repeating one', async () => {
    // Prepare: 7 keys with 2 versions each, one also deleted (marker), plus a key outside the prefix
    const name = await bucket();
    for (let i = 0; i < 7; i += 1) {
      await put(name, `sub/k${i}`, `a${i}`);
      await put(name, `sub/k${i}`, `b${i}`);
    }
    await s3.send(new DeleteObjectCommand({ Bucket: name, Key: 'sub/k3' }));
    await put(name, 'other/k', 'x');

    // Act: pages of 4
    const listed = await versions(name, 'sub/', 4);

    // Assess: 15 entries in key order, newest first per key, exactly one latest per key
    expect(listed).toHaveLength(15);
    expect(new Set(listed.map((v) => `${v.key}@${v.id}`)).size).toBe(15);
    expect(listed.every((v) => v.key.startsWith('sub/'))).toBe(true);
    for (let i = 0; i < 7; i += 1) {
      const ofKey = listed.filter((v) => v.key === `sub/k${i}`);
      expect(ofKey.filter((v) => v.latest)).toHaveLength(1);
      expect(ofKey).toHaveLength(i === 3 ? 3 : 2);
    }
    expect(listed.find((v) => v.key === 'sub/k3' && v.latest)?.marker).toBe(true);
    // Any page size lists the same entries (a page may end inside a key's versions or on a marker-only key).
    const sorted = (l: Listed[]) => l.map((v) => JSON.stringify(v)).sort();
    for (const size of [1, 2, 3, 1000]) {
      expect(sorted(await versions(name, 'sub/', size))).toEqual(sorted(listed));
    }
  });

  it('a multipart upload and a copy onto a versioned key keep the version they replace', async () => {
    const name = await bucket();
    const original = await put(name, 'm.bin', 'original');

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: name, Key: 'm.bin' }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: name, Key: 'm.bin', UploadId, PartNumber: 1, Body: 'multipart' }),
    );
    const completed = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: name,
        Key: 'm.bin',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await put(name, 'src.bin', 'copied');
    const copied = await s3.send(
      new CopyObjectCommand({ Bucket: name, Key: 'm.bin', CopySource: `${name}/src.bin` }),
    );

    expect(completed.VersionId).toBeDefined();
    expect(copied.VersionId).toBeDefined();
    expect(await text(name, 'm.bin')).toBe('copied');
    expect(await text(name, 'm.bin', completed.VersionId)).toBe('multipart');
    expect(await text(name, 'm.bin', original)).toBe('original');
  });

  it('an unversioned bucket lists its objects as version null and deletes them for good', async () => {
    const name = await bucket(false);
    expect(await put(name, 'u/a', 'a')).toBeUndefined();
    await put(name, 'u/b', 'b');
    await put(name, 'u/c', 'c');

    expect((await versions(name)).map((v) => [v.key, v.id, v.latest])).toEqual([
      ['u/a', 'null', true],
      ['u/b', 'null', true],
      ['u/c', 'null', true],
    ]);
    const out = await s3.send(
      new DeleteObjectsCommand({
        Bucket: name,
        Delete: {
          Objects: [
            { Key: 'u/a', VersionId: 'null' },
            { Key: 'u/b', VersionId: 'some-version' },
          ],
        },
      }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: name, Key: 'u/c' }));

    expect(out.Deleted?.map((d) => d.Key)).toEqual(['u/a']);
    expect(out.Errors?.map((e) => [e.Key, e.Code])).toEqual([['u/b', 'InvalidArgument']]);
    expect((await versions(name)).map((v) => v.key)).toEqual(['u/b']);
  });

  it('an object written before versioning was enabled becomes the null version', async () => {
    const name = await bucket(false);
    await put(name, 'early.txt', 'before');
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const later = await put(name, 'early.txt', 'after');

    expect((await versions(name)).map((v) => [v.id, v.latest])).toEqual([
      [later, true],
      ['null', false],
    ]);
    expect(await text(name, 'early.txt', 'null')).toBe('before');
  });

  it('does not show its version store as a bucket', async () => {
    const names = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.some((n) => n?.startsWith('.'))).toBe(false);
  });

  it('keeps versions and delete markers across a restart on the same data directory', async () => {
    // Prepare
    const dataDir = await mkdtemp(path.join(tmpdir(), 's3-versioning-'));
    try {
      let local = await startEmulators({ dataDir });
      let c = client(local.endpoints.s3);
      const name = await bucket(true, c);
      const v1 = (await c.send(new PutObjectCommand({ Bucket: name, Key: 'r/k', Body: 'first' }))).VersionId;
      await c.send(new PutObjectCommand({ Bucket: name, Key: 'r/k', Body: 'second' }));
      await c.send(new DeleteObjectCommand({ Bucket: name, Key: 'r/k' }));
      const before = await versions(name, undefined, undefined, c);
      c.destroy();
      await local.stop();

      // Act
      local = await startEmulators({ dataDir });
      c = client(local.endpoints.s3);
      try {
        // Assess
        expect((await c.send(new GetBucketVersioningCommand({ Bucket: name }))).Status).toBe('Enabled');
        expect(await versions(name, undefined, undefined, c)).toEqual(before);
        expect(before).toHaveLength(3);
        expect(await text(name, 'r/k', v1, c)).toBe('first');
      } finally {
        c.destroy();
        await local.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('listing more objects than one page holds', () => {
  const MANY = 1_050;
  const keyOf = (i: number) => `many/obj-${String(i).padStart(5, '0')}.txt`;
  let name: string;

  /** Puts `count` tiny objects under `many/` (32 in flight) plus two outside the prefix. */
  async function fill(Bucket: string, count: number): Promise<void> {
    const keys = [...Array.from({ length: count }, (_, i) => keyOf(i)), 'aaa-before.txt', 'zzz-after.txt'];
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const Key = keys[next++] as string;
        await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }));
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
  }

  async function listAll(Bucket: string, Prefix?: string, MaxKeys?: number) {
    const listed: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket, Prefix, MaxKeys })) {
      pages += 1;
      listed.push(...(page.Contents ?? []).map((o) => o.Key as string));
    }
    return { listed, pages };
  }

  beforeAll(async () => {
    // Versioned: the buckets erasure lists are, and their writes go through the version store.
    name = await bucket(true);
    await fill(name, MANY);
  }, 60_000);

  it('pages ListObjectsV2 through 1,050 objects under one prefix, each exactly once and in order', async () => {
    // Act
    const { listed, pages } = await listAll(name, 'many/');

    // Assess
    expect(pages).toBe(2);
    expect(listed).toEqual(Array.from({ length: MANY }, (_, i) => keyOf(i)));
  });

  it('honours a small MaxKeys and StartAfter across continuation tokens', async () => {
    // Act
    const { listed, pages } = await listAll(name, undefined, 400);
    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: name, StartAfter: keyOf(MANY - 3), MaxKeys: 10 }),
    );

    // Assess
    expect(pages).toBe(3);
    expect(listed).toHaveLength(MANY + 2);
    expect(new Set(listed).size).toBe(MANY + 2);
    expect((after.Contents ?? []).map((o) => o.Key)).toEqual([
      keyOf(MANY - 2),
      keyOf(MANY - 1),
      'zzz-after.txt',
    ]);
    expect(after.IsTruncated).toBe(false);
  });

  it('refuses a continuation token it did not issue, or one issued for another bucket', async () => {
    // Prepare
    const first = await s3.send(new ListObjectsV2Command({ Bucket: name, MaxKeys: 1 }));
    expect(first.NextContinuationToken).toBeDefined();

    // Act
    const forged = s3.send(new ListObjectsV2Command({ Bucket: name, ContinuationToken: 'bm90LW91cnM' }));
    const other = await bucket(false);
    await put(other, 'one.txt', 'x');
    const elsewhere = s3.send(
      new ListObjectsV2Command({ Bucket: other, ContinuationToken: first.NextContinuationToken }),
    );

    // Assess
    await expect(forged).rejects.toMatchObject({ name: 'InvalidArgument' });
    await expect(elsewhere).rejects.toMatchObject({ name: 'InvalidArgument' });
  });

  it('pages ListObjectVersions at its default page size through 1,050 objects under one prefix', async () => {
    // Act
    const listed = await versions(name, 'many/');

    // Assess
    expect(listed.map((v) => v.key)).toEqual(Array.from({ length: MANY }, (_, i) => keyOf(i)));
    expect(listed.every((v) => v.latest && !v.marker)).toBe(true);
  });
});
