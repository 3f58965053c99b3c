/**
 * End to end on this machine: the operations a support engineer's AWS CLI uses
 * (list and describe the state machine, list, describe, read the history of and
 * stop an execution), through the real SDK client against the running local
 * system's Step Functions endpoint.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { type LocalSystem, startLocalSystem } from '../../infra/local/system';
import { WORKFLOW_DEFINITION_FILE } from '../../workflows/definition';
import { LocalApi, poll, type Submitted } from '../support/local-api';

jest.setTimeout(180_000);

let system: LocalSystem;
let dataDir: string;
let local: LocalApi;
let sfn: SFNClient;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-sfn-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 3 });
  local = new LocalApi(system);
  sfn = new SFNClient({
    endpoint: system.urls.sfn,
    region: 'ap-southeast-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sfn?.destroy();
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Every event of the execution's history, following nextToken. */
async function fullHistory(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 3 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const enteredStates = (events: HistoryEvent[]) =>
  events.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));

describe('the state machine', () => {
  it('is listed and described with the ASL definition it runs', async () => {
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines).toHaveLength(1);
    const [machine] = listed.stateMachines ?? [];
    expect(machine).toMatchObject({ name: 'dsr-workflow', type: 'STANDARD' });
    expect(machine?.creationDate).toBeInstanceOf(Date);

    const described = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: machine?.stateMachineArn }),
    );
    expect(described).toMatchObject({
      stateMachineArn: machine?.stateMachineArn,
      name: 'dsr-workflow',
      status: 'ACTIVE',
      type: 'STANDARD',
    });
    expect(described.roleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
    const asl = JSON.parse(readFileSync(WORKFLOW_DEFINITION_FILE, 'utf8')) as { StartAt: string };
    expect((JSON.parse(described.definition ?? '{}') as { StartAt?: string }).StartAt).toBe(asl.StartAt);
    expect(asl.StartAt).toBe('ValidateRequest');
  });

  it('answers an unknown state machine ARN with StateMachineDoesNotExist', async () => {
    const unknown = 'arn:aws:states:ap-southeast-3:000000000000:stateMachine:not-here';
    await expect(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: unknown })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(sfn.send(new ListExecutionsCommand({ stateMachineArn: unknown }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
  });
});

