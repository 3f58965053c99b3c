/**
 * Runs THE workflow (`workflows/dsr.asl.json`, read as-is) in this process
 * with aws-local-stepfunctions, every Task state bound through the registry
 * (`functions/deployment.ts`) to a handler, and task tokens bridged to
 * SendTaskSuccess / SendTaskFailure. With a journal directory every
 * execution is journaled (`execution-journal.ts`) and `resume()` continues
 * the ones a stopped or killed process left running.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import {
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { TASKS, type TaskName } from '../../functions/deployment';
import { taskNameOf, WORKFLOW_DEFINITION_FILE } from '../../workflows/definition';
import { type ExecutionJournal, JournalStore, type StepOutcome } from './execution-journal';
import { loadHandlers } from './handlers';
import { lambdaContext } from './lambda-context';

/** A Lambda handler as the workflow calls it. */
export type TaskHandler = (payload: unknown, context: Context) => Promise<unknown>;
export type TaskHandlers = Record<TaskName, TaskHandler>;

type StateDefinition = StateMachineDefinition['States'][string];
type JsonValue = Parameters<StateMachine['run']>[0];
export type Log = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  readonly name: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  status: ExecutionStatus;
  /** Input and output as JSON strings, as the Step Functions API returns them. */
  readonly input: string;
  output?: string;
  error?: string;
  cause?: string;
  readonly startDate: Date;
  stopDate?: Date;
  /** How many times RedriveExecution continued it. */
  readonly redriveCount: number;
  /** Per-state events from the interpreter, for an execution-history view. */
  readonly events: Log[];
}

