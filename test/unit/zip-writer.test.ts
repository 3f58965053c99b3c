import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import JSZip from 'jszip';
import { createZipWriter } from '../../functions/aws/zip-writer';
import type { ZipWriter } from '../../functions/core/ports';

const AT = new Date('2026-12-06T10:11:13Z');

/** Every byte the writer produces, once it has finished. */
async function bytesOf(zip: ZipWriter, fill: () => Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of zip.output) chunks.push(chunk as Buffer);
  })();
  await fill();
  zip.finish();
  await collected;
  return Buffer.concat(chunks);
}

describe('the export zip writer', () => {
  it('writes the very bytes archiver 7 wrote for the same entries (strings, an empty file, a stream, a UTF-8 name)', async () => {
    // Prepare
    const zip = createZipWriter();
    // Act
    const bytes = await bytesOf(zip, async () => {
      await zip.add('{"a":1}\n', 'manifest.json', AT);
      await zip.add('', 'empty.txt', AT);
      await zip.add(Readable.from([Buffer.from('{"n":1}\n'), '{"n":2}\n']), 'stores/orders.jsonl', AT);
      await zip.add(Buffer.from('ü'), 'stores/résumé.txt', new Date('2050-01-01T00:00:00Z'));
    });
    // Assess: the digest of archiver 7.0.0's output for these entries, taken before it was replaced.
    expect(bytes).toHaveLength(539);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      '55ed0ea1ab378a04c328632e7254e57f857f7d4379b90b3e08ccceea208556ec',
    );
    expect(zip.size()).toBe(539);
    const read = await JSZip.loadAsync(bytes);
    expect(await read.file('stores/orders.jsonl')?.async('string')).toBe('{"n":1}\n{"n":2}\n');
    expect(await read.file('stores/résumé.txt')?.async('string')).toBe('ü');
    expect(await read.file('empty.txt')?.async('string')).toBe('');
  });

  it('keeps a large streamed entry whole, chunk by chunk', async () => {
    // Prepare
    const lines = Array.from({ length: 50_000 }, (_, i) => `{"n":${i}}\n`).join('');
    const zip = createZipWriter();
    // Act
    const bytes = await bytesOf(zip, () =>
      zip.add(Readable.from(lines.match(/[\s\S]{1,4096}/g) ?? []), 'stores/big.jsonl', AT),
    );
    // Assess
    const read = await JSZip.loadAsync(bytes);
    expect(await read.file('stores/big.jsonl')?.async('string')).toBe(lines);
    expect(zip.size()).toBe(bytes.length);
  });

  it('fails the entry with the source error when the source stream breaks', async () => {
    // Prepare
    const zip = createZipWriter();
    zip.output.resume();
    const broken = new Readable({
      read() {
        this.destroy(new Error('source broke'));
      },
    });
    // Act / Assess
    await expect(zip.add(broken, 'stores/x.jsonl', AT)).rejects.toThrow('source broke');
  });

  it('fails the entry when the zip is destroyed while it is being written', async () => {
    // Prepare: nobody reads the output and random bytes do not compress, so the writer soon waits for room.
    const zip = createZipWriter();
    zip.output.on('error', () => undefined);
    const writing = zip.add(Readable.from([randomBytes(1024 * 1024)]), 'stores/x.bin', AT);
    // Act
    setTimeout(() => zip.destroy(new Error('upload failed')), 20);
    // Assess
    await expect(writing).rejects.toThrow();
  });
});
