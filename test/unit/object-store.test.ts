/** The export bucket's download links (issue 18, finding 7), and its streaming uploads (issue 15). */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ObjectStore } from '../../functions/aws/object-store';

describe('S3ObjectStore.downloadUrl', () => {
  it('signs a link whose answer says Cache-Control: no-store, as an attachment with its file name', async () => {
    // Prepare
    const s3 = new S3Client({
      region: 'ap-southeast-3',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const store = new S3ObjectStore(s3, 'dsr-exports');

    // Act
    const url = new URL(
      await store.downloadUrl('exports/20260101-access-abcdefghjk/package.zip', {
        fileName: 'my-data.zip',
        contentType: 'application/zip',
        expiresInSeconds: 900,
      }),
    );

    // Assess
    expect(url.searchParams.get('response-cache-control')).toBe('no-store');
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="my-data.zip"');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
  });
});

describe('S3ObjectStore.upload', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  const MiB = 1024 * 1024;
  /** The bytes each UploadPart sent, by part number (copied: the store reuses its part buffers). */
  function recordParts(): Map<number, Buffer> {
    const parts = new Map<number, Buffer>();
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3.on(UploadPartCommand).callsFake((input: { PartNumber: number; Body: Uint8Array }) => {
      parts.set(input.PartNumber, Buffer.from(input.Body));
      return { ETag: `"e${input.PartNumber}"` };
    });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    return parts;
  }

  it('sends an object that ends within the first part as one PutObject', async () => {
    s3.on(PutObjectCommand).resolves({});
    const size = await new S3ObjectStore(new S3Client({}), 'b').upload(
      'k',
      Readable.from(['{"a":', Buffer.from('1}')]),
      { contentType: 'application/json' },
    );
    expect(size).toBe(7);
    const [put] = s3.commandCalls(PutObjectCommand);
    expect(Buffer.from(put?.args[0].input.Body as Uint8Array).toString()).toBe('{"a":1}');
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it('sends a larger stream as 5 MiB parts, text and bytes alike, and completes them in order', async () => {
    // Prepare: 12 MiB in chunks that straddle the part boundaries, text and bytes mixed
    const parts = recordParts();
    const chunks = Array.from({ length: 48 }, (_, i) =>
      i % 2 === 0 ? 'é'.repeat(MiB / 8 + 1) : Buffer.alloc(MiB / 4, i % 251),
    );
    const expected = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));

    // Act
    const size = await new S3ObjectStore(new S3Client({}), 'b').upload('k', Readable.from(chunks), {
      contentType: 'application/octet-stream',
    });

    // Assess
    expect(size).toBe(expected.length);
    expect([...parts.keys()]).toEqual([1, 2, 3]);
    expect(parts.get(1)?.length).toBe(5 * MiB);
    expect(Buffer.concat([...parts.values()]).equals(expected)).toBe(true);
    const [complete] = s3.commandCalls(CompleteMultipartUploadCommand);
    expect(complete?.args[0].input.MultipartUpload?.Parts).toEqual([
      { PartNumber: 1, ETag: '"e1"' },
      { PartNumber: 2, ETag: '"e2"' },
      { PartNumber: 3, ETag: '"e3"' },
    ]);
  });

  it('aborts the multipart upload and completes nothing when the source fails midway', async () => {
    recordParts();
    s3.on(AbortMultipartUploadCommand).resolves({});
    async function* failing() {
      for (let i = 0; i < 7; i++) yield Buffer.alloc(MiB, 1);
      throw new Error('store unavailable');
    }
    await expect(
      new S3ObjectStore(new S3Client({}), 'b').upload('k', Readable.from(failing()), {
        contentType: 'application/json',
      }),
    ).rejects.toThrow('store unavailable');
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('aborts when a part fails to upload', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3.on(UploadPartCommand).rejects(new Error('SlowDown'));
    s3.on(AbortMultipartUploadCommand).resolves({});
    await expect(
      new S3ObjectStore(new S3Client({}), 'b').upload(
        'k',
        Readable.from(Array.from({ length: 16 }, () => Buffer.alloc(MiB, 2))),
        { contentType: 'application/json' },
      ),
    ).rejects.toThrow('SlowDown');
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });
});

describe('S3ObjectStore.open with a range', () => {
  let s3: ReturnType<typeof mockClient>;
  beforeEach(() => {
    s3 = mockClient(S3Client);
  });
  afterEach(() => s3.restore());
  const store = () => new S3ObjectStore(new S3Client({ region: 'ap-southeast-3' }), 'dsr-exports');

  it('asks S3 for the first bytes only', async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('{"version":1}')]) as never });

    await store().open('erasure/x/orders.decisions.jsonl', { firstBytes: 65536 });

    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input.Range).toBe('bytes=0-65535');
  });

  it('reads an empty object as no bytes where S3 refuses the range (416)', async () => {
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('The requested range is not satisfiable'), { name: 'InvalidRange' }),
    );

    const body = await store().open('erasure/x/orders.decisions.jsonl', { firstBytes: 65536 });
    const chunks: unknown[] = [];
    for await (const chunk of body ?? []) chunks.push(chunk);

    expect(body).toBeDefined();
    expect(chunks).toEqual([]);
    await expect(store().open('erasure/x/orders.decisions.jsonl')).rejects.toThrow('not satisfiable');
  });
});
