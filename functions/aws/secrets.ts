import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV, type Settings } from './config';
import { withTransient } from './errors';

const MIN_KEY_BYTES = 32;

let cached: Promise<Buffer> | undefined;

/** Hex if the whole value is hex (64+ chars), otherwise the UTF-8 bytes. */
export function keyFromText(text: string): Buffer {
  const trimmed = text.trim();
  const key =
    /^(?:[0-9a-fA-F]{2})+$/.test(trimmed) && trimmed.length >= MIN_KEY_BYTES * 2
      ? Buffer.from(trimmed, 'hex')
      : Buffer.from(trimmed, 'utf8');
  if (key.length < MIN_KEY_BYTES)
    throw new Error(`the hashing secret must be at least ${MIN_KEY_BYTES} bytes`);
  return key;
}

export type SecretSource = Partial<Pick<Settings, 'secretFile' | 'secretArn'>>;

/**
 * The hashing key, loaded once per cold start: from a file locally
 * or Secrets Manager (SecretString) in AWS.
 */
export function loadHashingKey(source: SecretSource, client: () => SecretsManagerClient): Promise<Buffer> {
  cached ??= (async () => {
    if (source.secretFile) return keyFromText(await readFile(source.secretFile, 'utf8'));
    if (source.secretArn) {
      const arn = source.secretArn;
      const out = await withTransient(() => client().send(new GetSecretValueCommand({ SecretId: arn })));
      if (!out.SecretString) throw new Error('the hashing secret has no SecretString');
      return keyFromText(out.SecretString);
    }
    throw new Error(`set ${ENV.secretFile} or ${ENV.secretArn}`);
  })().catch((error: unknown) => {
    cached = undefined; // a failed load must not poison the container
    throw error;
  });
  return cached;
}

/** For tests. */
export function resetHashingKey(): void {
  cached = undefined;
}