/** An error with a Step Functions API error code as its name. */
export class StepFunctionsError extends Error {
  constructor(
    readonly code:
      | 'ExecutionAlreadyExists'
      | 'ExecutionDoesNotExist'
      | 'ExecutionNotRedrivable'
      | 'TaskDoesNotExist'
      | 'TaskTimedOut'
      | 'InvalidExecutionInput'
      | 'InvalidName'
      | 'InvalidToken'
      | 'InvalidArn'
      | 'StateMachineDoesNotExist',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface WorkflowRunnerOptions {
  readonly handlers: TaskHandlers;
  /** Parsed definition; defaults to `workflows/dsr.asl.json`. Never mutated. */
  readonly definition?: StateMachineDefinition;
  readonly stateMachineArn?: string;
  /** Milliseconds between retries for every retrying state (tests: 0); unset = the ASL's backoff. */
  readonly retryIntervalMs?: number;
  /** Task state name → TimeoutSeconds, applied to a copy of the definition (tests shorten verification). */
  readonly taskTimeoutOverrides?: Readonly<Record<string, number>>;
  /** Receives one line per execution start/stop (execution names only, no personal data). */
  readonly log?: (line: string) => void;
  /** Where each execution's journal goes; unset = executions live in memory only. */
  readonly journalDir?: string;
}

export const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:ap-southeast-3:000000000000:stateMachine:dsr-workflow';

/** The workflow definition, parsed from the one ASL file the CDK also deploys. */
export function loadDefinition(file: string = WORKFLOW_DEFINITION_FILE): StateMachineDefinition {
  return JSON.parse(readFileSync(file, 'utf8')) as StateMachineDefinition;
}

export interface TaskStateInfo {
  /** State name (unique across nested Map processors). */
  readonly stateName: string;
  readonly resource: string;
  /** Registry name the state's FunctionName refers to, if any. */
  readonly taskName: string | undefined;
}

/** Every Task state of the definition, including states inside Map ItemProcessors and Parallel branches. */
export function taskStatesOf(definition: Pick<StateMachineDefinition, 'States'>): TaskStateInfo[] {
  const found: TaskStateInfo[] = [];
  const visit = (states: Record<string, StateDefinition>) => {
    for (const [stateName, state] of Object.entries(states)) {
      if (state.Type === 'Task') {
        const params = state.Parameters as Record<string, unknown> | undefined;
        found.push({ stateName, resource: state.Resource, taskName: taskNameOf(params?.FunctionName) });
      } else if (state.Type === 'Map') {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (processor) visit(processor.States);
      } else if (state.Type === 'Parallel') {
        for (const branch of state.Branches) visit(branch.States);
      }
    }
  };
  visit(definition.States);
  return found;
}

/** Task states whose FunctionName names no registry entry (should be none). */
export function unboundTaskStates(definition: Pick<StateMachineDefinition, 'States'>): TaskStateInfo[] {
  return taskStatesOf(definition).filter((t) => t.taskName === undefined || !(t.taskName in TASKS));
}

/** Registry entries no Task state refers to (should be none). */
export function unusedRegistryEntries(definition: Pick<StateMachineDefinition, 'States'>): TaskName[] {
  const used = new Set(taskStatesOf(definition).map((t) => t.taskName));
  return (Object.keys(TASKS) as TaskName[]).filter((name) => !used.has(name));
}

/**
 * Imports every task entry's handler. Call only after the environment is set:
 * handler modules read it when they load.
 */
export function loadTaskHandlers(): Promise<TaskHandlers> {
  return loadHandlers<TaskName, TaskHandler>(TASKS);
}

// setTimeout overflows above 2^31-1 ms and then fires at once; longer timeouts cannot happen in one local process anyway.
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

interface ParkedTask {
  readonly execution: string;
  /** Journals the callback's outcome, then hands it to the waiting state. */
  resolve(output: unknown): void;
  reject(error: Error): void;
  /** Ends the wait when the Task state's timeout passes, so a late callback is refused as in AWS. */
  timer?: NodeJS.Timeout;
}

/**
 * The interpreter evaluates `TimeoutSecondsPath` against the input after
 * `Parameters` (AWS: against the state input). The prepared copy carries the
 * value through this hidden parameter; `payloadOf` never passes it to a handler.
 */
const LOCAL_TIMEOUT_PARAMETER = '__localTimeoutSeconds';

/** Runs executions of the workflow and answers the Step Functions operations the handlers use. */
export class WorkflowRunner {
  readonly stateMachineArn: string;
  /** The definition as given, before local preparation: what DescribeStateMachine answers. */
  readonly definitionText: string;
  readonly creationDate = new Date();
  private readonly definition: StateMachineDefinition;
  /** Each Task state's own timeout in seconds (path-based ones come in the input): the runner enforces them. */
  private readonly taskTimeouts: Map<string, number | undefined>;
  private readonly machine: StateMachine;
  private readonly journals?: JournalStore;
  /** The runtime is stopping: nothing new starts, and what stops now resumes on the next start. */
  private stopping = false;
  /** Executions aborted through StopExecution (their end is journaled; a runtime stop's is not). */
  private readonly stoppedByApi = new Set<string>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly finished = new Map<string, Promise<ExecutionRecord>>();
  private readonly parked = new Map<string, ParkedTask>();
  /** Tokens whose Task state timed out, by execution, until it ends: a late callback gets TaskTimedOut. */
  private readonly timedOut = new Map<string, string>();
  private readonly bindings: Map<string, TaskName>;
  private readonly aborts = new Map<string, () => void>();
  /** Task handler calls still running: stop() waits for them, so none touches an emulator after it closed. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: WorkflowRunnerOptions) {
    this.stateMachineArn = options.stateMachineArn ?? LOCAL_STATE_MACHINE_ARN;
    this.definitionText = options.definition
      ? JSON.stringify(options.definition, null, 2)
      : readFileSync(WORKFLOW_DEFINITION_FILE, 'utf8');
    this.definition = prepareDefinition(JSON.parse(this.definitionText), options.taskTimeoutOverrides ?? {});
    const unbound = unboundTaskStates(this.definition);
    if (unbound.length > 0) {
      throw new Error(`Task states without a registry entry: ${unbound.map((t) => t.stateName).join(', ')}`);
    }
    this.bindings = new Map(taskStatesOf(this.definition).map((t) => [t.stateName, t.taskName as TaskName]));
    for (const taskName of this.bindings.values()) {
      if (typeof options.handlers[taskName] !== 'function')
        throw new Error(`no handler given for task ${taskName}`);
    }
    this.taskTimeouts = new Map(
      taskStatesOf(this.definition).map((t) => {
        const state = findState(this.definition.States, t.stateName);
        return [t.stateName, state?.Type === 'Task' ? state.TimeoutSeconds : undefined];
      }),
    );
    // Paths in the ASL use `$$.Task.Token`, which the validator's path check does not know.
    this.machine = new StateMachine(withoutTaskTimeouts(this.definition), {
      validationOptions: { checkPaths: false },
    });
    if (options.journalDir) this.journals = new JournalStore(options.journalDir);
  }

  /**
   * Loads every journal: ended executions are listed again, running ones
   * resume (recorded tasks return their results, waits wait on the same
   * tokens). Call once the handlers can reach what they call.
   */
  resume(): { resumed: string[]; ended: number } {
    const resumed: string[] = [];
    let ended = 0;
    for (const found of this.journals?.recover() ?? []) {
      if (this.executions.has(found.name)) continue;
      const record = this.newRecord(found.name, found.input, found.startDate, found.redriveCount);
      if (found.ended) {
        Object.assign(record, {
          ...found.ended,
          stopDate: new Date(found.ended.stopDate),
        } satisfies Partial<ExecutionRecord>);
        this.executions.set(found.name, record);
        this.finished.set(found.name, Promise.resolve(record));
        ended += 1;
      } else if (found.journal) {
        this.executions.set(found.name, record);
        this.launch(record, found.journal);
        resumed.push(found.name);
      }
    }
    return { resumed, ended };
  }

  /** RedriveExecution: continues a failed, timed-out or aborted execution; recorded successes are not run again. */
  redrive(executionArnOrName: string): ExecutionRecord {
    const old = this.describeArn(executionArnOrName);
    if (!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(old.status) || !this.journals) {
      throw new StepFunctionsError(
        'ExecutionNotRedrivable',
        `execution ${old.name} is ${old.status}: only a failed, timed-out or aborted one can be redriven`,
      );
    }
    const journal = this.journals.reopen(old.name);
    journal.recordRedrive(new Date());
    this.stoppedByApi.delete(old.name);
    const record = this.newRecord(old.name, old.input, old.startDate, old.redriveCount + 1);
    this.executions.set(old.name, record);
    this.launch(record, journal);
    return record;
  }

  /** Starts an execution named `name` (the request id); throws ExecutionAlreadyExists on reuse. */
  start(name: string, input: string): ExecutionRecord {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name))
      throw new StepFunctionsError('InvalidName', 'invalid execution name');
    if (this.executions.has(name)) {
      throw new StepFunctionsError('ExecutionAlreadyExists', `execution ${name} already exists`);
    }
    let parsedInput: JsonValue;
    try {
      parsedInput = JSON.parse(input) as JsonValue;
    } catch {
      throw new StepFunctionsError('InvalidExecutionInput', 'input is not JSON');
    }
    const record = this.newRecord(name, input, new Date(), 0);
    this.executions.set(name, record);
    this.launch(record, this.journals?.create(name, input, record.startDate), parsedInput);
    return record;
  }

