/** Small helpers over the `ObjectStore` port shared by export and erasure use cases. */
import type { Readable } from 'node:stream';
import type { ObjectStore } from '../ports';

/** An object that must exist is missing; keeps S3's error name, which logs and alarms already know. */
export class ObjectMissingError extends Error {
  override readonly name = 'NoSuchKey';
}

/** Opens an object that must exist as a stream (never read whole). */
export async function openExisting(objects: ObjectStore, key: string): Promise<Readable> {
  const body = await objects.open(key);
  if (!body) throw new ObjectMissingError('The specified key does not exist.');
  return body;
}

/**
 * Reads a small object whole, or undefined when there is none. Stops reading
 * and throws `tooLarge()` once more than `maxBytes` arrived.
 */
export async function readSmall(
  objects: ObjectStore,
  key: string,
  maxBytes = Number.POSITIVE_INFINITY,
  tooLarge: () => Error = () => new Error(`object is larger than ${maxBytes} bytes`),
): Promise<Buffer | undefined> {
  const body = await objects.open(key);
  if (!body) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
