/**
 * Nothing waits past the deadline: how long a request that needs attention
 * waits for support (until its due time minus the margin), and what happens
 * when that wait ends without a decision. Then the request completes with
 * exceptions on its own, so the person gets everything that could be done
 * within the law's time and is told, in both languages, what could not.
 */
import { boundedWaitSeconds, DEFAULT_DEADLINE_MARGIN_SECONDS } from '../clocks';
import type { DecidePorts, DecisionAction } from './decide';
import { decide, requireRequest } from './decide';
import type { PersonReason } from './person-mails';

/** Support's wait is at most a week (the deadline usually ends it first). */
export const DECISION_WAIT_SECONDS = 7 * 24 * 3600;
/** Past the deadline (it was already missed), support still gets an hour to decide. */
export const DECISION_FLOOR_SECONDS = 3600;
/** The actor recorded when the deadline, not a person, decided. */
export const DEADLINE_ACTOR = 'deadline';

const DEADLINE_REASON: PersonReason = {
  en: 'the legal deadline for answering your request arrived before this part could be done, so we are answering now with everything else',
  id: 'batas waktu hukum untuk menjawab permintaan Anda tiba sebelum bagian ini dapat diselesaikan, jadi kami menjawab sekarang dengan semua bagian lainnya',
};

/** How long RequestSupportDecision may wait from `now`: until the due time minus the margin. */
export function decisionWaitSeconds(dueAt: string, now: Date, marginSeconds?: number): number {
  return boundedWaitSeconds({
    wanted: DECISION_WAIT_SECONDS,
    dueAt,
    now,
    marginSeconds: marginSeconds ?? DEFAULT_DEADLINE_MARGIN_SECONDS,
    floorSeconds: DECISION_FLOOR_SECONDS,
  });
}

export interface DeadlineDecision {
  /** `wait`: the deadline was extended while support's wait ran; wait again for `decisionSeconds`. */
  readonly action: DecisionAction | 'wait';
  readonly decisionSeconds: number;
}

export interface DeadlineDecisionPorts extends Omit<DecidePorts, 'workflow'> {
  readonly deadlineMarginSeconds?: number;
}

/** DecideAtDeadline: support's wait ended; follow their decision if one came, wait longer if extended, else complete. */
export async function decideAtDeadline(
  ports: DeadlineDecisionPorts,
  requestId: string,
): Promise<DeadlineDecision> {
  const record = await requireRequest(ports.ledger, requestId);
  const recorded = record.attention?.decision;
  // Support decided as the wait ended (its resume found the task gone): follow that decision.
  if (record.status !== 'needs_attention' && recorded) return { action: recorded.action, decisionSeconds: 0 };
  const now = ports.clock();
  const wait = decisionWaitSeconds(record.dueAt, now, ports.deadlineMarginSeconds);
  const bound =
    new Date(record.dueAt).getTime() -
    (ports.deadlineMarginSeconds ?? DEFAULT_DEADLINE_MARGIN_SECONDS) * 1000;
  if (bound - now.getTime() > 60_000) return { action: 'wait', decisionSeconds: wait };
  // The wait is over: there is no task to resume, the workflow goes on from this task's answer.
  await decide(
    { ...ports, workflow: { succeed: async () => {} } },
    {
      requestId,
      action: 'complete',
      reason: 'deadline reached without a support decision',
      actor: DEADLINE_ACTOR,
      personReason: DEADLINE_REASON,
    },
  );
  return { action: 'complete', decisionSeconds: 0 };
}
