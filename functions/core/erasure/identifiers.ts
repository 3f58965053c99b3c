/**
 * Keyed hashes of the subject's identifiers: erasure stores and compares these,
 * never the plaintext, so the working files in S3 reveal nothing without the key.
 */
import { keyedHash } from '../crypto';
import { normaliseIdentifier } from './decisions';

export { normaliseIdentifier };

/** keyedHash('identifier', normalised value), or undefined when the value cannot identify anyone. */
export function identifierHash(key: Buffer, value: string): string | undefined {
  const form = normaliseIdentifier(value);
  return form === undefined ? undefined : keyedHash(key, 'identifier', form);
}

/** Every string inside a value (objects and arrays walked), in order. */
export function* deepStrings(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    yield value;
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) yield* deepStrings(item);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) yield* deepStrings(item);
  }
}
