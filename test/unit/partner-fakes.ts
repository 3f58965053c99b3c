/**
 * In-memory stand-ins for the processor (partner) unit tests: a ledger with the
 * partner-evidence semantics of `LedgerTable` (first ack wins, escalation loses
 * to an ack, late acks), a fake partner webhook, and the demo data map.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PartnerNotNotifiedError } from '../../functions/aws/ledger';
import { type DataMap, parseDataMap } from '../../functions/core/data-map';
import {
  type LedgerRecord,
  type PartnerAck,
  type PartnerEscalation,
  type PartnerEvidence,
  RequestNotFoundError,
  type StoreProgress,
} from '../../functions/core/ledger-record';
import type { RequestType } from '../../functions/core/request';
import type { PartnerAttempt } from '../../functions/processors/client';

export const PARTNER_SECRET = Buffer.from('cd'.repeat(32), 'hex');

/** The demo data map (with its two processors), as the functions load it. */
export function demoDataMap(): DataMap {
  return parseDataMap(
    JSON.parse(readFileSync(path.join(__dirname, '../../config/impor-in.data-map.json'), 'utf8')),
  );
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A ledger in memory with `LedgerTable`'s partner-evidence semantics (see test/local/ledger-partners.test.ts). */
export class MemoryPartnerLedger {
  readonly records = new Map<string, Mutable<LedgerRecord>>();

  /** An in-progress request with resolved identities and a plan, as PlanStores leaves it. */
  plant(requestId: string, type: RequestType, identities: LedgerRecord['identities']): void {
    this.records.set(requestId, {
      requestId,
      type,
      status: 'in_progress',
      jurisdiction: 'ID',
      locale: 'en',
      receivedAt: '2026-01-01T00:00:00.000Z',
      dueAt: '2026-01-04T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      subjectHash: 'subject-hash',
      contact: { email: 'someone@example.com' },
      statusTokenHash: 'token-hash',
      ...(identities ? { identities } : {}),
      stores: {},
      history: [],
    });
  }

  /** A deep copy, so tests can compare before and after. */
  snapshot(requestId: string): string {
    return JSON.stringify(this.records.get(requestId));
  }

  partner(requestId: string, partnerId: string): PartnerEvidence | undefined {
    return this.records.get(requestId)?.partners?.[partnerId];
  }

  async get(requestId: string): Promise<LedgerRecord | undefined> {
    const record = this.records.get(requestId);
    return record ? structuredClone(record) : undefined;
  }

  async require(requestId: string): Promise<LedgerRecord> {
    const record = await this.get(requestId);
    if (!record) throw new RequestNotFoundError(requestId);
    return record;
  }

  async setStoreProgress(requestId: string, storeId: string, progress: StoreProgress): Promise<void> {
    const record = this.records.get(requestId);
    if (!record?.stores) throw new RequestNotFoundError(requestId);
    record.stores = { ...record.stores, [storeId]: progress };
  }

  private evidence(requestId: string, partnerId: string): Mutable<PartnerEvidence> {
    const found = this.records.get(requestId)?.partners?.[partnerId];
    if (!found) throw new PartnerNotNotifiedError(requestId, partnerId);
    return found as Mutable<PartnerEvidence>;
  }

  private put(requestId: string, evidence: PartnerEvidence): void {
    const record = this.records.get(requestId);
    if (!record) throw new RequestNotFoundError(requestId);
    record.partners = { ...record.partners, [evidence.partnerId]: evidence };
  }

  async beginPartnerNotice(requestId: string, evidence: PartnerEvidence): Promise<PartnerEvidence> {
    const current = this.records.get(requestId)?.partners?.[evidence.partnerId];
    if (!current) {
      this.put(requestId, structuredClone(evidence));
      return structuredClone(evidence);
    }
    const next = { ...current, ...(evidence.taskToken ? { taskToken: evidence.taskToken } : {}) };
    this.put(requestId, next);
    return structuredClone(next);
  }

  async recordPartnerAttempt(requestId: string, partnerId: string, attempt: PartnerAttempt): Promise<void> {
    const current = this.evidence(requestId, partnerId);
    current.attempts = [...current.attempts, attempt];
  }

  async markPartnerAwaiting(requestId: string, partnerId: string): Promise<void> {
    const current = this.evidence(requestId, partnerId);
    if (current.status === 'notifying') current.status = 'awaiting_ack';
  }

  async recordPartnerAck(
    requestId: string,
    partnerId: string,
    ack: PartnerAck,
  ): Promise<{ recorded: boolean; taskToken?: string; wasEscalated: boolean }> {
    const current = this.evidence(requestId, partnerId);
    const wasEscalated = current.status === 'escalated' || current.escalation !== undefined;
    const token = current.taskToken ? { taskToken: current.taskToken } : {};
    if (current.ack) return { recorded: false, wasEscalated, ...token };
    current.ack = wasEscalated ? { ...ack, late: true } : ack;
    current.status = 'acknowledged';
    return { recorded: true, wasEscalated, ...token };
  }

  async recordPartnerEscalation(
    requestId: string,
    partnerId: string,
    escalation: PartnerEscalation,
  ): Promise<{ escalated: boolean }> {
    const current = this.evidence(requestId, partnerId);
    if (current.ack && current.ack.status !== 'failed') return { escalated: false };
    current.escalation ??= escalation;
    current.status = 'escalated';
    return { escalated: true };
  }

  async markSupportNotified(requestId: string, partnerId: string, now = new Date()): Promise<void> {
    const current = this.evidence(requestId, partnerId);
    if (!current.escalation) throw new Error('no escalation to note');
    current.escalation = { ...current.escalation, supportNotifiedAt: now.toISOString() };
  }
}

export interface PartnerCall {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * A partner webhook answering from a script: each entry is one answer (status
 * and JSON body), the last one repeats. `onCall` runs before answering (e.g. to
 * look at the ledger at the moment the partner is called).
 */
export function scriptedPartner(
  answers: readonly { status: number; body?: unknown }[],
  onCall?: (call: PartnerCall) => void | Promise<void>,
): { fetchImpl: typeof fetch; calls: PartnerCall[] } {
  const calls: PartnerCall[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const call = {
      url: String(input),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: String(init?.body ?? ''),
    };
    calls.push(call);
    await onCall?.(call);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)] ?? { status: 500 };
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  return { fetchImpl, calls };
}
