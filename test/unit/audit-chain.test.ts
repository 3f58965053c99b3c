import { Readable } from 'node:stream';
import {
  type AuditEntry,
  type AuditEvent,
  contentHashOf,
  GENESIS_HASH,
  linkHashOf,
  nextEntry,
} from '../../functions/core/audit/entry';
import { auditSupportAction } from '../../functions/core/audit/events';
import { headsKey, readChain, writeChainHeads } from '../../functions/core/audit/trail';
import { verifyChain, verifyChainAgainstHead } from '../../functions/core/audit/verify';
import type { AuditTrail, ObjectStore } from '../../functions/core/ports';

const REQUEST = 'req_0001';

function chainOf(events: readonly AuditEvent[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const event of events) entries.push(nextEntry(REQUEST, entries.at(-1), event));
  return entries;
}

const at = (minute: number) => `2026-12-05T10:${String(minute).padStart(2, '0')}:00.000Z`;
const accessChain = () =>
  chainOf([
    { eventId: 'received', kind: 'received', at: at(0), details: { type: 'access', jurisdiction: 'ID' } },
    { eventId: 'code-sent:abc', kind: 'code_sent', at: at(1), details: { template: 'verification' } },
    { eventId: 'verified', kind: 'verified', at: at(2), details: { method: 'code' } },
    {
      eventId: 'store:orders:exported',
      kind: 'store_exported',
      at: at(3),
      details: { storeId: 'orders', records: 4 },
    },
    { eventId: 'completed', kind: 'completed', at: at(4) },
  ]);

