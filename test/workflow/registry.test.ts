import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ENV } from '../../functions/aws/config';
import { RequestType } from '../../functions/core/request';
import {
  ACTIONS,
  bindEnvironment,
  DEPLOYMENT,
  deploymentEnvironment,
  EVENTS,
  HTTP_FUNCTIONS,
  type HttpFunctionName,
  JOBS,
  ROUTES,
  TASKS,
} from '../../functions/deployment';
import {
  loadDefinition,
  taskStatesOf,
  unboundTaskStates,
  unusedRegistryEntries,
  WorkflowRunner,
} from '../../infra/local/workflow-runner';
import { stubHandlers } from '../support/stub-handlers';

// asl-validator ships no types; this is the shape of its JS API.
const validateAsl = require('asl-validator') as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: unknown[] };

describe('the workflow definition and the task registry', () => {
  const definition = loadDefinition();

  it('binds every Task state, nested ones included, to a registry entry', () => {
    const tasks = taskStatesOf(definition);
    expect(tasks.map((t) => t.stateName)).toEqual(
      expect.arrayContaining(['ValidateRequest', 'ExportStore', 'MarkFailed']),
    );
    expect(unboundTaskStates(definition)).toEqual([]);
  });

  it('uses every registry entry in some Task state', () => {
    expect(unusedRegistryEntries(definition)).toEqual([]);
  });

  it('notices a Task state that names no registry entry and an entry no state uses', () => {
    const broken = JSON.parse(JSON.stringify(definition));
    broken.States.ExportStores.ItemProcessor.States.ExportStore.Parameters.FunctionName =
      '$' + '{NoSuchFunctionArn}';
    expect(unboundTaskStates(broken).map((t) => t.stateName)).toEqual(['ExportStore']);
    expect(unusedRegistryEntries(broken)).toEqual(['ExportStore']);
    expect(Object.keys(TASKS)).toContain('ExportStore');
  });

  it('routes every request type the API accepts to its own steps, so none ends as unsupported', () => {
    type Rule = { StringEquals?: string; Or?: { StringEquals: string }[]; Next: string };
    // One rule per type, or one rule for several (`Or`): type -> next state.
    const routes = (state: string) =>
      Object.fromEntries(
        (definition.States[state] as unknown as { Choices: Rule[] }).Choices.filter(
          (c) => c.Or || c.StringEquals !== undefined,
        ).flatMap((c) => (c.Or ?? [c]).map((r) => [r.StringEquals, c.Next])),
      );
    const changes = (next: string) => ({
      rectify: next,
      restrict: next,
      lift_restriction: next,
      withdraw_consent: next,
    });
    // Before the type: an unverified request gets its code; a failed store goes to support.
    const first = (state: string) =>
      (definition.States[state] as unknown as { Choices: Rule[] }).Choices[0]?.Next;
    expect(first('RouteByType')).toBe('RequestVerification');
    expect(first('ContinueByType')).toBe('RequestSupportDecision');
    expect(Object.keys(routes('RouteByType')).sort()).toEqual([...RequestType.options].sort());
    expect(routes('RouteByType')).toEqual({
      access: 'PlanStores',
      delete: 'ScheduleErasure',
      opt_out: 'SuppressSubject',
      ...changes('RecordPreferences'),
    });
    expect(routes('RetryByType')).toEqual({
      access: 'ExportStores',
      delete: 'EraseStores',
      opt_out: 'OptOutStores',
      ...changes('ChangeStores'),
    });
    expect(Object.keys(definition.States)).not.toContain('RequestTypeNotYetSupported');
    const optOut = definition.States.NotifyProcessorsOfOptOut as unknown as {
      MaxConcurrency: number;
      Next: string;
    };
    expect(optOut.MaxConcurrency).toBe(4);
    // Every fan-out goes through the review of failed stores, then on by type.
    expect(optOut.Next).toBe('ReviewStoreOutcomes');
    expect(routes('ContinueByType')).toEqual({
      access: 'PackageExport',
      delete: 'IssueCertificate',
      opt_out: 'RecordSuppression',
      ...changes('ConfirmChange'),
    });
  });

  it('visits data stores and processors in a Map each, with no Choice of kind per store, and retries only the failed ones of each kind', () => {
    // [data-store Map, its task, its failure state, processor Map, partner task, escalation, its failure state]
    const fanOuts = [
      [
        'ExportStores',
        'ExportStore',
        'ExportFailed',
        'ExportFromProcessors',
        'ExportFromProcessor',
        'EscalateExport',
        'ProcessorExportFailed',
      ],
      [
        'EraseStores',
        'EraseStore',
        'ErasureFailed',
        'NotifyProcessorsOfErasure',
        'NotifyProcessorOfErasure',
        'EscalateErasure',
        'ProcessorErasureFailed',
      ],
      [
        'ChangeStores',
        'ChangeStore',
        'ChangeFailed',
        'NotifyProcessorsOfChange',
        'NotifyProcessorOfChange',
        'EscalateChange',
        'ProcessorChangeFailed',
      ],
      [
        'OptOutStores',
        'OptOutStore',
        'OptOutFailed',
        'NotifyProcessorsOfOptOut',
        'NotifyProcessorOfOptOut',
        'EscalateOptOut',
        'ProcessorOptOutFailed',
      ],
    ] as const;
    type MapState = {
      ItemsPath: string;
      ItemSelector: Record<string, string>;
      MaxConcurrency: number;
      ResultPath: string;
      Next: string;
      Catch: unknown[];
      ItemProcessor: { StartAt: string; States: Record<string, Record<string, unknown>> };
    };
    const itemSelector = {
      'requestId.$': '$.requestId',
      'storeId.$': '$$.Map.Item.Value.storeId',
      'kind.$': '$$.Map.Item.Value.kind',
      'ackSeconds.$': '$$.Map.Item.Value.ackSeconds',
    };
    const toSupport = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }];
    for (const [dataMap, dataTask, dataFailed, processorMap, notify, escalate, processorFailed] of fanOuts) {
      const stores = definition.States[dataMap] as unknown as MapState;
      const processors = definition.States[processorMap] as unknown as MapState;
      // Data stores first (a processor's wait must not hold back our own stores), then the processors.
      expect(stores).toMatchObject({
        ItemsPath: '$.plan.dataStores',
        ItemSelector: itemSelector,
        MaxConcurrency: 4,
        ResultPath: '$.dataStoreResults',
        Next: processorMap,
        Catch: toSupport,
      });
      expect(processors).toMatchObject({
        ItemsPath: '$.plan.processors',
        ItemSelector: itemSelector,
        MaxConcurrency: 4,
        ResultPath: '$.processorResults',
        Next: 'ReviewStoreOutcomes',
        Catch: toSupport,
      });
      expect(stores.ItemProcessor.StartAt).toBe(dataTask);
      expect(processors.ItemProcessor.StartAt).toBe(notify);
      // No iteration pays a transition to pick its branch, and no Map holds the other kind's task.
      for (const map of [stores, processors])
        expect(Object.values(map.ItemProcessor.States).map((state) => state.Type)).not.toContain('Choice');
      expect(Object.keys(stores.ItemProcessor.States)).not.toContain(notify);
      expect(Object.keys(processors.ItemProcessor.States).sort()).toEqual(
        [escalate, notify, processorFailed].sort(),
      );
      expect(stores.ItemProcessor.States[dataFailed]).toMatchObject({
        Parameters: { FunctionName: '$' + '{RecordStoreFailureFunctionArn}' },
        End: true,
      });
      const states = processors.ItemProcessor.States;
      expect(states[notify]).toMatchObject({
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: '$' + '{NotifyProcessorFunctionArn}',
          Payload: { 'requestId.$': '$.requestId', 'storeId.$': '$.storeId', 'taskToken.$': '$$.Task.Token' },
        },
        TimeoutSecondsPath: '$.ackSeconds',
        Catch: [
          {
            ErrorEquals: [
              'States.Timeout',
              'ProcessorUnavailable',
              'ProcessorRejected',
              'ProcessorResponseInvalid',
            ],
            ResultPath: '$.error',
            Next: escalate,
          },
          // Anything else (ours, not the partner's) is this processor's permanent failure; the others finish.
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: processorFailed },
        ],
      });
      expect(states[escalate]).toMatchObject({
        Parameters: {
          FunctionName: '$' + '{EscalateProcessorFunctionArn}',
          Payload: { 'requestId.$': '$.requestId', 'storeId.$': '$.storeId', 'error.$': '$.error' },
        },
        OutputPath: '$.Payload',
        End: true,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: processorFailed }],
      });
      // The same failure record as the data stores', so support and a retry see both kinds alike.
      const { Comment: _, ...recorded } = stores.ItemProcessor.States[dataFailed] ?? {};
      expect(states[processorFailed]).toMatchObject(recorded);
    }
    // Every planning task hands the Maps their two lists; a retry hands them only the failed ones of each kind.
    for (const plan of ['PlanStores', 'PlanErasure', 'PlanOptOut', 'PlanChange'])
      expect(definition.States[plan]).toMatchObject({
        ResultSelector: { 'dataStores.$': '$.Payload.dataStores', 'processors.$': '$.Payload.processors' },
        ResultPath: '$.plan',
      });
    expect(definition.States.RetryFailedStores).toMatchObject({
      Parameters: {
        'dataStores.$': '$.review.retry.dataStores',
        'processors.$': '$.review.retry.processors',
      },
      ResultPath: '$.plan',
      Next: 'RetryByType',
    });
  });

  it('is valid Amazon States Language', () => {
    const result = validateAsl(JSON.parse(JSON.stringify(definition)), { checkPaths: true, checkArn: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });
});

