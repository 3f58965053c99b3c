import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { WorkflowControl } from '../core/ports';
import type { RequestType } from '../core/request';
import { withTransient } from './errors';

/** Starts the request's execution, named after the request id so support can find it. */
export async function startRequestExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  /** `preVerified`: set only by one-click unsubscribe, whose signed token already proves the address. */
  input: { requestId: string; type: RequestType; preVerified?: true },
): Promise<void> {
  await withTransient(() =>
    sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: input.requestId, input: JSON.stringify(input) }),
    ),
  );
}

/** Resumes the waiting verification task. */
export async function completeTask(sfn: SFNClient, taskToken: string, output: unknown): Promise<void> {
  await withTransient(() =>
    sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
  );
}

/** Fails the waiting verification task with an error name the ASL `Catch` matches. */
export async function failTask(
  sfn: SFNClient,
  taskToken: string,
  error: string,
  cause: string,
): Promise<void> {
  await withTransient(() => sfn.send(new SendTaskFailureCommand({ taskToken, error, cause })));
}

/** True when the waiting task no longer exists (timed out or already closed); the names are core's. */
export { isGoneTask } from '../core/workflow-task';

/** The `WorkflowControl` port on Step Functions. */
export class StepFunctionsWorkflow implements WorkflowControl {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  start(input: { requestId: string; type: RequestType; preVerified?: true }): Promise<void> {
    return startRequestExecution(this.sfn, this.stateMachineArn, input);
  }

  succeed(taskToken: string, output: unknown): Promise<void> {
    return completeTask(this.sfn, taskToken, output);
  }

  fail(taskToken: string, error: string, cause: string): Promise<void> {
    return failTask(this.sfn, taskToken, error, cause);
  }
}