  private newRecord(name: string, input: string, startDate: Date, redriveCount: number): ExecutionRecord {
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    return {
      name,
      executionArn,
      stateMachineArn: this.stateMachineArn,
      status: 'RUNNING',
      input,
      startDate,
      events: [],
      redriveCount,
    };
  }

  /** Runs the interpreter for `record`, replaying `journal` where it recorded results. */
  private launch(
    record: ExecutionRecord,
    journal: ExecutionJournal | undefined,
    parsedInput: JsonValue = JSON.parse(record.input) as JsonValue,
  ): void {
    const { name } = record;
    const run = this.machine.run(parsedInput, this.runOptions(record, journal));
    this.aborts.set(name, run.abort);
    this.options.log?.(journal?.replaying ? `execution ${name} resumed` : `execution ${name} started`);
    const collectEvents = (async () => {
      for await (const event of run.eventLogs) record.events.push(event);
    })().catch(() => undefined);
    const done = run.result.then(
      (output) => {
        record.status = 'SUCCEEDED';
        record.output = JSON.stringify(output ?? null);
      },
      (error: unknown) => {
        if (record.status !== 'RUNNING') return; // stopped through StopExecution, which set the outcome
        const { status, name: errorName, cause } = describeFailure(error);
        record.status = status;
        record.error = errorName;
        record.cause = cause;
      },
    );
    this.finished.set(
      name,
      done.then(async () => {
        record.stopDate ??= new Date();
        this.aborts.delete(name);
        for (const [token, task] of this.parked) if (task.execution === name) this.unpark(token);
        for (const [token, execution] of this.timedOut) if (execution === name) this.timedOut.delete(token);
        // A runtime stop is no end: the execution resumes on the next start.
        const interrupted = this.stopping && record.status === 'ABORTED' && !this.stoppedByApi.has(name);
        if (interrupted) journal?.close();
        else if (record.status !== 'RUNNING') {
          journal?.recordEnd({
            status: record.status,
            ...(record.output !== undefined ? { output: record.output } : {}),
            ...(record.error !== undefined ? { error: record.error } : {}),
            ...(record.cause !== undefined ? { cause: record.cause } : {}),
            stopDate: record.stopDate.toISOString(),
          });
        }
        await collectEvents;
        this.options.log?.(`execution ${name} ${interrupted ? 'interrupted' : record.status.toLowerCase()}`);
        return record;
      }),
    );
  }

