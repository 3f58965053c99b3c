import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ProcessorStore } from '../core/data-map';
import type { ProcessorSecrets } from '../core/ports';
import { ProcessorSecretError } from '../core/processors/errors';
import { withTransient } from './errors';
import { keyFromText } from './secrets';

/** Where processor secrets come from: a directory of `<processorId>.key` files locally, else Secrets Manager. */
export interface ProcessorSecretSource {
  /** setting `processorSecretsDir` (local runtime only). */
  readonly dir?: string | undefined;
}

// One load per processor per container; keyed by where it comes from, so tests with different sources stay apart.
const cache = new Map<string, Promise<Buffer>>();

async function fromText(store: ProcessorStore, text: string): Promise<Buffer> {
  try {
    return keyFromText(text);
  } catch {
    // keyFromText's message speaks of the hashing secret; say which processor's secret is too short instead.
    throw new ProcessorSecretError(`the secret of partner ${store.id} must be at least 32 bytes`);
  }
}

async function load(
  store: ProcessorStore,
  source: ProcessorSecretSource,
  client: () => SecretsManagerClient,
): Promise<Buffer> {
  if (source.dir) {
    let text: string;
    try {
      // store.id matches the data map's id regex (letters, digits, dashes), so it cannot leave the directory.
      text = await readFile(join(source.dir, `${store.id}.key`), 'utf8');
    } catch (error) {
      throw new ProcessorSecretError(`no readable secret file for partner ${store.id}`, { cause: error });
    }
    return fromText(store, text);
  }
  const out = await withTransient(() =>
    client().send(new GetSecretValueCommand({ SecretId: store.secretName })),
  );
  if (out.SecretString !== undefined) return fromText(store, out.SecretString);
  if (out.SecretBinary !== undefined) {
    const key = Buffer.from(out.SecretBinary);
    if (key.length < 32)
      throw new ProcessorSecretError(`the secret of partner ${store.id} must be at least 32 bytes`);
    return key;
  }
  throw new ProcessorSecretError(`the secret of partner ${store.id} has no value`);
}

/**
 * The HMAC secret shared with one processor: locally the file
 * `<dir>/<processorId>.key`, in AWS the Secrets Manager secret `store.secretName`
 * (hex of 32+ bytes, or 32+ bytes of text). Cached per processor for the life of
 * the container; a failed load is not cached, so the next call tries again.
 */
export function loadProcessorSecret(
  store: ProcessorStore,
  source: ProcessorSecretSource,
  client: () => SecretsManagerClient,
): Promise<Buffer> {
  const cacheKey = source.dir ? `file\u0000${source.dir}\u0000${store.id}` : `sm\u0000${store.secretName}`;
  let secret = cache.get(cacheKey);
  if (!secret) {
    secret = load(store, source, client).catch((error: unknown) => {
      cache.delete(cacheKey);
      throw error;
    });
    cache.set(cacheKey, secret);
  }
  return secret;
}

/** The `ProcessorSecrets` port: secret files locally, Secrets Manager in AWS (see `loadProcessorSecret`). */
export class ProcessorSecretStore implements ProcessorSecrets {
  constructor(
    private readonly source: ProcessorSecretSource,
    private readonly client: () => SecretsManagerClient,
  ) {}

  secretOf(store: ProcessorStore): Promise<Buffer> {
    return loadProcessorSecret(store, this.source, this.client);
  }
}

/** For tests: forget every cached processor secret. */
export function resetProcessorSecrets(): void {
  cache.clear();
}
