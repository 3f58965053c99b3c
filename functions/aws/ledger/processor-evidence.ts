/**
 * What each processor was told about a request and what it answered, kept in
 * the ledger entry's `processors` map (no personal data: it outlives
 * minimisation). Every change is one conditional write on `processors.<id>`.
 */
import {
  type LedgerRecord,
  type ProcessorAck,
  type ProcessorAckResult,
  type ProcessorAttempt,
  type ProcessorEscalation,
  type ProcessorEvidence,
  ProcessorNotNotifiedError,
  RequestNotFoundError,
} from '../../core/ledger-record';
import type { ProcessorEvidenceLedger } from '../../core/ports';
import type { ConditionalWrite, LedgerItems } from './conditional-write';

// Optimistic writes retry this often when a concurrent writer changed the processor's evidence in between.
const PROCESSOR_WRITE_ATTEMPTS = 5;

export class ProcessorEvidenceTable implements ProcessorEvidenceLedger {
  constructor(private readonly items: LedgerItems) {}

  /**
   * Starts (or, on a retry, resumes) the evidence of notifying one processor.
   * Stores the task token BEFORE anything is sent, so a processor calling back at
   * once finds it. A retry keeps the original deadline, notice time, attempts
   * and any acknowledgement, and only replaces the task token. Returns the
   * evidence in effect.
   */
  async beginProcessorNotice(
    requestId: string,
    evidence: ProcessorEvidence,
    now = new Date(),
  ): Promise<ProcessorEvidence> {
    await this.ensureProcessorsMap(requestId, now);
    const processorId = evidence.processorId;
    const first = await this.updateProcessor(requestId, processorId, {
      update: 'SET processors.#p = :e, updatedAt = :at',
      condition: 'attribute_not_exists(processors.#p)',
      values: { ':e': evidence, ':at': now.toISOString() },
      ifConditionFails: () => {},
    });
    if (first.applied) return evidence;
    const sets = ['updatedAt = :at'];
    const values: Record<string, unknown> = { ':at': now.toISOString() };
    if (evidence.taskToken) {
      sets.push('processors.#p.taskToken = :t');
      values[':t'] = evidence.taskToken;
    }
    const out = await this.updateProcessor(requestId, processorId, {
      update: `SET ${sets.join(', ')}`,
      condition: 'attribute_exists(processors.#p)',
      values,
      returnValues: 'ALL_NEW',
    });
    const current = out.applied ? out.attributes?.processors?.[processorId] : undefined;
    if (!current) throw new ProcessorNotNotifiedError(requestId, processorId);
    return current;
  }

  /** Appends one delivery attempt to a processor's evidence. */
  async recordProcessorAttempt(
    requestId: string,
    processorId: string,
    attempt: ProcessorAttempt,
    now = new Date(),
  ): Promise<void> {
    await this.updateProcessor(requestId, processorId, {
      update:
        'SET processors.#p.attempts = list_append(if_not_exists(processors.#p.attempts, :empty), :a), updatedAt = :at',
      condition: 'attribute_exists(processors.#p)',
      values: { ':a': [attempt], ':empty': [], ':at': now.toISOString() },
      ifConditionFails: () => {
        throw new ProcessorNotNotifiedError(requestId, processorId);
      },
    });
  }

  /**
   * The processor accepted the request and will call back: `notifying → awaiting_ack`.
   * A callback that already landed (acknowledged) or an escalation is left as it is.
   */
  async markProcessorAwaiting(requestId: string, processorId: string, now = new Date()): Promise<void> {
    await this.updateProcessor(requestId, processorId, {
      update: 'SET processors.#p.#ps = :awaiting, updatedAt = :at',
      condition: 'processors.#p.#ps = :notifying',
      names: { '#ps': 'status' },
      values: { ':awaiting': 'awaiting_ack', ':notifying': 'notifying', ':at': now.toISOString() },
      ifConditionFails: () => this.requireEvidence(requestId, processorId),
    });
  }