describe('the local workflow runner', () => {
  it('refuses to start when a Task state names no registry entry', () => {
    const broken = loadDefinition();
    (
      broken.States.MarkFailed as unknown as { Parameters: { FunctionName: string } }
    ).Parameters.FunctionName = '$' + '{GoneFunctionArn}';
    expect(() => new WorkflowRunner({ handlers: stubHandlers().handlers, definition: broken })).toThrow(
      /MarkFailed/,
    );
  });
});

describe('the deployment registry', () => {
  const root = path.resolve(__dirname, '..', '..');

  it('points every entry at a handler file that exists', () => {
    const missing = Object.values(DEPLOYMENT)
      .map((entry) => entry.entry)
      .filter((entry) => !existsSync(path.join(root, entry)));
    expect(missing).toEqual([]);
  });

  it('serves every route with an API function and gives every API function a route', () => {
    for (const route of ROUTES) expect(DEPLOYMENT[route.functionName].kind).toBe('route');
    const served = new Set(ROUTES.map((route) => route.functionName));
    expect(Object.keys(HTTP_FUNCTIONS).filter((name) => !served.has(name as HttpFunctionName))).toEqual([]);
  });

  it('splits the entries into tasks, API functions, scheduled jobs, support actions and event functions', () => {
    expect(Object.keys(DEPLOYMENT).sort()).toEqual(
      [
        ...Object.keys(TASKS),
        ...Object.keys(HTTP_FUNCTIONS),
        ...Object.keys(JOBS),
        ...Object.keys(ACTIONS),
        ...Object.keys(EVENTS),
      ].sort(),
    );
    for (const job of Object.values(JOBS)) expect(job.schedule).toMatch(/^(rate|cron)\(/);
  });

  it('tells a function where a guarded resource is only if its access reaches it', () => {
    const values = { ledgerTable: 'ledger', auditBucket: 'audit', rateLimitTable: 'limits', maxResends: '2' };
    expect(bindEnvironment({ access: ['ledger:read'] }, values)).toEqual({ [ENV.ledgerTable]: 'ledger' });
    expect(bindEnvironment({ access: ['limits:write', 'audit:write'] }, values)).toEqual({
      [ENV.ledgerTable]: 'ledger',
      [ENV.auditBucket]: 'audit',
      [ENV.rateLimitTable]: 'limits',
      [ENV.maxResends]: '2',
    });
  });

  it('gives one process running every entry (the local runtime) every value some entry reads', () => {
    const env = deploymentEnvironment({ supportEmail: 'support@example.com', idempotencyTable: 'idem' });
    expect(env).toEqual({ [ENV.supportEmail]: 'support@example.com', [ENV.idempotencyTable]: 'idem' });
  });

  it('writes each environment variable name as a string in one source file only', () => {
    const files = (dir: string): string[] =>
      readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((d) =>
        d.isDirectory()
          ? files(path.join(dir, d.name))
          : d.name.endsWith('.ts') && !d.name.endsWith('.test.ts')
            ? [path.join(dir, d.name)]
            : [],
      );
    const writers = new Map<string, Set<string>>();
    for (const file of ['functions', 'infra', 'workflows', 'tools'].flatMap(files)) {
      for (const match of readFileSync(path.join(root, file), 'utf8').matchAll(/['"](DSR_[A-Z0-9_]+)['"]/g)) {
        const name = match[1] as string;
        writers.set(name, (writers.get(name) ?? new Set()).add(file));
      }
    }
    const twice = [...writers]
      .filter(([, where]) => where.size > 1)
      .map(([name, where]) => [name, [...where]]);
    expect(twice).toEqual([]);
    expect(writers.get(ENV.ledgerTable)).toEqual(new Set([path.join('functions', 'aws', 'config.ts')]));
  });
});