describe('audit chain entries', () => {
  it('links each entry to the one before by SHA-256, starting from the genesis hash', () => {
    // Prepare / Act
    const chain = accessChain();
    // Assess
    expect(chain.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(chain[0]?.previousHash).toBe(GENESIS_HASH);
    for (const [i, entry] of chain.entries()) {
      expect(entry.contentHash).toBe(contentHashOf(entry));
      expect(entry.hash).toBe(linkHashOf(entry.previousHash, entry.contentHash));
      if (i > 0) expect(entry.previousHash).toBe(chain[i - 1]?.hash);
    }
  });

  it('hashes content canonically: the order of detail keys does not change the hash', () => {
    const a = nextEntry(REQUEST, undefined, {
      eventId: 'x',
      kind: 'planned',
      at: at(0),
      details: { a: 1, b: 2 },
    });
    const b = nextEntry(REQUEST, undefined, {
      eventId: 'x',
      kind: 'planned',
      at: at(0),
      details: { b: 2, a: 1 },
    });
    expect(a.hash).toBe(b.hash);
  });

  it('refuses personal data in details: an email address or free text never enters the chain', () => {
    const base = { eventId: 'received', kind: 'received' as const, at: at(0) };
    expect(() => nextEntry(REQUEST, undefined, { ...base, details: { to: 'someone@example.com' } })).toThrow(
      /no free text, no @/,
    );
    expect(() =>
      nextEntry(REQUEST, undefined, { ...base, details: { reason: 'the person asked twice' } }),
    ).toThrow(/no free text/);
  });
});

describe('support actions in the chain', () => {
  it('records the action with hashes of its actor and reason, never their text, and once per action id', async () => {
    const appended: AuditEntry[] = [];
    const audit: AuditTrail = {
      append: async (requestId, event) => {
        const known = appended.find((e) => e.eventId === event.eventId);
        if (known) return known;
        const entry = nextEntry(requestId, appended.at(-1), event);
        appended.push(entry);
        return entry;
      },
      read: async () => appended,
    };
    const action = {
      actionId: 'a1',
      kind: 'support_action' as const,
      name: 'complete',
      actor: 'arn:aws:sts::1:assumed-role/Support/siti@impor.in',
      reason: 'Siti confirmed by phone',
    };
    await auditSupportAction(audit, REQUEST, action);
    await auditSupportAction(audit, REQUEST, action);
    expect(appended).toHaveLength(1);
    expect(appended[0]?.details).toMatchObject({
      action: 'complete',
      reasonSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.stringify(appended)).not.toMatch(/siti|Siti/);
  });
});

describe('verifyChain', () => {
  it('finds an intact chain intact, with its head', () => {
    const chain = accessChain();
    expect(verifyChain(chain)).toEqual({
      intact: true,
      length: 5,
      head: { requestId: REQUEST, sequence: 5, hash: chain[4]?.hash },
    });
  });

  it('finds a changed entry (a count rewritten) and names it as the first broken one', () => {
    const chain = accessChain();
    chain[3] = { ...(chain[3] as AuditEntry), details: { storeId: 'orders', records: 0 } };
    const verdict = verifyChain(chain);
    expect(verdict).toMatchObject({ intact: false, reason: 'changed', position: 4 });
    expect(!verdict.intact && verdict.entry?.eventId).toBe('store:orders:exported');
  });

  it('finds an entry rewritten with freshly computed hashes, through the broken link after it', () => {
    const chain = accessChain();
    const forged = { ...(chain[1] as AuditEntry), details: { template: 'other' } };
    const contentHash = contentHashOf(forged);
    chain[1] = { ...forged, contentHash, hash: linkHashOf(forged.previousHash, contentHash) };
    const verdict = verifyChain(chain);
    expect(verdict).toMatchObject({ intact: false, reason: 'changed', position: 2 });
    expect(!verdict.intact && verdict.entry?.kind).toBe('code_sent');
  });

  it('finds a removed entry in the middle, and a removed first entry', () => {
    const chain = accessChain();
    expect(verifyChain([...chain.slice(0, 2), ...chain.slice(3)])).toMatchObject({
      intact: false,
      reason: 'removed',
      position: 3,
      expectedSequence: 3,
    });
    expect(verifyChain(chain.slice(1))).toMatchObject({ intact: false, reason: 'removed', position: 1 });
  });

  it('finds reordered entries', () => {
    const chain = accessChain();
    const swapped = [chain[0], chain[2], chain[1], chain[3], chain[4]] as AuditEntry[];
    expect(verifyChain(swapped)).toMatchObject({ intact: false, reason: 'reordered', position: 2 });
  });

  it('finds a truncated chain only against the head written for it', () => {
    const chain = accessChain();
    const head = { requestId: REQUEST, sequence: 5, hash: chain[4]?.hash as string };
    const cut = chain.slice(0, 3);
    expect(verifyChain(cut).intact).toBe(true);
    expect(verifyChainAgainstHead(cut, head)).toMatchObject({ intact: false, reason: 'truncated' });
    expect(verifyChainAgainstHead(chain, head).intact).toBe(true);
    // A chain rebuilt from scratch with other content does not reach the written head's hash.
    const rebuilt = chainOf(
      chain.map((e) => ({ eventId: e.eventId, kind: e.kind, at: at(30), details: {} })),
    );
    expect(verifyChainAgainstHead(rebuilt, head)).toMatchObject({
      intact: false,
      reason: 'changed',
      position: 5,
    });
  });
});

/** An in-memory audit bucket: what `put` wrote, `open` gives back. */
function memoryObjects(): ObjectStore & { keys(): string[] } {
  const objects = new Map<string, string>();
  return {
    keys: () => [...objects.keys()],
    put: async (key, body) => {
      objects.set(key, typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    },
    upload: async () => {
      throw new Error('not used');
    },
    open: async (key) => {
      const body = objects.get(key);
      return body === undefined ? undefined : Readable.from([Buffer.from(body)]);
    },
  };
}

describe('daily chain heads', () => {
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

  it('carries earlier heads forward and moves the ones that grew, so readChain finds a cut chain', async () => {
    // Prepare: a chain of 5; day 1 sees 3 entries, day 2 all 5.
    const chain = accessChain();
    const objects = memoryObjects();
    const other = { requestId: 'req_0002', sequence: 1, hash: 'a'.repeat(64) };
    const day1 = [other, { requestId: REQUEST, sequence: 3, hash: chain[2]?.hash as string }];
    const day2 = [{ requestId: REQUEST, sequence: 5, hash: chain[4]?.hash as string }];
    const index = {
      headsTouchedOn: async (day: string) => (day === '2026-12-04' ? day1 : day === '2026-12-05' ? day2 : []),
    };
    // Act
    await writeChainHeads({ index, objects, clock: () => new Date('2026-12-04T23:00:00Z'), log });
    const second = await writeChainHeads({
      index,
      objects,
      clock: () => new Date('2026-12-05T23:00:00Z'),
      log,
    });
    // Assess
    expect(objects.keys().sort()).toEqual([headsKey('2026-12-04'), headsKey('2026-12-05')]);
    expect(second).toMatchObject({ chains: 2 });
    const audit: Pick<AuditTrail, 'read'> = { read: async () => chain.slice(0, 4) };
    const clock = () => new Date('2026-12-06T08:00:00Z');
    const report = await readChain({ audit, objects, clock }, REQUEST);
    expect(report.writtenHead).toMatchObject({ sequence: 5 });
    expect(report.verdict).toMatchObject({ intact: false, reason: 'truncated' });
    const whole = await readChain({ audit: { read: async () => chain }, objects, clock }, REQUEST);
    expect(whole.verdict.intact).toBe(true);
  });
});
