/**
 * Checking a request's chain: every entry's content against its hash, every
 * link against the entry before, the sequence without gaps, and the chain
 * against the last head written to the audit bucket (so cutting entries off
 * the end is found too). Used by the support CLI (`npm run support -- audit`).
 */
import { type AuditEntry, type ChainHead, contentHashOf, GENESIS_HASH, linkHashOf } from './entry';

/** How an entry broke the chain. */
export type BreakReason =
  /** Its content or hashes were rewritten. */
  | 'changed'
  /** One or more entries before it are missing. */
  | 'removed'
  /** It sits out of its place in the chain. */
  | 'reordered'
  /** Entries after the last written head are gone (the chain is shorter than the head says). */
  | 'truncated';

export type ChainVerdict =
  | { readonly intact: true; readonly length: number; readonly head?: ChainHead }
  | {
      readonly intact: false;
      readonly reason: BreakReason;
      /** Position (1-based) in the chain as read where the break was found. */
      readonly position: number;
      /** The first broken entry (absent when the chain was truncated: there is no entry to show). */
      readonly entry?: AuditEntry;
      /** The sequence the entry should have had. */
      readonly expectedSequence: number;
      readonly message: string;
    };

function broken(
  reason: BreakReason,
  position: number,
  expectedSequence: number,
  entry: AuditEntry | undefined,
  message: string,
): ChainVerdict {
  return { intact: false, reason, position, expectedSequence, ...(entry ? { entry } : {}), message };
}

/**
 * Verifies a chain in the order it was read (by sequence): intact, or the
 * first broken entry and why. An empty chain is intact (length 0).
 */
export function verifyChain(entries: readonly AuditEntry[]): ChainVerdict {
  const hashes = new Set(entries.map((e) => e.hash));
  let previous: AuditEntry | undefined;
  for (const [index, entry] of entries.entries()) {
    const position = index + 1;
    const expected = (previous?.sequence ?? 0) + 1;
    const at = `entry ${entry.sequence} (${entry.kind}, position ${position})`;
    if (
      contentHashOf(entry) !== entry.contentHash ||
      linkHashOf(entry.previousHash, entry.contentHash) !== entry.hash
    ) {
      return broken('changed', position, expected, entry, `${at}: its content does not match its hash`);
    }
    const expectedPrevious = previous?.hash ?? GENESIS_HASH;
    if (entry.sequence > expected && !hashes.has(entry.previousHash)) {
      return broken(
        'removed',
        position,
        expected,
        entry,
        `${at}: entries ${expected} to ${entry.sequence - 1} are missing before it`,
      );
    }
    if (entry.sequence !== expected) {
      return broken(
        'reordered',
        position,
        expected,
        entry,
        `${at}: it is out of order (entry ${expected} belongs here)`,
      );
    }
    if (entry.previousHash !== expectedPrevious) {
      // In its place, intact itself, yet not linked to the entry before: that one was rewritten (hashes and all).
      const rewritten = previous ?? entry;
      const where = previous ? position - 1 : position;
      return broken(
        'changed',
        where,
        rewritten.sequence,
        rewritten,
        `entry ${rewritten.sequence} (${rewritten.kind}, position ${where}): it was rewritten (the entry after it no longer links to it)`,
      );
    }
    previous = entry;
  }
  const last = entries.at(-1);
  return {
    intact: true,
    length: entries.length,
    ...(last ? { head: { requestId: last.requestId, sequence: last.sequence, hash: last.hash } } : {}),
  };
}

/**
 * Verifies a chain, then against the last head written for it: the chain must
 * still reach that head, with the same hash there. No head yet: the chain alone.
 */
export function verifyChainAgainstHead(
  entries: readonly AuditEntry[],
  head: ChainHead | undefined,
): ChainVerdict {
  const verdict = verifyChain(entries);
  if (!verdict.intact || !head) return verdict;
  const atHead = entries[head.sequence - 1];
  if (!atHead) {
    return broken(
      'truncated',
      entries.length + 1,
      entries.length + 1,
      undefined,
      `the chain ends at entry ${entries.length}, but its head written to the audit bucket is entry ${head.sequence}`,
    );
  }
  if (atHead.hash !== head.hash) {
    return broken(
      'changed',
      head.sequence,
      head.sequence,
      atHead,
      `entry ${head.sequence} differs from the head written to the audit bucket (the chain was rewritten from there or before)`,
    );
  }
  return verdict;
}
