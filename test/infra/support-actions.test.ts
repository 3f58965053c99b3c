/**
 * Support's console actions as deployed: one SSM Automation document per
 * action, typed parameters, a payload the SupportAction function accepts, and
 * roles that can do only this.
 */
import { SupportCommand } from '../../functions/core/support/support-action';
import { SUPPORT_DOCUMENTS } from '../../functions/deployment';
import { synth } from './support/synth';

const { template } = synth();
interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface Parameter {
  type: string;
  allowedPattern?: string;
  allowedValues?: string[];
  default?: unknown;
}
interface Content {
  assumeRole: unknown;
  parameters: Record<string, Parameter>;
  mainSteps: { action: string; maxAttempts: number; inputs: { FunctionName: unknown; Payload: string } }[];
}
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const documents = Object.fromEntries(
  ofType('AWS::SSM::Document').map(([, r]) => [r.Properties.Name as string, r.Properties.Content as Content]),
);
const [[functionId] = []] = ofType('AWS::Lambda::Function').filter(([id]) =>
  id.startsWith('FunctionsSupportActionFunction'),
);
const policyOf = (rolePrefix: string): Statement[] =>
  ofType('AWS::IAM::Policy')
    .filter(([id]) => id.startsWith(rolePrefix))
    .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

/** What SSM would send for these parameter values (the document's payload with its {{ }} filled in). */
function payloadOf(content: Content, values: Record<string, string | number>): unknown {
  const filled = content.mainSteps[0]?.inputs.Payload.replace(
    /\{\{ ([A-Za-z:_]+) \}\}/g,
    (_m, name: string) => (name === 'automation:EXECUTION_ID' ? 'exec-1234' : String(values[name])),
  );
  return JSON.parse(filled ?? '');
}

describe('support actions in the AWS console', () => {
  it('deploys one Automation document per action under the names the runbook uses', () => {
    expect(Object.keys(documents).sort()).toEqual([
      'DSR-CancelRequest',
      'DSR-CompleteWithExceptions',
      'DSR-ExtendDeadline',
      'DSR-FailRequest',
      'DSR-LiftRestriction',
      'DSR-ListRequests',
      'DSR-RetryFailedStores',
      'DSR-ShowRequest',
    ]);
    for (const content of Object.values(documents)) {
      expect(content.mainSteps).toHaveLength(1);
      expect(content.mainSteps[0]?.action).toBe('aws:invokeLambdaFunction');
      expect(content.mainSteps[0]?.maxAttempts).toBe(1);
      expect(content.mainSteps[0]?.inputs.FunctionName).toEqual({ Ref: functionId });
    }
  });

  it('types and validates every parameter before the function runs', () => {
    const retry = documents['DSR-RetryFailedStores'] as Content;
    const reason = new RegExp(retry.parameters.Reason?.allowedPattern ?? '');
    expect(reason.test('the orders table is back; retrying')).toBe(true);
    expect(reason.test('')).toBe(false);
    expect(reason.test('say "hi"')).toBe(false);
    expect(reason.test('line\nbreak')).toBe(false);
    expect(reason.test('x'.repeat(501))).toBe(false);
    const requestId = new RegExp(retry.parameters.RequestId?.allowedPattern ?? '');
    expect(requestId.test('20261205-access-abcde23456')).toBe(true);
    expect(requestId.test('20261205-access-abcde23456","action":"fail')).toBe(false);
    const list = documents['DSR-ListRequests'] as Content;
    expect(list.parameters.Status?.allowedValues).toEqual(expect.arrayContaining(['any', 'needs_attention']));
    expect(list.parameters.DueWithinHours).toMatchObject({ type: 'Integer', default: 0 });
  });

  it('sends each action a payload the SupportAction function accepts, naming the execution instead of an actor', () => {
    const values = {
      RequestId: '20261205-delete-abcde23456',
      Reason: "processor's API is down until Monday",
      Status: 'any',
      DueWithinHours: 0,
    };
    for (const doc of SUPPORT_DOCUMENTS) {
      const payload = payloadOf(documents[doc.name] as Content, values) as Record<string, unknown>;
      expect(payload).toMatchObject({ action: doc.action, automationExecutionId: 'exec-1234' });
      expect(payload).not.toHaveProperty('actor');
      expect(SupportCommand.safeParse(payload).success).toBe(true);
    }
  });

  it('lets SSM only invoke the SupportAction function, and support only start these documents', () => {
    const automation = policyOf('SupportActionsAutomationRole');
    expect(automation).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [functionId, 'Arn'] },
      }),
    ]);
    for (const content of Object.values(documents)) {
      expect(JSON.stringify(content.assumeRole)).toContain('SupportActionsAutomationRole');
    }
    const support = policyOf('SupportActionsSupportRole');
    const start = support.filter((s) => [s.Action].flat().includes('ssm:StartAutomationExecution'));
    expect(JSON.stringify(start.map((s) => s.Resource))).not.toMatch(/automation-definition\/\*/);
    expect(JSON.stringify(start.map((s) => s.Resource)).match(/automation-definition\/DSR-/g)).toHaveLength(
      SUPPORT_DOCUMENTS.length,
    );
    const passRole = support.find((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole?.Condition?.StringEquals).toEqual({ 'iam:PassedToService': 'ssm.amazonaws.com' });
    expect(JSON.stringify(passRole?.Resource)).toContain('SupportActionsAutomationRole');
    const actions = support.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => /Delete|Put|Update|SendTask|StartExecution|Invoke/.test(a))).toEqual([]);
  });
});