  /** Aborts every running execution (waiting tasks hold timers for days) and waits for them to stop. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const abort of this.aborts.values()) abort();
    this.abandonParked(undefined, 'the local runtime stopped');
    await Promise.all([...this.finished.values()]);
    await Promise.allSettled([...this.inFlight]);
  }

  /** StopExecution: aborts a running execution, whose tokens are refused from now on; a stopped one stays as it is. */
  stopExecution(executionArnOrName: string, error?: string, cause?: string): ExecutionRecord {
    const record = this.describeArn(executionArnOrName);
    const abort = this.aborts.get(record.name);
    if (record.status !== 'RUNNING' || !abort) return record;
    this.stoppedByApi.add(record.name);
    Object.assign(record, {
      status: 'ABORTED',
      error,
      cause,
      stopDate: new Date(),
    } satisfies Partial<ExecutionRecord>);
    abort();
    this.abandonParked(record.name, 'the execution was stopped');
    return record;
  }

  describe(name: string): ExecutionRecord {
    const record = this.executions.get(name);
    if (!record) throw new StepFunctionsError('ExecutionDoesNotExist', 'execution does not exist');
    return record;
  }

  /** Looks an execution up by its ARN (as the API passes it) or its name. */
  describeArn(executionArnOrName: string): ExecutionRecord {
    return this.describe(executionArnOrName.split(':').pop() ?? executionArnOrName);
  }

  list(): ExecutionRecord[] {
    return [...this.executions.values()].sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  /** Resolves once the execution has stopped. */
  async waitFor(name: string): Promise<ExecutionRecord> {
    const done = this.finished.get(name);
    if (!done) throw new StepFunctionsError('ExecutionDoesNotExist', 'execution does not exist');
    return done;
  }

  /** Completes a waiting task with `output` (JSON text) as its result. */
  sendTaskSuccess(token: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new StepFunctionsError('InvalidExecutionInput', 'output is not JSON');
    }
    this.takeParked(token).resolve(parsed);
  }

  /** Fails a waiting task with `error` as the error name the ASL's Catch matches. */
  sendTaskFailure(token: string, error = 'States.TaskFailed', cause = ''): void {
    const failure = new Error(cause);
    failure.name = error;
    this.takeParked(token).reject(failure);
  }

  /** Confirms the token is still waiting (heartbeats have no timeout to extend locally). */
  sendTaskHeartbeat(token: string): void {
    if (this.timedOut.has(token)) throw new StepFunctionsError('TaskTimedOut', 'the task has timed out');
    if (!this.parked.has(token)) throw new StepFunctionsError('TaskDoesNotExist', 'task does not exist');
  }

  /** Tokens currently waiting for a callback (tests use this to find the verification's token). */
  waitingTokens(execution?: string): string[] {
    return [...this.parked]
      .filter(([, t]) => !execution || t.execution === execution)
      .map(([token]) => token);
  }

