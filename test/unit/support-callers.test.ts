/**
 * Who a support action is recorded against in AWS: the IAM identity that
 * started the DSR-* document's execution, never a name passed in the event.
 */
import { GetAutomationExecutionCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AutomationCallers, inputCallers } from '../../functions/aws/automation';
import { SupportRefusal } from '../../functions/core/support/refusal';

const ssm = mockClient(SSMClient);
const callers = new AutomationCallers(new SSMClient({ region: 'ap-southeast-3' }), 'DSR-');
const SUPPORT_ARN = 'arn:aws:sts::123456789012:assumed-role/DsrSupportRole/ayu';

beforeEach(() => ssm.reset());

describe('support action callers', () => {
  it('names the identity that started a running DSR document, whatever actor the event claims', async () => {
    ssm.on(GetAutomationExecutionCommand, { AutomationExecutionId: 'exec-1' }).resolves({
      AutomationExecution: {
        ExecutedBy: SUPPORT_ARN,
        DocumentName: 'DSR-FailRequest',
        AutomationExecutionStatus: 'InProgress',
      },
    });
    await expect(
      callers.actorOf({ automationExecutionId: 'exec-1', actor: 'someone-else' } as never),
    ).resolves.toBe(SUPPORT_ARN);
  });

  it.each([
    ['another document', { DocumentName: 'AWS-RestartEC2Instance', AutomationExecutionStatus: 'InProgress' }],
    ['a finished execution', { DocumentName: 'DSR-FailRequest', AutomationExecutionStatus: 'Success' }],
  ])('refuses an execution of %s', async (_label, execution) => {
    ssm.on(GetAutomationExecutionCommand).resolves({
      AutomationExecution: { ExecutedBy: SUPPORT_ARN, ...execution },
    } as never);
    await expect(callers.actorOf({ automationExecutionId: 'exec-2' })).rejects.toBeInstanceOf(SupportRefusal);
  });

  it('refuses a direct invocation without an execution id, and asks SSM nothing', async () => {
    await expect(callers.actorOf({})).rejects.toThrow(/SSM Automation documents/);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('locally takes the actor the CLI passes, and refuses none', async () => {
    await expect(inputCallers.actorOf({ actor: 'ayu' })).resolves.toBe('ayu');
    await expect(inputCallers.actorOf({})).rejects.toBeInstanceOf(SupportRefusal);
  });
});
