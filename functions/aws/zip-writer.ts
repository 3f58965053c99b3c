/**
 * The `ZipWriter` port on Node's zlib alone: a streaming zip (deflate level 6),
 * entry by entry. It writes the bytes archiver 7 (zip-stream 6) wrote for the
 * same entries — the same headers, data descriptors, Unix mode 0644, UTC DOS
 * times, and ZIP64 records once an entry, an offset or the entry count outgrows
 * the classic fields — without archiver's dependency tree (about 300 KiB of
 * bundle: globbing, tar, lazystream, readable-stream) that a zip of streams never uses.
 */
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createDeflateRaw } from 'node:zlib';
import type { ZipWriter } from '../core/ports';

const SIG_LOCAL = 0x04034b50;
const SIG_DESCRIPTOR = 0x08074b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_ZIP64_END = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const ZIP64_MAGIC = 0xffffffff;
const ZIP64_MAGIC_SHORT = 0xffff;
const STORED = 0;
const DEFLATED = 8;
const VERSION_DESCRIPTOR = 20;
const VERSION_ZIP64 = 45;
/** Unix (3) in the high byte, spec version 4.5. */
const VERSION_MADE_BY = (3 << 8) | 45;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
/** `-rw-r--r--` regular file, with the DOS archive bit: archiver's default for an appended file. */
const FILE_ATTRIBUTES = ((((0o100000 | 0o644) << 16) | 0x20) >>> 0) as number;
const DEFLATE_LEVEL = 6;

interface Entry {
  readonly name: Buffer;
  readonly flags: number;
  readonly method: number;
  readonly dosTime: number;
  readonly offset: number;
  crc: number;
  size: number;
  compressedSize: number;
}

const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v & 0xffff);
  return b;
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const u64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(v % 0x100000000);
  b.writeUInt32LE(Math.floor(v / 0x100000000), 4);
  return b;
};

/** A date as a DOS date-time in UTC, clamped to the format's 1980–2043 range (as zip-stream). */
function dosTime(d: Date): number {
  const year = d.getUTCFullYear();
  if (year < 1980) return 2162688;
  if (year >= 2044) return 2141175677;
  return (
    (((year - 1980) << 25) |
      ((d.getUTCMonth() + 1) << 21) |
      (d.getUTCDate() << 16) |
      (d.getUTCHours() << 11) |
      (d.getUTCMinutes() << 5) |
      (d.getUTCSeconds() / 2)) >>>
    0
  );
}

/** Forward slashes, no drive, no leading `/` or `../` (archiver's sanitising of entry names). */
const entryName = (name: string) =>
  name
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/^\w+:/, '')
    .replace(/^(\.\.\/|\/)+/, '');

const isZip64 = (e: Entry) => e.size > ZIP64_MAGIC || e.compressedSize > ZIP64_MAGIC;

class StreamingZip implements ZipWriter {
  readonly output = new PassThrough();
  private offset = 0;
  private readonly entries: Entry[] = [];
  private queue: Promise<void> = Promise.resolve();

  /** Writes `chunk`, waiting while the reader is behind; fails if the output was closed. */
  private async write(chunk: Buffer): Promise<void> {
    if (this.output.destroyed) throw new Error('archive closed before the entry was written');
    this.offset += chunk.length;
    if (this.output.write(chunk)) return;
    // Both waits end together (no listener is left behind per write); an 'error' rejects either.
    const done = new AbortController();
    const drain = once(this.output, 'drain', { signal: done.signal }).then(() => 'drain' as const);
    const close = once(this.output, 'close', { signal: done.signal }).then(() => 'close' as const);
    drain.catch(() => undefined);
    close.catch(() => undefined);
    try {
      if ((await Promise.race([drain, close])) === 'close') {
        throw new Error('archive closed before the entry was written');
      }
    } finally {
      done.abort();
    }
  }