  private takeParked(token: string): ParkedTask {
    const task = this.parked.get(token);
    if (!task) {
      if (this.timedOut.has(token)) throw new StepFunctionsError('TaskTimedOut', 'the task has timed out');
      throw new StepFunctionsError('TaskDoesNotExist', 'task does not exist or has already completed');
    }
    this.unpark(token);
    return task;
  }

  /** Settling parked tasks (of one execution, or all) lets the interpreter clear their timeout timers. */
  private abandonParked(execution: string | undefined, why: string): void {
    for (const [token, task] of this.parked) {
      if (execution !== undefined && task.execution !== execution) continue;
      this.unpark(token);
      task.reject(namedError('States.Aborted', why));
    }
  }

  private unpark(token: string): void {
    clearTimeout(this.parked.get(token)?.timer);
    this.parked.delete(token);
  }

  private runOptions(record: ExecutionRecord, journal: ExecutionJournal | undefined): RunOptions {
    const taskResourceLocalHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const [stateName, taskName] of this.bindings) {
      const state = findState(this.definition.States, stateName);
      const waits = state?.Type === 'Task' && state.Resource.endsWith('.waitForTaskToken');
      const invoke = this.invoker(taskName, record);
      const fixedTimeout = this.taskTimeouts.get(stateName);
      taskResourceLocalHandlers[stateName] = async (input) => {
        const step = journal?.step(stateName, input);
        const recorded = step !== undefined ? journal?.outcome(step) : undefined;
        if (recorded) return replayed(recorded);
        const timeoutSeconds = timeoutSecondsOf(input) ?? fixedTimeout;
        if (waits) return this.invokeAndWait(record.name, invoke, input, timeoutSeconds, journal, step);
        try {
          const output = {
            Payload: (await withTimeout(invoke(payloadOf(input)), timeoutSeconds)) as JsonValue,
            StatusCode: 200,
          };
          if (step !== undefined) journal?.recordOutcome(step, { output });
          return output;
        } catch (error) {
          if (step !== undefined) journalFailure(journal, step, error);
          throw error;
        }
      };
    }
    const retryIntervalOverrides: Record<string, number> = {};
    if (this.options.retryIntervalMs !== undefined) {
      for (const name of retryingStates(this.definition.States))
        retryIntervalOverrides[name] = this.options.retryIntervalMs;
    }
    return {
      overrides: {
        taskResourceLocalHandlers,
        // While a resumed execution replays recorded failures, their retry waits are not waited again.
        retryIntervalOverrides: new Proxy(retryIntervalOverrides, {
          get: (target, prop) => (journal?.replaying ? 0 : Reflect.get(target, prop)),
        }),
      },
      context: {
        Execution: { Id: record.executionArn, Name: record.name },
        StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineArn.split(':').pop() },
        // The interpreter has no $$.Task.Token: a getter hands out a fresh token each time the path is read.
        Task: {
          get Token() {
            return randomBytes(48).toString('base64url');
          },
        },
      },
    };
  }

  /**
   * A `.waitForTaskToken` task: parks the token (a resumed one: the token it
   * handed out before, until the same deadline), calls the handler unless it
   * already returned, and waits for SendTaskSuccess / SendTaskFailure.
   */
  private async invokeAndWait(
    execution: string,
    invoke: (payload: unknown) => Promise<unknown>,
    input: JsonValue,
    timeoutSeconds: number | undefined,
    journal: ExecutionJournal | undefined,
    step: string | undefined,
  ): Promise<JsonValue> {
    const fresh = payloadOf(input);
    const freshToken = (fresh as { taskToken?: unknown } | null)?.taskToken;
    if (typeof freshToken !== 'string')
      throw namedError('States.Runtime', 'the Payload carries no taskToken');
    const handed = step !== undefined ? journal?.waiting(step) : undefined;
    const token = handed?.token ?? freshToken;
    const payload = handed ? { ...(fresh as object), taskToken: token } : fresh;
    const deadline = handed
      ? handed.deadline
      : timeoutSeconds !== undefined && timeoutSeconds <= MAX_TIMER_SECONDS
        ? Date.now() + timeoutSeconds * 1000
        : undefined;
    if (step !== undefined && !handed) journal?.recordWaiting(step, token, deadline);
    const callback = new Promise<unknown>((resolve, reject) => {
      const task: ParkedTask = {
        execution,
        resolve: (output) => {
          if (step !== undefined) journal?.recordOutcome(step, { output });
          resolve(output);
        },
        reject: (error) => {
          if (step !== undefined) journalFailure(journal, step, error);
          reject(error);
        },
      };
      if (deadline !== undefined) {
        // The state times out here (the interpreter's own timer is lifted): the token is retired, as in AWS.
        task.timer = setTimeout(
          () => {
            if (this.parked.get(token) !== task) return;
            this.parked.delete(token);
            this.timedOut.set(token, execution);
            task.reject(namedError('States.Timeout', 'the task timed out'));
          },
          Math.max(0, deadline - Date.now()),
        );
        task.timer.unref();
      }
      this.parked.set(token, task);
    });
    // A runtime stop may reject the wait while the handler still runs, before anything awaits it: not unhandled.
    callback.catch(() => undefined);
    if (!(step !== undefined && journal?.invoked(step))) {
      try {
        await invoke(payload);
        if (step !== undefined) journal?.recordInvoked(step);
      } catch (error) {
        const task = this.parked.get(token);
        this.unpark(token);
        task?.reject(error instanceof Error ? error : namedError('Error', String(error)));
      }
    }
    return (await callback) as JsonValue;
  }

  private invoker(taskName: TaskName, record: ExecutionRecord): (payload: unknown) => Promise<unknown> {
    const handler = this.options.handlers[taskName];
    const { timeoutSeconds } = TASKS[taskName];
    return async (payload) => {
      try {
        // An aborted run's interpreter may still retry a state; a stopped execution (or runtime) starts no more work.
        if (record.status === 'ABORTED' || this.stopping)
          throw namedError('States.Aborted', 'the execution was stopped');
        const call = handler(payload, lambdaContext(`dsr-${taskName}`, timeoutSeconds));
        this.inFlight.add(call);
        try {
          return (await call) ?? null;
        } finally {
          this.inFlight.delete(call);
        }
      } catch (error) {
        throw asLambdaError(error);
      }
    };
  }
}

