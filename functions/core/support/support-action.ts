/**
 * One support action, as the SupportAction function runs it for an SSM
 * Automation document in AWS and the local CLI and console page run it
 * against `npm start`: list, show, due, retry, complete, fail, extend, cancel, lift.
 * Views hold ids, statuses, dates and store outcomes, never contact data.
 */

import { dueStanding } from '../clocks';
import type { LedgerRecord } from '../ledger-record';
import { REQUEST_STATUSES } from '../lifecycle';
import type { SupportCallers } from '../ports';
import * as z from '../zod';
import { type DecidePorts, decide, requireRequest } from './decide';
import { type DuePorts, deadlineView, dueRequests } from './due';
import { type ExtendPorts, extendRequestDeadline } from './extend';
import { type LiftPorts, liftRestriction } from './lift';
import { SupportRefusal } from './refusal';

const RequestId = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9_-]{1,64}$/,
      'a request id is letters, digits, - and _ (like 20261205-access-abcde23456)',
    ),
  );
/** An SSM document's "no filter" values (its parameters need defaults): 0 hours, status `any`. */
const unset = (value: unknown) => (value === 0 || value === '' || value === 'any' ? undefined : value);
const Hours = z.pipe(z.transform(unset), z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(8760))));
const Reason = z._default(z.string().check(z.maxLength(500, 'the reason is longer than 500 characters')), '');
/** Who acts comes from {@link SupportCallers}: the SSM execution in AWS, `actor` locally. */
const Caller = {
  automationExecutionId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  actor: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
};

/** The action and its parameters, as the SSM documents and the CLI send them. */
export const SupportCommand = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('list'),
    status: z.pipe(z.transform(unset), z.optional(z.enum(REQUEST_STATUSES))),
    dueWithinHours: Hours,
  }),
  z.object({ action: z.literal('due'), dueWithinHours: Hours }),
  z.object({ action: z.literal('show'), requestId: RequestId }),
  z.object({
    action: z.enum(['retry', 'complete', 'fail', 'cancel']),
    requestId: RequestId,
    reason: Reason,
    ...Caller,
  }),
  z.object({ action: z.literal('extend'), requestId: RequestId, reason: Reason, ...Caller }),
  /** `requestId`: the completed restriction to lift. */
  z.object({ action: z.literal('lift'), requestId: RequestId, reason: Reason, ...Caller }),
]);
export type SupportCommand = z.infer<typeof SupportCommand>;
export type SupportActionName = SupportCommand['action'];

/** What the actions it dispatches to need (decide, extend, due), plus who is acting. */
export interface SupportActionPorts
  extends Omit<DecidePorts, 'workflow'>,
    Omit<ExtendPorts, 'ledger'>,
    Omit<LiftPorts, 'ledger' | 'workflow'> {
  readonly ledger: DecidePorts['ledger'] & ExtendPorts['ledger'] & DuePorts['ledger'] & LiftPorts['ledger'];
  readonly workflow: DecidePorts['workflow'] & LiftPorts['workflow'];
  readonly callers: SupportCallers;
}

/** One request as support lists it, with "due in N hours" or "overdue by N hours". */
export function requestSummary(r: LedgerRecord, now: Date) {
  return {
    requestId: r.requestId,
    type: r.type,
    status: r.status,
    jurisdiction: r.jurisdiction,
    receivedAt: r.receivedAt,
    dueAt: r.dueAt,
    standing: dueStanding(r.dueAt, now),
    stores: Object.entries(r.stores ?? {}).map(([storeId, s]) => ({
      storeId,
      status: s.status,
      ...(s.reason ? { reason: s.reason } : {}),
    })),
  };
}

/** Beyond every due date: `list` without a window shows all open requests. */
const OPEN_UNTIL = '9999-12-31T23:59:59.999Z';

/** Parses `input` (a refusal naming the first problem when invalid) and runs the action. */
export async function runSupportAction(ports: SupportActionPorts, input: unknown) {
  const parsed = SupportCommand.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SupportRefusal('invalid_input', `${issue?.path.join('.') || 'input'}: ${issue?.message}`);
  }
  const command = parsed.data;
  const now = ports.clock();
  switch (command.action) {
    case 'list': {
      const until = command.dueWithinHours
        ? new Date(now.getTime() + command.dueWithinHours * 3600_000).toISOString()
        : OPEN_UNTIL;
      const open = await ports.ledger.openByDue(until);
      return open
        .filter((r) => !command.status || r.status === command.status)
        .map((r) => requestSummary(r, now));
    }
    case 'due':
      return dueRequests(ports, now, command.dueWithinHours);
    case 'show': {
      const r = await requireRequest(ports.ledger, command.requestId);
      return { ...requestSummary(r, now), ...deadlineView(r, now), history: r.history };
    }
    case 'extend': {
      const actor = await ports.callers.actorOf(command);
      return extendRequestDeadline(ports, { ...command, actor }, now);
    }
    case 'lift': {
      const actor = await ports.callers.actorOf(command);
      return liftRestriction(ports, { ...command, actor });
    }
    default: {
      const actor = await ports.callers.actorOf(command);
      return decide(ports, { ...command, actor });
    }
  }
}