  add(source: Readable | string | Buffer, name: string, date: Date): Promise<void> {
    const next = this.queue.then(() => this.append(source, name, date));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async append(source: Readable | string | Buffer, name: string, date: Date): Promise<void> {
    const bytes = typeof source === 'string' ? Buffer.from(source) : source;
    const fileName = entryName(name);
    const nameBytes = Buffer.from(fileName);
    const entry: Entry = {
      name: nameBytes,
      // Every entry has a data descriptor (sizes after the data); UTF-8 names are flagged.
      flags: FLAG_DESCRIPTOR | (nameBytes.length !== fileName.length ? FLAG_UTF8 : 0),
      // An empty buffer is stored, anything else deflated (a stream always: its length is unknown).
      method: Buffer.isBuffer(bytes) && bytes.length === 0 ? STORED : DEFLATED,
      dosTime: dosTime(date),
      offset: this.offset,
      crc: 0,
      size: 0,
      compressedSize: 0,
    };
    await this.write(
      Buffer.concat([
        u32(SIG_LOCAL),
        u16(VERSION_DESCRIPTOR),
        u16(entry.flags),
        u16(entry.method),
        u32(entry.dosTime),
        // CRC and sizes follow the data, in the descriptor.
        Buffer.alloc(12),
        u16(nameBytes.length),
        u16(0),
        nameBytes,
      ]),
    );
    if (entry.method === DEFLATED) {
      await this.deflate(Buffer.isBuffer(bytes) ? Readable.from([bytes]) : bytes, entry);
    }
    this.entries.push(entry);
    const sizes = isZip64(entry)
      ? [u64(entry.compressedSize), u64(entry.size)]
      : [u32(entry.compressedSize), u32(entry.size)];
    await this.write(Buffer.concat([u32(SIG_DESCRIPTOR), u32(entry.crc), ...sizes]));
  }

  /** Deflates `source` into the output, counting its CRC-32 and both sizes; a failing side stops both. */
  private async deflate(source: Readable, entry: Entry): Promise<void> {
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer | string>) {
        for await (const chunk of chunks) {
          const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          entry.crc = crc32(data, entry.crc);
          entry.size += data.length;
          yield data;
        }
      },
      createDeflateRaw({ level: DEFLATE_LEVEL }),
      async (compressed: AsyncIterable<Buffer>) => {
        for await (const chunk of compressed) {
          entry.compressedSize += chunk.length;
          await this.write(chunk);
        }
      },
    );
  }

  finish(): void {
    // Not awaited: completion is the reader's (the upload), and errors reach it through the output.
    void this.queue.then(() => this.writeCentralDirectory()).catch((error: Error) => this.destroy(error));
  }

  private async writeCentralDirectory(): Promise<void> {
    const centralOffset = this.offset;
    for (const e of this.entries) {
      const zip64 = isZip64(e) || e.offset > ZIP64_MAGIC;
      const extra = zip64
        ? Buffer.concat([u16(0x0001), u16(24), u64(e.size), u64(e.compressedSize), u64(e.offset)])
        : Buffer.alloc(0);
      await this.write(
        Buffer.concat([
          u32(SIG_CENTRAL),
          u16(VERSION_MADE_BY),
          u16(zip64 ? VERSION_ZIP64 : VERSION_DESCRIPTOR),
          u16(e.flags),
          u16(e.method),
          u32(e.dosTime),
          u32(e.crc),
          u32(zip64 ? ZIP64_MAGIC : e.compressedSize),
          u32(zip64 ? ZIP64_MAGIC : e.size),
          u16(e.name.length),
          u16(extra.length),
          u16(0), // comment
          u16(0), // disk
          u16(0), // internal attributes
          u32(FILE_ATTRIBUTES),
          u32(zip64 ? ZIP64_MAGIC : e.offset),
          e.name,
          extra,
        ]),
      );
    }
    const centralLength = this.offset - centralOffset;
    const count = this.entries.length;
    const zip64 = count > ZIP64_MAGIC_SHORT || centralLength > ZIP64_MAGIC || centralOffset > ZIP64_MAGIC;
    if (zip64) {
      await this.write(
        Buffer.concat([
          u32(SIG_ZIP64_END),
          u64(44),
          u16(VERSION_ZIP64),
          u16(VERSION_ZIP64),
          u32(0),
          u32(0),
          u64(count),
          u64(count),
          u64(centralLength),
          u64(centralOffset),
          u32(SIG_ZIP64_LOCATOR),
          u32(0),
          u64(centralOffset + centralLength),
          u32(1),
        ]),
      );
    }
    await this.write(
      Buffer.concat([
        u32(SIG_END),
        u16(0),
        u16(0),
        u16(zip64 ? ZIP64_MAGIC_SHORT : count),
        u16(zip64 ? ZIP64_MAGIC_SHORT : count),
        u32(zip64 ? ZIP64_MAGIC : centralLength),
        u32(zip64 ? ZIP64_MAGIC : centralOffset),
        u16(0), // comment
      ]),
    );
    this.output.end();
  }

  destroy(error: Error): void {
    this.output.destroy(error);
  }

  size(): number {
    return this.offset;
  }
}

/** A new streaming zip writer. */
export function createZipWriter(): ZipWriter {
  return new StreamingZip();
}