/** A recorded outcome as the interpreter would have had it: the result, or the error thrown again. */
function replayed(outcome: StepOutcome): JsonValue {
  if ('error' in outcome) throw namedError(outcome.error, outcome.cause);
  return outcome.output as JsonValue;
}

/** Journals a task's failure, unless it is the runtime or StopExecution ending the wait (that is no outcome). */
function journalFailure(journal: ExecutionJournal | undefined, step: string, error: unknown): void {
  const failure = asLambdaError(error);
  if (failure.name === 'States.Aborted') return;
  journal?.recordOutcome(step, { error: failure.name, cause: failure.message });
}

/** Fails with States.Timeout after `seconds` (none: no limit), as a Task state's TimeoutSeconds does. */
async function withTimeout<T>(work: Promise<T>, seconds: number | undefined): Promise<T> {
  if (seconds === undefined || seconds > MAX_TIMER_SECONDS) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(namedError('States.Timeout', 'the task timed out')), seconds * 1000);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The interpreter's copy without task timeouts: the runner enforces them
 * (journaled, so a resumed wait keeps its deadline). Path-based ones still
 * reach the runner through the hidden parameter.
 */
function withoutTaskTimeouts(source: StateMachineDefinition): StateMachineDefinition {
  const definition = JSON.parse(JSON.stringify(source)) as StateMachineDefinition;
  const lift = (states: Record<string, StateDefinition>) => {
    for (const state of Object.values(states)) {
      if (state.Type === 'Task') {
        state.TimeoutSeconds = MAX_TIMER_SECONDS;
        delete state.TimeoutSecondsPath;
      } else if (state.Type === 'Map') {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (processor) lift(processor.States);
      } else if (state.Type === 'Parallel') {
        for (const branch of state.Branches) lift(branch.States);
      }
    }
  };
  lift(definition.States);
  return definition;
}

