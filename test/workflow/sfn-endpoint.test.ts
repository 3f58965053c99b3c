import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { type SfnEndpoint, startSfnEndpoint } from '../../infra/local/sfn-endpoint';
import { WorkflowRunner } from '../../infra/local/workflow-runner';
import { eventually, stubHandlers } from '../support/stub-handlers';

describe('the local Step Functions endpoint, used through the real SDK client', () => {
  let runner: WorkflowRunner;
  let endpoint: SfnEndpoint;
  let sfn: SFNClient;
  const stubs = stubHandlers();

  beforeAll(async () => {
    runner = new WorkflowRunner({ handlers: stubs.handlers, retryIntervalMs: 0 });
    endpoint = await startSfnEndpoint(runner);
    sfn = new SFNClient({
      endpoint: endpoint.url,
      region: 'ap-southeast-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    sfn.destroy();
    await runner.stop();
    await endpoint.stop();
  });

  it('starts an execution named after the request and completes it through SendTaskSuccess', async () => {
    const requestId = '20260101-access-AAAAAAAAAA';
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: runner.stateMachineArn,
        name: requestId,
        input: JSON.stringify({ requestId, type: 'access' }),
      }),
    );
    expect(started.executionArn).toMatch(new RegExp(`:${requestId}$`));
    expect(started.startDate).toBeInstanceOf(Date);

    const token = await eventually(() => runner.waitingTokens(requestId)[0]);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    await runner.waitFor(requestId);

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(described.name).toBe(requestId);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    expect(history.events?.length).toBeGreaterThan(5);
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: runner.stateMachineArn }));
    expect(listed.executions?.map((e) => e.name)).toContain(requestId);
  });

  it('refuses a second execution with the same name as ExecutionAlreadyExists', async () => {
    const input = {
      stateMachineArn: runner.stateMachineArn,
      name: '20260101-access-BBBBBBBBBB',
      input: '{"requestId":"20260101-access-BBBBBBBBBB","type":"access"}',
    };
    await sfn.send(new StartExecutionCommand(input));
    await expect(sfn.send(new StartExecutionCommand(input))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('answers a callback with an unknown token as TaskDoesNotExist', async () => {
    await expect(
      sfn.send(new SendTaskFailureCommand({ taskToken: 'unknown', error: 'VerificationRejected' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
  });
});
