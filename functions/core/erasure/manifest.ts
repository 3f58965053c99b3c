/**
 * The erasure manifest of one store: every decision as a JSON Lines object in
 * the exports bucket. A manifest that fits in memory goes up in one PutObject
 * with the store's summary as its first line, so the object alone marks the
 * inventory complete; a larger one is streamed up and its summary follows as
 * a separate object, the completeness marker. Retries read these instead of
 * deciding again, so they apply the same decisions and report the same counts.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
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

/** Bytes of a manifest read to find its summary line: one ranged read for a summary with ~900 identifier hashes. */
const SUMMARY_LINE_BYTES = 64 * 1024;

/**
 * The store's summary (of the request, or of one retention sweep `run`), or
 * undefined while its inventory has not completed: the first line of its
 * manifest (one ranged read), or for a streamed manifest the summary object
 * written after it.
 */
export async function readSummary(
  exports: ObjectStore,
  requestId: string,
  storeId: string,
  run?: string,
): Promise<ErasureSummary | undefined> {
  const line = await firstLine(exports, erasureDecisionsKey(requestId, storeId, run));
  // No manifest: whatever summary an attempt left has no complete inventory behind it.
  if (line === undefined) return undefined;
  const head = parseJson(line);
  if (isSummaryLine(head)) return parsedSummary(head, storeId);
  const bytes = await readSmall(exports, erasureSummaryKey(requestId, storeId, run));
  return bytes ? parsedSummary(parseJson(bytes.toString('utf8')), storeId) : undefined;
}

function parsedSummary(value: unknown, storeId: string): ErasureSummary {
  const parsed = ErasureSummary.safeParse(value);
  if (!parsed.success) throw new ErasureManifestError(`erasure summary of store ${storeId} is malformed`);
  return parsed.data;
}

/** A manifest's first line is its summary when it has one: decisions never carry `version`. */
function isSummaryLine(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'version' in value;
}

/** The object's first line (all of it, if it has no newline), or undefined when there is no such object. */
async function firstLine(exports: ObjectStore, key: string): Promise<string | undefined> {
  const start = await exports.open(key, { firstBytes: SUMMARY_LINE_BYTES });
  if (!start) return undefined;
  const head = await untilNewline(start);
  if (head.newline || head.bytes.length < SUMMARY_LINE_BYTES) return head.bytes.toString('utf8');
  // A summary longer than the ranged read: read on, up to its newline only.
  const whole = await exports.open(key);
  return whole && (await untilNewline(whole)).bytes.toString('utf8');
}

/** The bytes before the stream's first newline (`newline`), or all of them; stops reading there. */
async function untilNewline(body: Readable): Promise<{ bytes: Buffer; newline: boolean }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      const end = bytes.indexOf(0x0a);
      if (end >= 0) {
        chunks.push(bytes.subarray(0, end));
        return { bytes: Buffer.concat(chunks), newline: true };
      }
      chunks.push(bytes);
    }
    return { bytes: Buffer.concat(chunks), newline: false };
  } finally {
    body.destroy();
  }
}

/**
 * The one object of a manifest that fits in memory: the summary's line, then
 * the decision lines `body` (see `inventoryOf`).
 */
export function summarisedManifest(summary: ErasureSummary, body: string): Buffer {
  return Buffer.from(`${JSON.stringify(summary)}\n${body}`, 'utf8');
}

/** Writes the summary of a streamed manifest, after it (see `inventoryOf`). */
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
    const value = parseJson(text);
    if (number === 1 && isSummaryLine(value)) continue;
    const parsed = DecisionLine.safeParse(value);
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
