/**
 * The zod the functions use: `zod/mini`, whose functional API lets a bundle keep
 * only the schema kinds and checks it uses (classic zod attaches every method to
 * every schema, so a bundle holds all of it: about 100 KiB against 30–40). Two
 * things keep every answer as it was with classic zod: its English messages,
 * configured here once, and {@link parse}, which throws classic's `ZodError`
 * (mini's own `parse` throws a `$ZodError`, a name callers and logs would see).
 * `package.json` lists this file under `sideEffects`, so bundles keep the configuration.
 */
import { ZodRealError } from 'zod';
import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());

export * from 'zod/mini';

/** `schema`'s output for `data`, or a thrown `ZodError` listing every issue (as classic `schema.parse`). */
export function parse<T extends z.ZodMiniType>(schema: T, data: unknown): z.output<T> {
  const result = z.safeParse(schema, data);
  if (!result.success) throw new ZodRealError(result.error.issues);
  return result.data;
}
