/**
 * GetExecutionHistory's events as AWS shapes them, mapped from the events the
 * interpreter (aws-local-stepfunctions) reports, and the page-by-token walk the
 * List/Get operations share.
 */
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import { type ExecutionRecord, type Log, StepFunctionsError } from './workflow-runner';

/** A history event on the wire: the SDK's shape with the timestamp in epoch seconds. */
export type WireHistoryEvent = Omit<HistoryEvent, 'timestamp'> & { timestamp: number };

type StateType = Extract<Log, { type: 'StateEntered' }>['state']['type'];

const ENTERED: Record<StateType, HistoryEventType> = {
  Task: 'TaskStateEntered',
  Parallel: 'ParallelStateEntered',
  Map: 'MapStateEntered',
  Pass: 'PassStateEntered',
  Wait: 'WaitStateEntered',
  Choice: 'ChoiceStateEntered',
  Succeed: 'SucceedStateEntered',
  Fail: 'FailStateEntered',
};

// A Fail state ends the execution and is never exited.
const EXITED: Partial<Record<StateType, HistoryEventType>> = {
  Task: 'TaskStateExited',
  Parallel: 'ParallelStateExited',
  Map: 'MapStateExited',
  Pass: 'PassStateExited',
  Wait: 'WaitStateExited',
  Choice: 'ChoiceStateExited',
  Succeed: 'SucceedStateExited',
};

export interface HistoryOptions {
  /** The execution role the started event names. */
  readonly roleArn: string;
  /** Task state name → its Resource ARN, for the task events' resourceType and resource. */
  readonly resources: ReadonlyMap<string, string>;
  /** False: events carry no input or output, as AWS with `includeExecutionData: false`. */
  readonly includeExecutionData: boolean;
}

type EventBody = Omit<WireHistoryEvent, 'id' | 'previousEventId' | 'timestamp'>;

/** The execution's history, oldest first, numbered from 1 as AWS numbers it. */
export function historyOf(record: ExecutionRecord, options: HistoryOptions): WireHistoryEvent[] {
  const json = (value: unknown) => JSON.stringify(value ?? null);
  const input = (value: unknown) =>
    options.includeExecutionData ? { input: json(value), inputDetails: { truncated: false } } : {};
  const output = (value: unknown) =>
    options.includeExecutionData ? { output: json(value), outputDetails: { truncated: false } } : {};
  const task = (name: string) => {
    // arn:aws:states:::lambda:invoke.waitForTaskToken → resourceType lambda, resource invoke.waitForTaskToken
    const [resourceType = '', resource = ''] = (options.resources.get(name) ?? '').split(':').slice(-2);
    return { resourceType, resource };
  };
  const bodyOf = (event: Log): EventBody | undefined => {
    switch (event.type) {
      case 'ExecutionStarted':
        return {
          type: 'ExecutionStarted',
          executionStartedEventDetails: { ...input(event.input), roleArn: options.roleArn },
        };
      case 'ExecutionSucceeded':
        return { type: 'ExecutionSucceeded', executionSucceededEventDetails: output(event.output) };
      case 'ExecutionFailed':
        return {
          type: 'ExecutionFailed',
          executionFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) },
        };
      // The interpreter's abort and timeout events carry no reason; the record holds it.
      case 'ExecutionAborted':
        return {
          type: 'ExecutionAborted',
          executionAbortedEventDetails: { error: record.error, cause: record.cause },
        };
      case 'ExecutionTimeout':
        return {
          type: 'ExecutionTimedOut',
          executionTimedOutEventDetails: { error: record.error, cause: record.cause },
        };
      case 'StateEntered':
        return {
          type: ENTERED[event.state.type],
          stateEnteredEventDetails: { name: event.state.name, ...input(event.state.input) },
        };
      case 'StateExited': {
        const type = EXITED[event.state.type];
        return (
          type && {
            type,
            stateExitedEventDetails: { name: event.state.name, ...output(event.state.output) },
          }
        );
      }
      case 'StateFailed': {
        const failure = { error: event.Error, cause: causeText(event.Cause) };
        if (event.state.type === 'Map') return { type: 'MapStateFailed' };
        if (event.state.type === 'Parallel') return { type: 'ParallelStateFailed' };
        if (event.state.type !== 'Task') return undefined; // AWS reports it in ExecutionFailed only
        return event.Error === 'States.Timeout'
          ? { type: 'TaskTimedOut', taskTimedOutEventDetails: { ...task(event.state.name), ...failure } }
          : { type: 'TaskFailed', taskFailedEventDetails: { ...task(event.state.name), ...failure } };
      }
      case 'MapIterationStarted':
        return { type: event.type, mapIterationStartedEventDetails: iteration(event) };
      case 'MapIterationSucceeded':
        return { type: event.type, mapIterationSucceededEventDetails: iteration(event) };
      case 'MapIterationFailed':
        return { type: event.type, mapIterationFailedEventDetails: iteration(event) };
      default:
        // StateRetried, StateCaught and Parallel branch events have no AWS counterpart: AWS shows
        // a retry as the task's next attempt and a catch as the state's exit.
        return undefined;
    }
  };
  const events: WireHistoryEvent[] = [];
  for (const event of record.events) {
    const body = bodyOf(event);
    if (!body) continue;
    const id = events.length + 1;
    events.push({ id, previousEventId: id - 1, timestamp: event.timestamp / 1000, ...body });
  }
  return events;
}

const iteration = (event: Extract<Log, { type: `MapIteration${string}` }>) => ({
  name: event.parentState.name,
  index: event.index,
});

const causeText = (cause: unknown) => (typeof cause === 'string' ? cause : JSON.stringify(cause));

/** Page size when the request gives none (or 0), as in AWS. */
export const DEFAULT_PAGE_SIZE = 100;

/**
 * One page of `items` that `keep` accepts. The token names the next item's key
 * (not an offset), so items added or changed meanwhile do not shift the pages.
 */
export function page<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  keep: (item: T) => boolean,
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const key = Buffer.from(nextToken, 'base64url').toString('utf8');
    start = items.findIndex((item) => keyOf(item) === key);
    if (start < 0) throw new StepFunctionsError('InvalidToken', 'invalid nextToken');
  }
  const size = maxResults || DEFAULT_PAGE_SIZE;
  const found: T[] = [];
  for (const item of items.slice(start)) {
    if (!keep(item)) continue;
    if (found.length === size)
      return { items: found, nextToken: Buffer.from(keyOf(item)).toString('base64url') };
    found.push(item);
  }
  return { items: found };
}