  /**
   * Records a processor's acknowledgement; the first one wins (a conditional
   * write), later ones are duplicates. One that arrives after the processor was
   * escalated is recorded with `late: true`, the escalation stays. Returns the
   * waiting task's token so the caller can resume the workflow.
   *
   * @throws ProcessorNotNotifiedError when the processor was never notified of the request.
   */
  async recordProcessorAck(
    requestId: string,
    processorId: string,
    ack: ProcessorAck,
    now = new Date(),
  ): Promise<ProcessorAckResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.requireEvidence(requestId, processorId);
      const wasEscalated = current.status === 'escalated' || current.escalation !== undefined;
      const tokenOf = (e: ProcessorEvidence) => (e.taskToken ? { taskToken: e.taskToken } : {});
      if (current.ack) return { recorded: false, wasEscalated, ...tokenOf(current) };
      const stored: ProcessorAck = wasEscalated ? { ...ack, late: true } : ack;
      // Conditional on the status just read, so `late` is right even if an escalation lands in between.
      const out = await this.updateProcessor(requestId, processorId, {
        update: 'SET processors.#p.ack = :ack, processors.#p.#ps = :acknowledged, updatedAt = :at',
        condition: 'attribute_not_exists(processors.#p.ack) AND processors.#p.#ps = :seen',
        names: { '#ps': 'status' },
        values: {
          ':ack': stored,
          ':acknowledged': 'acknowledged',
          ':seen': current.status,
          ':at': now.toISOString(),
        },
        ifConditionFails: (error) => {
          if (attempt >= PROCESSOR_WRITE_ATTEMPTS) throw error;
        },
      });
      if (out.applied) return { recorded: true, wasEscalated, ...tokenOf(current) };
    }
  }

  /**
   * Records that support was told about a processor. Loses to an
   * acknowledgement that already landed (`escalated: false`), unless that
   * acknowledgement says the processor failed; a repeated escalation keeps the
   * first one's time and reason.
   *
   * @throws ProcessorNotNotifiedError when the processor was never notified of the request.
   */
  async recordProcessorEscalation(
    requestId: string,
    processorId: string,
    escalation: ProcessorEscalation,
    now = new Date(),
  ): Promise<{ escalated: boolean }> {
    const out = await this.updateProcessor(requestId, processorId, {
      update:
        'SET processors.#p.escalation = if_not_exists(processors.#p.escalation, :esc), processors.#p.#ps = :escalated, updatedAt = :at',
      condition:
        'attribute_exists(processors.#p) AND (attribute_not_exists(processors.#p.ack) OR processors.#p.ack.#ps = :failed)',
      names: { '#ps': 'status' },
      values: {
        ':esc': escalation,
        ':escalated': 'escalated',
        ':failed': 'failed',
        ':at': now.toISOString(),
      },
      ifConditionFails: () => this.requireEvidence(requestId, processorId),
    });
    return { escalated: out.applied };
  }

  /** Notes that support was emailed about this processor's escalation, so a retried task does not email again. */
  async markSupportNotified(requestId: string, processorId: string, now = new Date()): Promise<void> {
    await this.updateProcessor(requestId, processorId, {
      update: 'SET processors.#p.escalation.supportNotifiedAt = :at, updatedAt = :at',
      condition: 'attribute_exists(processors.#p.escalation)',
      values: { ':at': now.toISOString() },
    });
  }

  /** The processor's evidence on the request, or `ProcessorNotNotified`. */
  private async requireEvidence(requestId: string, processorId: string): Promise<ProcessorEvidence> {
    const current = (await this.items.get(requestId))?.processors?.[processorId];
    if (!current) throw new ProcessorNotNotifiedError(requestId, processorId);
    return current;
  }

  /** Creates the empty `processors` map once, so per-processor paths can be written. */
  private async ensureProcessorsMap(requestId: string, now: Date): Promise<void> {
    await this.items.write(requestId, {
      update: 'SET processors = if_not_exists(processors, :empty), updatedAt = :at',
      condition: 'attribute_exists(requestId)',
      values: { ':empty': {}, ':at': now.toISOString() },
      ifConditionFails: () => {
        throw new RequestNotFoundError(requestId);
      },
    });
  }

  /** A conditional write on one processor's evidence (`#p`). */
  private updateProcessor(requestId: string, processorId: string, write: ConditionalWrite) {
    return this.items.write<LedgerRecord>(requestId, {
      ...write,
      names: { '#p': processorId, ...write.names },
    });
  }
}
