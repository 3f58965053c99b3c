/**
 * The workflow's own lint: every Task retries transient Lambda errors, has a
 * timeout and a way out when it fails for good, and no end of an execution is
 * reached without the ledger learning the request's outcome.
 */
import { loadDefinition } from '../../infra/local/workflow-runner';

interface State {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: readonly { readonly Next: string }[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string }[];
  readonly Retry?: readonly { readonly ErrorEquals: readonly string[] }[];
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly Parameters?: { readonly FunctionName?: string };
  readonly ItemProcessor?: { readonly States: Record<string, State> };
  readonly Branches?: readonly { readonly States: Record<string, State> }[];
}
type Definition = { readonly States: Record<string, State> };

/** Lambda's transient errors (AWS's own list for retrying a Lambda task). */
const TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];
const RECORD_OUTCOME = '${RecordOutcomeFunctionArn}';
/** The last task of each type records the completion itself (core/requests/outcome `completeRequest`). */
const COMPLETING = new Set(
  ['SendExportLink', 'IssueCertificate', 'RecordSuppression', 'ConfirmChange'].map(
    (task) => `\${${task}FunctionArn}`,
  ),
);

/** Every state, nested ones too, with whether an enclosing Map or Parallel catches its failures. */
function statesOf(states: Record<string, State>, caughtAbove = false): [string, State, boolean][] {
  return Object.entries(states).flatMap(([name, state]): [string, State, boolean][] => {
    const inner = state.ItemProcessor ? [state.ItemProcessor] : (state.Branches ?? []);
    const catches = caughtAbove || (state.Catch ?? []).some((c) => c.ErrorEquals.includes('States.ALL'));
    return [[name, state, caughtAbove], ...inner.flatMap((b) => statesOf(b.States, catches))];
  });
}

/** What is wrong with the Task states: missing retries, timeouts, or a way out of a failure. */
function taskProblems(definition: Definition): string[] {
  return statesOf(definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .flatMap(([name, state, caughtAbove]) => {
      const problems: string[] = [];
      const retried = new Set((state.Retry ?? []).flatMap((r) => r.ErrorEquals));
      if (!retried.has('States.ALL') && !TRANSIENT.every((e) => retried.has(e)))
        problems.push(`${name}: no Retry for Lambda's transient errors`);
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined)
        problems.push(`${name}: no TimeoutSeconds`);
      const caught = (state.Catch ?? []).some((c) => c.ErrorEquals.includes('States.ALL'));
      if (!caught && !caughtAbove) problems.push(`${name}: no Catch, here or around it`);
      return problems;
    });
}

/** Ends of the execution (top level) that the ledger would not hear about. */
function silentEnds(definition: Definition): string[] {
  const top = definition.States;
  const recordsOutcome = (name: string) => top[name]?.Parameters?.FunctionName === RECORD_OUTCOME;
  const problems: string[] = [];
  for (const [name, state] of Object.entries(top)) {
    const targets = [
      state.Next,
      state.Default,
      ...(state.Choices ?? []).map((c) => c.Next),
      ...(state.Catch ?? []).map((c) => c.Next),
    ].filter((t): t is string => t !== undefined);
    for (const target of targets) {
      const end = top[target];
      if (!end || (end.Type !== 'Succeed' && end.Type !== 'Fail')) continue;
      if (!recordsOutcome(name)) problems.push(`${name} reaches ${target} without recording the outcome`);
    }
    if (state.End && !recordsOutcome(name) && !COMPLETING.has(state.Parameters?.FunctionName ?? ''))
      problems.push(`${name} ends the execution without recording the outcome`);
  }
  return problems;
}

describe('the workflow lint', () => {
  const definition = loadDefinition() as unknown as Definition;
  const broken = () =>
    JSON.parse(JSON.stringify(definition)) as { States: Record<string, Record<string, unknown>> };

  it('finds every Task retried, timed and caught, and every end recorded in the ledger', () => {
    expect(taskProblems(definition)).toEqual([]);
    expect(silentEnds(definition)).toEqual([]);
  });

  it('notices a Task without retries, one without a timeout, and one nobody catches', () => {
    const d = broken();
    delete (d.States.PlanStores as Record<string, unknown>).Retry;
    delete (d.States.PackageExport as Record<string, unknown>).TimeoutSeconds;
    delete (d.States.SendExportLink as Record<string, unknown>).Catch;
    expect(taskProblems(d as unknown as Definition)).toEqual([
      "PlanStores: no Retry for Lambda's transient errors",
      'PackageExport: no TimeoutSeconds',
      'SendExportLink: no Catch, here or around it',
    ]);
  });

  it('accepts a Task in a Map that catches for it, and refuses it once the Map does not', () => {
    const d = broken();
    const map = d.States.ExportStores as {
      ItemProcessor: { States: Record<string, Record<string, unknown>> };
    };
    const failed = map.ItemProcessor.States.ExportFailed as Record<string, unknown>;
    expect(failed.Catch).toBeUndefined();
    expect(taskProblems(d as unknown as Definition)).toEqual([]);
    delete (d.States.ExportStores as Record<string, unknown>).Catch;
    expect(taskProblems(d as unknown as Definition)).toContain('ExportFailed: no Catch, here or around it');
  });

  it('notices a path to the end that skips the ledger', () => {
    const d = broken();
    (d.States.PackageExport as Record<string, unknown>).Next = 'RequestFailed';
    (d.States.PlanStores as Record<string, unknown>).End = true;
    expect(silentEnds(d as unknown as Definition)).toEqual([
      'PlanStores ends the execution without recording the outcome',
      'PackageExport reaches RequestFailed without recording the outcome',
    ]);
  });
});