describe("a request's execution", () => {
  let stateMachineArn: string;
  let first: Submitted;
  let request: Submitted;
  let executionArn: string;

  beforeAll(async () => {
    stateMachineArn = system.runner.stateMachineArn;
    first = await local.submit('access', 'sfn.first.e2e@example.com');
    request = await local.submit('access', 'sfn.ops.e2e@example.com');
    // Parked on the verification callback: the person has not entered the code.
    await poll(
      async () => system.runner.waitingTokens(request.requestId)[0],
      20_000,
      'the verification task',
    );
  });

  it('is listed newest first, page by page, without payloads', async () => {
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    const names = listed.executions?.map((e) => e.name) ?? [];
    expect(names.indexOf(request.requestId)).toBeGreaterThanOrEqual(0);
    expect(names.indexOf(request.requestId)).toBeLessThan(names.indexOf(first.requestId));
    const summary = listed.executions?.find((e) => e.name === request.requestId);
    expect(summary).toMatchObject({ stateMachineArn, status: 'RUNNING' });
    expect(summary?.startDate).toBeInstanceOf(Date);
    expect(summary).not.toHaveProperty('input');
    executionArn = summary?.executionArn ?? '';
    expect(executionArn).toMatch(new RegExp(`:execution:dsr-workflow:${request.requestId}$`));

    const one = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1 }));
    expect(one.executions?.map((e) => e.name)).toEqual([names[0]]);
    expect(one.nextToken).toBeDefined();
    const next = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 1, nextToken: one.nextToken }),
    );
    expect(next.executions?.map((e) => e.name)).toEqual([names[1]]);
    await expect(
      sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken: 'bm90LWEtdG9rZW4' })),
    ).rejects.toBeInstanceOf(InvalidToken);
  });

  it('is described with its input as JSON text and no stop date while it runs', async () => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      executionArn,
      stateMachineArn,
      name: request.requestId,
      status: 'RUNNING',
    });
    expect(JSON.parse(described.input ?? '{}')).toMatchObject({
      requestId: request.requestId,
      type: 'access',
    });
    expect(described.startDate).toBeInstanceOf(Date);
    expect(described.stopDate).toBeUndefined();
    expect(described.output).toBeUndefined();
  });

  it('has a history in AWS event shapes, naming the states it entered and exited', async () => {
    const events = await fullHistory(executionArn);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => i));
    expect(events[0]?.type).toBe('ExecutionStarted');
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
    const started = events[0]?.executionStartedEventDetails;
    expect(JSON.parse(started?.input ?? '{}')).toMatchObject({ requestId: request.requestId });
    expect(started?.roleArn).toMatch(/^arn:aws:iam::/);

    expect(enteredStates(events)).toEqual(
      expect.arrayContaining(['ValidateRequest', 'RouteByType', 'RequestVerification']),
    );
    const validateEntered = events.find((e) => e.stateEnteredEventDetails?.name === 'ValidateRequest');
    expect(validateEntered?.type).toBe('TaskStateEntered');
    expect(JSON.parse(validateEntered?.stateEnteredEventDetails?.input ?? 'null')).toMatchObject({
      requestId: request.requestId,
    });
    const validateExited = events.find((e) => e.stateExitedEventDetails?.name === 'ValidateRequest');
    expect(validateExited?.type).toBe('TaskStateExited');
    expect(validateExited?.stateExitedEventDetails?.output).toEqual(expect.any(String));
    expect(events.find((e) => e.stateEnteredEventDetails?.name === 'RouteByType')?.type).toBe(
      'ChoiceStateEntered',
    );
    // Still waiting for the callback: entered, not exited.
    expect(events.some((e) => e.stateExitedEventDetails?.name === 'RequestVerification')).toBe(false);

    const newest = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }),
    );
    expect(newest.events?.map((e) => e.id)).toEqual([events.length]);

    const bare = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }),
    );
    expect(bare.events?.[0]?.executionStartedEventDetails?.input).toBeUndefined();
    expect(bare.events?.some((e) => e.stateEnteredEventDetails?.input !== undefined)).toBe(false);
    expect(enteredStates(bare.events ?? [])).toEqual(enteredStates(events));
  });

  it('is stopped: ABORTED with the reason given, its task token refused, listed under ABORTED', async () => {
    const token = system.runner.waitingTokens(request.requestId)[0];
    expect(token).toBeDefined();

    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Support.Stopped', cause: 'duplicate request' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      status: 'ABORTED',
      error: 'Support.Stopped',
      cause: 'duplicate request',
    });
    expect(described.stopDate?.getTime()).toBe(stopped.stopDate?.getTime());

    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"verified":true}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);

    const aborted = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'ABORTED' }));
    expect(aborted.executions?.map((e) => e.name)).toContain(request.requestId);
    expect(aborted.executions?.every((e) => e.status === 'ABORTED')).toBe(true);
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
    expect(running.executions?.map((e) => e.name)).toContain(first.requestId);
    expect(running.executions?.map((e) => e.name)).not.toContain(request.requestId);

    const last = await poll(
      async () => {
        const events = await fullHistory(executionArn);
        const end = events[events.length - 1];
        return end?.type === 'ExecutionAborted' ? end : undefined;
      },
      10_000,
      'the aborted event',
    );
    expect(last.executionAbortedEventDetails).toEqual({
      error: 'Support.Stopped',
      cause: 'duplicate request',
    });
  });

  it('stays as it ended when stopped again', async () => {
    const before = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const again = await sfn.send(new StopExecutionCommand({ executionArn, error: 'Other' }));
    expect(again.stopDate?.getTime()).toBe(before.stopDate?.getTime());
    const after = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(after).toMatchObject({ status: 'ABORTED', error: 'Support.Stopped' });
  });

  it('answers an unknown execution ARN with ExecutionDoesNotExist', async () => {
    const unknown = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:20260101-access-ZZZZZZZZZZ`;
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: unknown }))).rejects.toBeInstanceOf(
      ExecutionDoesNotExist,
    );
    await expect(sfn.send(new GetExecutionHistoryCommand({ executionArn: unknown }))).rejects.toBeInstanceOf(
      ExecutionDoesNotExist,
    );
    await expect(sfn.send(new StopExecutionCommand({ executionArn: unknown }))).rejects.toBeInstanceOf(
      ExecutionDoesNotExist,
    );
  });
});
