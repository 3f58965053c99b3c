/**
 * The Step Functions API (JSON 1.0 protocol, as `@aws-sdk/client-sfn` speaks
 * it) in front of the local workflow runner, so handlers use the real SDK
 * client through `AWS_ENDPOINT_URL_SFN` exactly as they do in AWS.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { historyOf, page } from './sfn-history';
import {
  type ExecutionRecord,
  StepFunctionsError,
  taskStatesOf,
  type WorkflowRunner,
} from './workflow-runner';

const epochSeconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);

/** The execution without payloads: ListExecutions' summary. */
const summary = (e: ExecutionRecord) => ({
  executionArn: e.executionArn,
  stateMachineArn: e.stateMachineArn,
  name: e.name,
  status: e.status,
  startDate: epochSeconds(e.startDate),
  stopDate: epochSeconds(e.stopDate),
});

const describe = (e: ExecutionRecord) => ({
  ...summary(e),
  input: e.input,
  inputDetails: { included: true },
  ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
  error: e.error,
  cause: e.cause,
  redriveCount: e.redriveCount,
});

const Token = z.string().min(1).max(1024);
const Arn = z.string().min(1).max(256);
const PageSize = z.number().int().min(0).max(1000).optional();
const NextToken = z.string().min(1).max(1024).optional();
const Status = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']);

/** One entry per supported operation: its input schema and what it does. */
function operations(runner: WorkflowRunner): Record<string, (body: unknown) => unknown> {
  const machine = () => {
    const arn = runner.stateMachineArn;
    const [, partition, , , account] = arn.split(':');
    return {
      stateMachineArn: arn,
      name: arn.split(':').pop() ?? arn,
      type: 'STANDARD',
      creationDate: epochSeconds(runner.creationDate),
      // No role exists locally: a placeholder in the machine's account.
      roleArn: `arn:${partition}:iam::${account}:role/dsr-workflow-local`,
    };
  };
  const checkMachine = (arn: string) => {
    if (!arn.startsWith('arn:')) throw new StepFunctionsError('InvalidArn', 'invalid state machine arn');
    if (arn !== runner.stateMachineArn) {
      throw new StepFunctionsError('StateMachineDoesNotExist', 'state machine does not exist');
    }
  };
  const execution = (body: unknown) => {
    const arn = z.object({ executionArn: Arn }).parse(body).executionArn;
    if (!arn.startsWith('arn:')) throw new StepFunctionsError('InvalidArn', 'invalid execution arn');
    const record = runner.describeArn(arn);
    // The runner looks up by name; the ARN must name this machine's execution too.
    if (record.executionArn !== arn) {
      throw new StepFunctionsError('ExecutionDoesNotExist', 'execution does not exist');
    }
    return record;
  };
  // Read on first use: the local system starts this endpoint before the runner exists.
  let resources: Map<string, string> | undefined;
  const taskResources = () => {
    resources ??= new Map(
      taskStatesOf(JSON.parse(runner.definitionText)).map((t) => [t.stateName, t.resource]),
    );
    return resources;
  };
  return {
    StartExecution: (body) => {
      const input = z
        .object({ stateMachineArn: Arn, name: z.string().optional(), input: z.string().default('{}') })
        .parse(body);
      checkMachine(input.stateMachineArn);
      const started = runner.start(input.name ?? crypto.randomUUID(), input.input);
      return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
    },
    ListStateMachines: (body) => {
      z.object({ maxResults: PageSize, nextToken: NextToken }).parse(body);
      const { roleArn: _roleArn, ...listed } = machine();
      return { stateMachines: [listed] };
    },
    DescribeStateMachine: (body) => {
      checkMachine(z.object({ stateMachineArn: Arn }).parse(body).stateMachineArn);
      return { ...machine(), status: 'ACTIVE', definition: runner.definitionText };
    },
    DescribeExecution: (body) => describe(execution(body)),
    ListExecutions: (body) => {
      const input = z
        .object({
          stateMachineArn: Arn,
          statusFilter: Status.optional(),
          maxResults: PageSize,
          nextToken: NextToken,
        })
        .parse(body);
      checkMachine(input.stateMachineArn);
      // Newest first, as AWS lists them.
      const found = page(
        runner.list(),
        (e) => e.name,
        (e) => !input.statusFilter || e.status === input.statusFilter,
        input.maxResults,
        input.nextToken,
      );
      return { executions: found.items.map(summary), nextToken: found.nextToken };
    },
    GetExecutionHistory: (body) => {
      const input = z
        .object({
          maxResults: PageSize,
          nextToken: NextToken,
          reverseOrder: z.boolean().default(false),
          includeExecutionData: z.boolean().default(true),
        })
        .parse(body);
      const events = historyOf(execution(body), {
        roleArn: machine().roleArn,
        resources: taskResources(),
        includeExecutionData: input.includeExecutionData,
      });
      if (input.reverseOrder) events.reverse();
      const found = page(
        events,
        (e) => String(e.id),
        () => true,
        input.maxResults,
        input.nextToken,
      );
      return { events: found.items, nextToken: found.nextToken };
    },
    StopExecution: (body) => {
      const { error, cause } = z
        .object({ error: z.string().max(256).optional(), cause: z.string().max(32768).optional() })
        .parse(body);
      // A finished execution is no error (StopExecution documents none for it): it stays as it ended.
      const stopped = runner.stopExecution(execution(body).executionArn, error, cause);
      return { stopDate: epochSeconds(stopped.stopDate) };
    },
    RedriveExecution: (body) => {
      z.object({ clientToken: z.string().min(1).max(64).optional() }).parse(body);
      // Continues a failed, timed-out or aborted execution from its journal: recorded successes stand.
      runner.redrive(execution(body).executionArn);
      return { redriveDate: Date.now() / 1000 };
    },
    SendTaskSuccess: (body) => {
      const input = z.object({ taskToken: Token, output: z.string() }).parse(body);
      runner.sendTaskSuccess(input.taskToken, input.output);
      return {};
    },
    SendTaskFailure: (body) => {
      const input = z
        .object({ taskToken: Token, error: z.string().optional(), cause: z.string().optional() })
        .parse(body);
      runner.sendTaskFailure(input.taskToken, input.error, input.cause);
      return {};
    },
    SendTaskHeartbeat: (body) => {
      runner.sendTaskHeartbeat(z.object({ taskToken: Token }).parse(body).taskToken);
      return {};
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface SfnEndpoint {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts the endpoint on `port` (0 = any free port). */
export async function startSfnEndpoint(
  runner: WorkflowRunner,
  port = 0,
  host = '127.0.0.1',
): Promise<SfnEndpoint> {
  const ops = operations(runner);
  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('AWSStepFunctions.')
      ? ops[target.slice('AWSStepFunctions.'.length)]
      : undefined;
    if (req.method !== 'POST' || !op) {
      reply(400, { __type: 'UnknownOperationException', message: 'unsupported operation' });
      return;
    }
    try {
      const text = await readBody(req);
      reply(200, op(text ? JSON.parse(text) : {}));
    } catch (error) {
      if (error instanceof StepFunctionsError) reply(400, { __type: error.code, message: error.message });
      else if (error instanceof z.ZodError || error instanceof SyntaxError) {
        reply(400, { __type: 'ValidationException', message: 'invalid request' });
      } else reply(500, { __type: 'InternalFailure', message: 'internal error' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
