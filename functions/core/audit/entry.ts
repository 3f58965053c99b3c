/**
 * The audit trail's entries: one per event of a request, chained by SHA-256
 * (each entry holds the hash of its content and the hash of the entry before
 * it). Details carry ids, counts, template ids and keyed hashes only, never
 * personal data: the schema refuses anything that is not a short token, a
 * number or a boolean, so an address or a free-text reason cannot slip in.
 */
import { createHash } from 'node:crypto';
import * as z from '../zod';

/** What happened. Support actions and extensions use the same port (other owners append them). */
export const AUDIT_EVENT_KINDS = [
  'received',
  'code_sent',
  'verified',
  'planned',
  'store_exported',
  'store_erased',
  'store_erasure_verified',
  'store_opted_out',
  'store_changed',
  'store_failed',
  'processor_called',
  'processor_acknowledged',
  'processor_escalated',
  'email_sent',
  'package_built',
  'certificate_issued',
  'suppression_recorded',
  'suppressed',
  'preferences_recorded',
  'change_confirmed',
  'support_action',
  'deadline_extended',
  'completed',
  'failed',
  'expired',
  'rejected',
  'cancelled',
] as const;
export const AuditEventKind = z.enum(AUDIT_EVENT_KINDS);
export type AuditEventKind = z.infer<typeof AuditEventKind>;

/**
 * A detail value: a number, a boolean, or a short token made of id-like
 * characters (ids, template ids, store ids, error class names, hex hashes).
 * No spaces, no `@`: an email address or a sentence is refused.
 */
const Token = z
  .string()
  .check(
    z.maxLength(128),
    z.regex(/^[A-Za-z0-9._:#/-]*$/, 'an audit detail must be an id, a count or a hash (no free text, no @)'),
  );
const DetailValue = z.union([Token, z.number(), z.boolean(), z.array(Token).check(z.maxLength(100))]);
export const AuditDetails = z.record(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9]{0,39}$/)), DetailValue);
export type AuditDetails = z.infer<typeof AuditDetails>;

/** An event to append: `eventId` makes the append idempotent (a retried task appends nothing new). */
export const AuditEvent = z.object({
  /** Unique within the request: the same id twice is the same event (e.g. `store:orders:exported`). */
  eventId: Token.check(z.minLength(1)),
  kind: AuditEventKind,
  /** ISO 8601 time of the event. */
  at: z.iso.datetime({ offset: true }),
  details: z._default(AuditDetails, {}),
});
export type AuditEvent = z.input<typeof AuditEvent>;

/** The hash the first entry of every chain points back to. */
export const GENESIS_HASH = '0'.repeat(64);

const Hex64 = z.string().check(z.regex(/^[0-9a-f]{64}$/));

/** One stored entry of a request's chain. */
export const AuditEntry = z.object({
  requestId: z.string().check(z.minLength(1), z.maxLength(64)),
  /** 1, 2, 3, … without gaps. */
  sequence: z.number().check(z.int(), z.positive()),
  eventId: Token.check(z.minLength(1)),
  kind: AuditEventKind,
  at: z.string().check(z.minLength(1)),
  details: AuditDetails,
  /** SHA-256 of the canonical content (everything above). */
  contentHash: Hex64,
  /** `hash` of the entry before, or {@link GENESIS_HASH} for the first. */
  previousHash: Hex64,
  /** SHA-256 of `previousHash` and `contentHash`: what the next entry and the daily head point to. */
  hash: Hex64,
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** The content a hash covers, in a canonical form (keys sorted at every level). */
export type AuditContent = Pick<AuditEntry, 'requestId' | 'sequence' | 'eventId' | 'kind' | 'at' | 'details'>;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** SHA-256 (hex) of an entry's content. */
export function contentHashOf(content: AuditContent): string {
  const { requestId, sequence, eventId, kind, at, details } = content;
  return sha256(canonical({ requestId, sequence, eventId, kind, at, details }));
}

/** SHA-256 (hex) linking an entry to the one before it. */
export function linkHashOf(previousHash: string, contentHash: string): string {
  return sha256(`${previousHash}\n${contentHash}`);
}

/**
 * The entry that follows `previous` (undefined: the first) for `event`.
 * @throws ZodError naming the detail that is not an id, count or hash.
 */
export function nextEntry(
  requestId: string,
  previous: AuditEntry | undefined,
  event: AuditEvent,
): AuditEntry {
  const parsed = z.parse(AuditEvent, event);
  const content: AuditContent = {
    requestId,
    sequence: (previous?.sequence ?? 0) + 1,
    eventId: parsed.eventId,
    kind: parsed.kind,
    at: parsed.at,
    details: parsed.details,
  };
  const contentHash = contentHashOf(content);
  const previousHash = previous?.hash ?? GENESIS_HASH;
  return { ...content, contentHash, previousHash, hash: linkHashOf(previousHash, contentHash) };
}

/** A chain's last entry as written to the audit bucket each day, so a truncated chain is found out. */
export const ChainHead = z.object({
  requestId: z.string().check(z.minLength(1)),
  sequence: z.number().check(z.int(), z.positive()),
  hash: Hex64,
});
export type ChainHead = z.infer<typeof ChainHead>;