/** The hidden timeout parameter of a state prepared from `TimeoutSecondsPath`, if any. */
function timeoutSecondsOf(input: JsonValue): number | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const value = input[LOCAL_TIMEOUT_PARAMETER];
  return typeof value === 'number' ? value : undefined;
}

function payloadOf(input: JsonValue): unknown {
  return input !== null && typeof input === 'object' && !Array.isArray(input) ? input.Payload : undefined;
}

/** Like Lambda's errorType: the thrown error's name, or its class name when the name was left as 'Error'. */
function asLambdaError(error: unknown): Error {
  if (!(error instanceof Error)) return namedError('Error', String(error));
  const className = error.constructor?.name;
  const name = error.name && error.name !== 'Error' ? error.name : (className ?? 'Error');
  return namedError(name, error.message);
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function describeFailure(error: unknown): { status: ExecutionStatus; name: string; cause: string } {
  if (error instanceof ExecutionTimeoutError)
    return { status: 'TIMED_OUT', name: 'States.Timeout', cause: '' };
  if (error instanceof ExecutionError && error.cause instanceof Error) {
    return { status: 'FAILED', name: error.cause.name, cause: error.cause.message };
  }
  if (error instanceof Error && error.name === 'ExecutionAbortedError')
    return { status: 'ABORTED', name: 'Aborted', cause: '' };
  return { status: 'FAILED', name: error instanceof Error ? error.name : 'Error', cause: '' };
}

function findState(states: Record<string, StateDefinition>, name: string): StateDefinition | undefined {
  for (const [stateName, state] of Object.entries(states)) {
    if (stateName === name) return state;
    const nested =
      state.Type === 'Map'
        ? [state.ItemProcessor ?? state.Iterator]
        : state.Type === 'Parallel'
          ? state.Branches
          : [];
    for (const machine of nested) {
      const found = machine && findState(machine.States, name);
      if (found) return found;
    }
  }
  return undefined;
}

function retryingStates(states: Record<string, StateDefinition>): string[] {
  const names: string[] = [];
  for (const [name, state] of Object.entries(states)) {
    if ('Retry' in state && state.Retry) names.push(name);
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) names.push(...retryingStates(processor.States));
    } else if (state.Type === 'Parallel') {
      for (const branch of state.Branches) names.push(...retryingStates(branch.States));
    }
  }
  return names;
}

/** A deep copy with timeouts the interpreter can hold in a timer, and any test overrides applied. */
function prepareDefinition(
  source: StateMachineDefinition,
  taskTimeoutOverrides: Readonly<Record<string, number>>,
): StateMachineDefinition {
  // JSON round trip, not structuredClone: under jest's vm realm the latter yields objects the interpreter does not see as plain.
  const definition = JSON.parse(JSON.stringify(source)) as StateMachineDefinition;
  if (definition.TimeoutSeconds !== undefined && definition.TimeoutSeconds > MAX_TIMER_SECONDS) {
    delete definition.TimeoutSeconds;
  }
  const clampTasks = (states: Record<string, StateDefinition>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') {
        const override = taskTimeoutOverrides[name];
        if (override !== undefined) {
          state.TimeoutSeconds = override;
          delete state.TimeoutSecondsPath;
        }
        const params = state.Parameters;
        if (
          state.TimeoutSecondsPath !== undefined &&
          params &&
          typeof params === 'object' &&
          !Array.isArray(params)
        ) {
          state.Parameters = { ...params, [`${LOCAL_TIMEOUT_PARAMETER}.$`]: state.TimeoutSecondsPath };
          state.TimeoutSecondsPath = `$.${LOCAL_TIMEOUT_PARAMETER}`;
        }
        if (state.TimeoutSeconds !== undefined)
          state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMER_SECONDS);
      } else if (state.Type === 'Map') {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (processor) clampTasks(processor.States);
      } else if (state.Type === 'Parallel') {
        for (const branch of state.Branches) clampTasks(branch.States);
      }
    }
  };
  clampTasks(definition.States);
  for (const name of Object.keys(taskTimeoutOverrides)) {
    if (findState(definition.States, name)?.Type !== 'Task') throw new Error(`no Task state named ${name}`);
  }
  return definition;
}
