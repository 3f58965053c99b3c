/** The `ZipWriter` port on archiver (zip, deflate level 6), streaming entry by entry. */
import type { Readable } from 'node:stream';
import archiver, { type Archiver } from 'archiver';
import type { ZipWriter } from '../core/ports';

/** Adds one entry and waits until archiver has consumed it, so only one source stream is open at a time. */
function addEntry(
  archive: Archiver,
  source: Readable | string | Buffer,
  name: string,
  date: Date,
): Promise<void> {
  const stream = typeof source === 'string' || Buffer.isBuffer(source) ? undefined : source;
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      archive.off('entry', onEntry);
      archive.off('error', onError);
      archive.off('close', onClose);
      stream?.off('error', onError);
    };
    const onEntry = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    // The upload side destroys the archive when it fails; an entry then never completes.
    const onClose = () => onError(new Error('archive closed before the entry was written'));
    archive.once('entry', onEntry);
    archive.once('error', onError);
    archive.once('close', onClose);
    stream?.once('error', onError);
    archive.append(source, { name, date });
  });
}

/** A new zip writer over archiver. */
export function createZipWriter(): ZipWriter {
  const archive = archiver('zip', { zlib: { level: 6 } });
  return {
    output: archive,
    add: (source, name, date) => addEntry(archive, source, name, date),
    // Not awaited: its promise waits for the reader; completion is the upload's, and errors reach it too.
    finish: () => void archive.finalize().catch(() => undefined),
    // Destroy with the error (not abort(), which ends the zip cleanly).
    destroy: (error) => void archive.destroy(error),
    size: () => archive.pointer(),
  };
}
