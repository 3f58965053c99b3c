/**
 * The erasure manifest of one store: every decision as a JSON Lines object in
 * the exports bucket, and a summary written beside it (or after it, for a
 * manifest too large to hold in memory): together they mark it complete.
 * Retries read these instead of deciding again, so they apply the same
 * decisions and report the same counts.
 */
import { createInterface } from 'node:readline';
import { erasureDecisionsKey, erasureSummaryKey } from '../export/keys';
import { openExisting, readSmall } from '../export/objects';
import type { ObjectStore } from '../ports';
import * as z from '../zod';
import type { RecordDecision } from './decisions';

/** Decisions per page handed to a connector or read back: bounded, so memory stays flat. */
export const DECISION_PAGE_SIZE = 500;

const RecordRefSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('dynamodb'),
    key: z.record(z.string(), z.union([z.string(), z.number()])),
  }),
  z.strictObject({
    kind: z.literal('s3'),
    bucket: z.string().check(z.minLength(1)),
    key: z.string().check(z.minLength(1)),
    line: z.optional(z.number().check(z.int(), z.positive())),
    versionId: z.optional(z.string()),
    noncurrent: z.optional(z.boolean()),
    deleteMarker: z.optional(z.boolean()),
  }),
]);

/** One manifest line: a `RecordDecision` as `decideErasure` made it. */
export const DecisionLine = z.strictObject({
  ref: RecordRefSchema,
  outcome: z.enum(['deleted', 'masked', 'retained', 'held']),
  action: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('delete') }),
    z.strictObject({
      kind: z.literal('update'),
      set: z.record(z.string(), z.string()),
      remove: z.array(z.string()),
    }),
    z.strictObject({ kind: z.literal('keep') }),
  ]),
  legalBasis: z.optional(z.string()),
  retainedUntil: z.optional(z.string()),
  holdReason: z.optional(z.string()),
});

const Count = z.number().check(z.int(), z.nonnegative());

/** What one store's inventory found: counts and keyed hashes only, never personal data. */
export const ErasureSummary = z.strictObject({
  version: z.literal(1),
  requestId: z.string(),
  storeId: z.string(),
  /** Set by a retention sweep (`retention-<YYYY-MM-DD>`): whose folder the manifest is in. */
  run: z.optional(z.string()),
  counts: z.strictObject({ found: Count, deleted: Count, masked: Count, retained: Count, held: Count }),
  /** Decisions that write (delete or update); 0 = nothing for the connector to do. Absent in older summaries. */
  changes: z.optional(Count),
  /** keyedHash('identifier', …) of the subject's identifiers and of every value a mask overwrites. */
  identifierHashes: z.array(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
  retention: z.array(z.strictObject({ legalBasis: z.string(), retainedUntil: z.string(), records: Count })),
  holds: z.array(z.strictObject({ reason: z.string(), records: Count })),
  createdAt: z.string(),
});
export type ErasureSummary = z.infer<typeof ErasureSummary>;

/** Thrown when a manifest in S3 is not what this code wrote (a bug or tampering). Not retried. */
export class ErasureManifestError extends Error {
  override readonly name = 'ErasureManifestError';
}

/** The store's summary (of the request, or of one retention sweep `run`), or undefined while its inventory has not completed. */
export async function readSummary(
  exports: ObjectStore,
  requestId: string,
  storeId: string,
  run?: string,
): Promise<ErasureSummary | undefined> {
  const key = erasureSummaryKey(requestId, storeId, run);
  const bytes = await readSmall(exports, key);
  if (!bytes) return undefined;
  const parsed = ErasureSummary.safeParse(parseJson(bytes.toString('utf8')));
  if (!parsed.success) throw new ErasureManifestError(`erasure summary of store ${storeId} is malformed`);
  return parsed.data;
}

/** Writes the summary (see `inventoryOf` for when: beside a small manifest, after a large one). */
export async function writeSummary(exports: ObjectStore, summary: ErasureSummary): Promise<void> {
  await exports.put(
    erasureSummaryKey(summary.requestId, summary.storeId, summary.run),
    JSON.stringify(summary),
    { contentType: 'application/json; charset=utf-8' },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Streams the manifest back as pages of decisions, one line at a time (never read whole). */
export async function* readDecisions(
  exports: ObjectStore,
  requestId: string,
  storeId: string,
  run?: string,
): AsyncIterable<readonly RecordDecision[]> {
  const body = await openExisting(exports, erasureDecisionsKey(requestId, storeId, run));
  const lines = createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY });
  let page: RecordDecision[] = [];
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    const parsed = DecisionLine.safeParse(parseJson(text));
    if (!parsed.success) {
      throw new ErasureManifestError(`erasure manifest of store ${storeId} is malformed at line ${number}`);
    }
    page.push(parsed.data as RecordDecision);
    if (page.length >= DECISION_PAGE_SIZE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
