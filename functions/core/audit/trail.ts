/**
 * The audit trail's use cases: recording an event from another use case,
 * reading and verifying a request's chain (support), writing the daily chain
 * heads to the audit bucket (the job), and the person's own history for the
 * access package's processing record.
 */
import { createHash } from 'node:crypto';
import type { AuditChainIndex, AuditTrail, Clock, Log, ObjectStore } from '../ports';
import * as z from '../zod';
import { type AuditDetails, type AuditEntry, type AuditEventKind, ChainHead } from './entry';
import { type ChainVerdict, verifyChainAgainstHead } from './verify';

/** An id derived from a value that must not appear itself (a task token): 16 hex chars of its SHA-256. */
export function eventIdPart(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 16);
}

/**
 * Appends one event to the request's chain when the use case has an audit
 * trail (every deployed function that records events gets one from the
 * composition root; unit tests of other concerns may leave it out).
 */
export async function recordAudit(
  audit: AuditTrail | undefined,
  requestId: string,
  event: {
    readonly eventId: string;
    readonly kind: AuditEventKind;
    readonly at?: Date;
    readonly details?: AuditDetails;
  },
): Promise<void> {
  if (!audit) return;
  await audit.append(requestId, {
    eventId: event.eventId,
    kind: event.kind,
    at: (event.at ?? new Date()).toISOString(),
    details: event.details ?? {},
  });
}

// ——— Daily chain heads in the audit bucket ———

/** `audit-heads/<day>.json`: every chain's head as of that day (write-once in the Object Lock bucket). */
export const AUDIT_HEADS_PREFIX = 'audit-heads/';
export const headsKey = (day: string) => `${AUDIT_HEADS_PREFIX}${z.parse(z.iso.date(), day)}.json`;

const HeadsSnapshot = z.object({
  day: z.iso.date(),
  writtenAt: z.string(),
  heads: z.array(ChainHead),
});
export type HeadsSnapshot = z.infer<typeof HeadsSnapshot>;

/** How far back the newest snapshot is looked for (the job runs daily; this covers weeks of missed runs). */
export const HEADS_LOOKBACK_DAYS = 45;

const dayOf = (date: Date) => date.toISOString().slice(0, 10);
const daysBefore = (date: Date, days: number) => new Date(date.getTime() - days * 86_400_000);

/** The newest heads snapshot on or before `today`, within {@link HEADS_LOOKBACK_DAYS}. */
export async function latestHeads(objects: ObjectStore, today: Date): Promise<HeadsSnapshot | undefined> {
  for (let back = 0; back <= HEADS_LOOKBACK_DAYS; back++) {
    const stream = await objects.open(headsKey(dayOf(daysBefore(today, back))));
    if (!stream) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return z.parse(HeadsSnapshot, JSON.parse(Buffer.concat(chunks).toString('utf8')));
  }
  return undefined;
}

export interface ChainHeadsPorts {
  readonly index: AuditChainIndex;
  readonly objects: ObjectStore;
  readonly clock: Clock;
  readonly log: Log;
}

/**
 * The daily job: the newest snapshot, moved on by every chain that got
 * entries since (the days from that snapshot's day to today), written as
 * today's snapshot. A chain cut short after its head was written no longer
 * reaches that head, which {@link readChain} reports as `truncated`.
 */
export async function writeChainHeads(
  ports: ChainHeadsPorts,
): Promise<{ key: string; chains: number; moved: number }> {
  const now = ports.clock();
  const today = dayOf(now);
  const previous = await latestHeads(ports.objects, daysBefore(now, 1));
  const heads = new Map((previous?.heads ?? []).map((h) => [h.requestId, h]));
  const from = previous ? new Date(`${previous.day}T00:00:00Z`) : daysBefore(now, 1);
  let moved = 0;
  for (let day = from; dayOf(day) <= today; day = daysBefore(day, -1)) {
    for (const head of await ports.index.headsTouchedOn(dayOf(day))) {
      const known = heads.get(head.requestId);
      if (!known || known.sequence < head.sequence) {
        heads.set(head.requestId, head);
        moved++;
      }
    }
  }
  const snapshot: HeadsSnapshot = {
    day: today,
    writtenAt: now.toISOString(),
    heads: [...heads.values()].sort((a, b) => (a.requestId < b.requestId ? -1 : 1)),
  };
  const key = headsKey(today);
  await ports.objects.put(key, `${JSON.stringify(snapshot)}\n`, {
    contentType: 'application/json',
    checksum: true,
  });
  ports.log.info('audit chain heads written', { key, chains: snapshot.heads.length, moved });
  return { key, chains: snapshot.heads.length, moved };
}

// ——— Reading a chain (support) ———

export interface ReadChainPorts {
  readonly audit: Pick<AuditTrail, 'read'>;
  /** The audit bucket; absent = the chain is verified on its own, without its last written head. */
  readonly objects?: ObjectStore;
  readonly clock?: Clock;
}

export interface ChainReport {
  readonly requestId: string;
  readonly entries: readonly AuditEntry[];
  /** The head last written to the audit bucket for this chain, if any. */
  readonly writtenHead?: ChainHead;
  readonly verdict: ChainVerdict;
}

/** A request's chain, verified entry by entry and against its last written head (`npm run support -- audit`). */
export async function readChain(ports: ReadChainPorts, requestId: string): Promise<ChainReport> {
  const entries = await ports.audit.read(requestId);
  const snapshot = ports.objects
    ? await latestHeads(ports.objects, ports.clock?.() ?? new Date())
    : undefined;
  const writtenHead = snapshot?.heads.find((h) => h.requestId === requestId);
  return {
    requestId,
    entries,
    ...(writtenHead ? { writtenHead } : {}),
    verdict: verifyChainAgainstHead(entries, writtenHead),
  };
}

// ——— The person's own history (access package) ———

/** One line of the person's history as they see it in processing-record.json. */
export interface HistoryLine {
  /** Which of the person's requests, and its type. */
  readonly requestId: string;
  readonly type: string;
  readonly sequence: number;
  readonly kind: AuditEventKind;
  readonly at: string;
  readonly details: AuditDetails;
  readonly hash: string;
}

/** How many of the person's requests the access package's history covers (the newest). */
export const HISTORY_REQUESTS = 20;

/**
 * The person's history for the access package: every event of the audit
 * chains of their requests (this one and up to {@link HISTORY_REQUESTS} in all,
 * newest first, of every type), oldest event first. Ids and counts only, as stored.
 */
export async function personHistory(
  audit: Pick<AuditTrail, 'read'>,
  requests: readonly { readonly requestId: string; readonly type: string }[],
): Promise<HistoryLine[]> {
  const lines: HistoryLine[] = [];
  for (const { requestId, type } of requests.slice(0, HISTORY_REQUESTS)) {
    const entries = await audit.read(requestId);
    for (const { sequence, kind, at, details, hash } of entries)
      lines.push({ requestId, type, sequence, kind, at, details, hash });
  }
  return lines.sort((a, b) => a.at.localeCompare(b.at) || a.sequence - b.sequence);
}
