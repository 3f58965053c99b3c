/**
 * The Step Functions API (JSON 1.0 protocol, as `@aws-sdk/client-sfn` speaks
 * it) in front of the local workflow runner, so handlers use the real SDK
 * client through `AWS_ENDPOINT_URL_SFN` exactly as they do in AWS.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { type ExecutionRecord, StepFunctionsError, type WorkflowRunner } from './workflow-runner';

const epochSeconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);

const describe = (e: ExecutionRecord) => ({
  executionArn: e.executionArn,
  stateMachineArn: e.stateMachineArn,
  name: e.name,
  status: e.status,
  startDate: epochSeconds(e.startDate),
  stopDate: epochSeconds(e.stopDate),
  input: e.input,
  output: e.output,
  error: e.error,
  cause: e.cause,
});

const Token = z.string().min(1).max(1024);

/** One entry per supported operation: its input schema and what it does. */
function operations(runner: WorkflowRunner): Record<string, (body: unknown) => unknown> {
  return {
    StartExecution: (body) => {
      const input = z
        .object({ stateMachineArn: z.string(), name: z.string().optional(), input: z.string().default('{}') })
        .parse(body);
      if (input.stateMachineArn !== runner.stateMachineArn) {
        throw new StepFunctionsError('ExecutionDoesNotExist', 'state machine does not exist');
      }
      const started = runner.start(input.name ?? crypto.randomUUID(), input.input);
      return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
    },
    DescribeExecution: (body) =>
      describe(runner.describeArn(z.object({ executionArn: z.string() }).parse(body).executionArn)),
    ListExecutions: () => ({
      // The summary is the description without payloads, as in the real API.
      executions: runner.list().map((e) => {
        const { input: _input, output: _output, error: _error, cause: _cause, ...summary } = describe(e);
        return summary;
      }),
    }),
    GetExecutionHistory: (body) => {
      const execution = runner.describeArn(z.object({ executionArn: z.string() }).parse(body).executionArn);
      return {
        events: execution.events.map((event, i) => ({
          id: i + 1,
          timestamp: event.timestamp / 1000,
          type: event.type,
          ...('state' in event ? { stateName: event.state.name } : {}),
        })),
      };
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
