/**
 * Who started a support action in AWS: the SSM Automation execution's
 * `ExecutedBy` (the caller's IAM identity), so the actor recorded with a
 * decision cannot be typed in. The execution must be one of the DSR documents
 * and still running, so a direct invocation with a made-up id is refused.
 */
import { GetAutomationExecutionCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { SupportCallers } from '../core/ports';
import { SupportRefusal } from '../core/support/refusal';

export class AutomationCallers implements SupportCallers {
  constructor(
    private readonly ssm: SSMClient,
    private readonly documentPrefix: string,
  ) {}

  async actorOf(input: { readonly automationExecutionId?: string }): Promise<string> {
    const id = input.automationExecutionId;
    if (!id) {
      throw new SupportRefusal(
        'not_allowed',
        'support actions run through the DSR-* SSM Automation documents',
      );
    }
    const { AutomationExecution: execution } = await this.ssm.send(
      new GetAutomationExecutionCommand({ AutomationExecutionId: id }),
    );
    const running = execution?.AutomationExecutionStatus === 'InProgress';
    if (!execution?.ExecutedBy || !running || !execution.DocumentName?.startsWith(this.documentPrefix)) {
      throw new SupportRefusal(
        'not_allowed',
        `automation execution ${id} is not a running DSR support action`,
      );
    }
    return execution.ExecutedBy;
  }
}

/** The local runtime's callers: the `--actor` (or OS user) the CLI or console page passes. */
export const inputCallers: SupportCallers = {
  actorOf: async ({ actor }: { readonly actor?: string }) => {
    if (!actor) throw new SupportRefusal('invalid_input', 'actor: who is acting is required');
    return actor;
  },
};
