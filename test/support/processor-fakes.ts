/**
 * In-memory stand-ins for the processor (processor) unit tests: a ledger with the
 * processor-evidence semantics of `LedgerTable` (first ack wins, escalation loses
 * to an ack, late acks), a fake processor webhook, and the demo data map.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type DataMap, parseDataMap } from '../../functions/core/data-map';
import type { ProcessorAttempt } from '../../functions/core/ledger-record';
import {
  type LedgerRecord,
  type ProcessorAck,
  type ProcessorEscalation,
  type ProcessorEvidence,
  ProcessorNotNotifiedError,
  RequestNotFoundError,
  type StoreProgress,
} from '../../functions/core/ledger-record';
import type { RequestType } from '../../functions/core/request';

export const PROCESSOR_SECRET = Buffer.from('cd'.repeat(32), 'hex');

/** The demo data map (with its two processors), as the functions load it. */
export function demoDataMap(): DataMap {
  return parseDataMap(
    JSON.parse(readFileSync(path.join(__dirname, '../../config/impor-in.data-map.json'), 'utf8')),
  );
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A ledger in memory with `LedgerTable`'s processor-evidence semantics (see test/adapters/ledger-processor-evidence.test.ts). */
export class MemoryProcessorLedger {
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

  processor(requestId: string, processorId: string): ProcessorEvidence | undefined {
    return this.records.get(requestId)?.processors?.[processorId];
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

  private evidence(requestId: string, processorId: string): Mutable<ProcessorEvidence> {
    const found = this.records.get(requestId)?.processors?.[processorId];
    if (!found) throw new ProcessorNotNotifiedError(requestId, processorId);
    return found as Mutable<ProcessorEvidence>;
  }

  private put(requestId: string, evidence: ProcessorEvidence): void {
    const record = this.records.get(requestId);
    if (!record) throw new RequestNotFoundError(requestId);
    record.processors = { ...record.processors, [evidence.processorId]: evidence };
  }

  async beginProcessorNotice(requestId: string, evidence: ProcessorEvidence): Promise<ProcessorEvidence> {
    const current = this.records.get(requestId)?.processors?.[evidence.processorId];
    if (!current) {
      this.put(requestId, structuredClone(evidence));
      return structuredClone(evidence);
    }
    const next = { ...current, ...(evidence.taskToken ? { taskToken: evidence.taskToken } : {}) };
    this.put(requestId, next);
    return structuredClone(next);
  }

  async recordProcessorAttempt(
    requestId: string,
    processorId: string,
    attempt: ProcessorAttempt,
  ): Promise<void> {
    const current = this.evidence(requestId, processorId);
    current.attempts = [...current.attempts, attempt];
  }

  async markProcessorAwaiting(requestId: string, processorId: string): Promise<void> {
    const current = this.evidence(requestId, processorId);
    if (current.status === 'notifying') current.status = 'awaiting_ack';
  }

  async recordProcessorAck(
    requestId: string,
    processorId: string,
    ack: ProcessorAck,
  ): Promise<{ recorded: boolean; taskToken?: string; wasEscalated: boolean }> {
    const current = this.evidence(requestId, processorId);
    const wasEscalated = current.status === 'escalated' || current.escalation !== undefined;
    const token = current.taskToken ? { taskToken: current.taskToken } : {};
    if (current.ack) return { recorded: false, wasEscalated, ...token };
    current.ack = wasEscalated ? { ...ack, late: true } : ack;
    current.status = 'acknowledged';
    return { recorded: true, wasEscalated, ...token };
  }

  async recordProcessorEscalation(
    requestId: string,
    processorId: string,
    escalation: ProcessorEscalation,
  ): Promise<{ escalated: boolean }> {
    const current = this.evidence(requestId, processorId);
    if (current.ack && current.ack.status !== 'failed') return { escalated: false };
    current.escalation ??= escalation;
    current.status = 'escalated';
    return { escalated: true };
  }

  async markSupportNotified(requestId: string, processorId: string, now = new Date()): Promise<void> {
    const current = this.evidence(requestId, processorId);
    if (!current.escalation) throw new Error('no escalation to note');
    current.escalation = { ...current.escalation, supportNotifiedAt: now.toISOString() };
  }
}

export interface ProcessorCall {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * A processor webhook answering from a script: each entry is one answer (status
 * and JSON body), the last one repeats. `onCall` runs before answering (e.g. to
 * look at the ledger at the moment the processor is called).
 */
export function scriptedProcessor(
  answers: readonly { status: number; body?: unknown }[],
  onCall?: (call: ProcessorCall) => void | Promise<void>,
): { fetchImpl: typeof fetch; calls: ProcessorCall[] } {
  const calls: ProcessorCall[] = [];
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
