/**
 * The law's clocks in the ledger: the sparse open-by-due index (`deadlineWatch`
 * = `open`, sorted by `dueAt`), what support was told about each request's
 * deadline, clocks met when a request finishes, and support's extension.
 */
import { DEADLINE_WATCH_OPEN, type DeadlineClock, type DeadlineNotice } from '../../core/clocks';
import type { LedgerRecord } from '../../core/ledger-record';
import { TERMINAL_STATUSES } from '../../core/lifecycle';
import type { DeadlineLedger } from '../../core/ports';
import type { LedgerItems } from './conditional-write';
import { BY_OPEN_DUE_INDEX } from './indexes';

/** How many open requests one read returns unless told otherwise. */
export const DEFAULT_OPEN_BY_DUE_LIMIT = 500;

export class DeadlineLedgerTable implements DeadlineLedger {
  constructor(private readonly items: LedgerItems) {}

  async openByDue(until: string, limit = DEFAULT_OPEN_BY_DUE_LIMIT): Promise<LedgerRecord[]> {
    const found: LedgerRecord[] = [];
    const items = this.items.query<LedgerRecord>({
      IndexName: BY_OPEN_DUE_INDEX,
      KeyConditionExpression: 'deadlineWatch = :open AND dueAt <= :until',
      ExpressionAttributeValues: { ':open': DEADLINE_WATCH_OPEN, ':until': until },
      ScanIndexForward: true,
      Limit: limit,
    });
    for await (const item of items) {
      found.push(item);
      if (found.length >= limit) break;
    }
    return found;
  }

  async claimDeadlineNotice(requestId: string, notice: DeadlineNotice): Promise<boolean> {
    const result = await this.items.write(requestId, {
      update: 'SET deadlineNotice = :notice',
      condition:
        'attribute_exists(requestId) AND (attribute_not_exists(deadlineNotice) OR deadlineNotice.#state <> :state)',
      names: { '#state': 'state' },
      values: { ':notice': notice, ':state': notice.state },
      ifConditionFails: () => undefined,
    });
    return result.applied;
  }

  async releaseDeadlineNotice(requestId: string, notice: DeadlineNotice): Promise<void> {
    await this.items.write(requestId, {
      update: 'REMOVE deadlineNotice',
      condition: 'deadlineNotice.#state = :state AND deadlineNotice.#at = :at',
      names: { '#state': 'state', '#at': 'at' },
      values: { ':state': notice.state, ':at': notice.at },
      ifConditionFails: () => undefined,
    });
  }

  async closeClocks(requestId: string, at: Date): Promise<void> {
    const record = await this.items.get(requestId);
    if (!record || !TERMINAL_STATUSES.has(record.status)) return;
    // Entries written before clocks existed have nothing to close.
    if (!record.clocks && !record.deadlineWatch) return;
    const names: Record<string, string> = {};
    const sets: string[] = [];
    for (const [i, name] of Object.keys(record.clocks ?? {}).entries()) {
      names[`#clock${i}`] = name;
      sets.push(`clocks.#clock${i}.metAt = if_not_exists(clocks.#clock${i}.metAt, :at)`);
    }
    await this.items.write(requestId, {
      update: `REMOVE deadlineWatch${sets.length > 0 ? ` SET ${sets.join(', ')}` : ''}`,
      condition: 'attribute_exists(requestId)',
      names,
      values: sets.length > 0 ? { ':at': at.toISOString() } : undefined,
      ifConditionFails: () => undefined,
    });
  }

  async extendRespondClock(requestId: string, respond: DeadlineClock, now: Date): Promise<boolean> {
    const finished = Object.fromEntries([...TERMINAL_STATUSES].map((s, i) => [`:done${i}`, s]));
    const result = await this.items.write(requestId, {
      update: 'SET clocks.respond = :respond, dueAt = :due, updatedAt = :at',
      condition: `attribute_exists(clocks.respond) AND attribute_not_exists(clocks.respond.extensions) AND NOT (#status IN (${Object.keys(finished).join(', ')}))`,
      names: { '#status': 'status' },
      values: { ':respond': respond, ':due': respond.dueAt, ':at': now.toISOString(), ...finished },
      ifConditionFails: () => undefined,
    });
    return result.applied;
  }

  async restartRespondClock(
    requestId: string,
    respond: DeadlineClock,
    receivedAt: string,
    now: Date,
  ): Promise<boolean> {
    const finished = Object.fromEntries([...TERMINAL_STATUSES].map((s, i) => [`:done${i}`, s]));
    const result = await this.items.write(requestId, {
      update: 'SET clocks.respond = :respond, dueAt = :due, updatedAt = :at',
      condition: `clocks.respond.startedAt = :received AND attribute_not_exists(clocks.respond.extensions) AND NOT (#status IN (${Object.keys(finished).join(', ')}))`,
      names: { '#status': 'status' },
      values: {
        ':respond': respond,
        ':due': respond.dueAt,
        ':received': receivedAt,
        ':at': now.toISOString(),
        ...finished,
      },
      ifConditionFails: () => undefined,
    });
    return result.applied;
  }
}
