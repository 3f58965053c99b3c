import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { REQUEST_STATUSES } from '../../functions/core/lifecycle';
import { SUPPORT_DOCUMENTS, type SupportDocument, type SupportParameter } from '../../functions/deployment';
import { acknowledgeWildcardResource } from './nag';

export interface SupportActionsProps {
  readonly supportAction: lambda.IFunction;
  readonly stateMachine: sfn.IStateMachine;
}

/**
 * Support's actions in the AWS console: one SSM Automation document per
 * action (SUPPORT_DOCUMENTS), each invoking the SupportAction function through
 * a role that may do nothing else, and the role a support person assumes: it
 * may start those documents, read their results and the workflow's executions.
 */
export class SupportActions extends Construct {
  public readonly automationRole: iam.Role;
  public readonly supportRole: iam.Role;
  public readonly documents: Record<string, ssm.CfnDocument> = {};

  constructor(scope: Construct, id: string, props: SupportActionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.automationRole = new iam.Role(this, 'AutomationRole', {
      description: 'Assumed by SSM Automation to run the DSR-* support documents: invokes SupportAction only',
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
    });
    // The function itself, not `:*` (CDK's grantInvoke adds versions too).
    this.automationRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [props.supportAction.functionArn],
      }),
    );

    for (const doc of SUPPORT_DOCUMENTS) {
      this.documents[doc.name] = new ssm.CfnDocument(this, doc.name.replace(/[^A-Za-z0-9]/g, ''), {
        name: doc.name,
        documentType: 'Automation',
        documentFormat: 'JSON',
        updateMethod: 'NewVersion',
        content: documentContent(doc, props.supportAction.functionName, this.automationRole.roleArn),
      });
    }

    this.supportRole = new iam.Role(this, 'SupportRole', {
      description: 'For support staff: run the DSR-* documents and read requests, executions and alarms',
      assumedBy: new iam.AccountRootPrincipal(),
    });
    const definitions = SUPPORT_DOCUMENTS.map((doc) =>
      stack.formatArn({ service: 'ssm', resource: 'automation-definition', resourceName: `${doc.name}:*` }),
    );
    const documentArns = SUPPORT_DOCUMENTS.map((doc) =>
      stack.formatArn({ service: 'ssm', resource: 'document', resourceName: doc.name }),
    );
    const executions = stack.formatArn({
      service: 'ssm',
      resource: 'automation-execution',
      resourceName: '*',
    });
    const stateMachineExecutions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stack.splitArn(props.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.supportRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['ssm:StartAutomationExecution'], resources: definitions }),
    );
    this.supportRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:DescribeDocument', 'ssm:GetDocument'],
        resources: documentArns,
      }),
    );
    this.supportRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetAutomationExecution', 'ssm:StopAutomationExecution'],
        resources: [executions],
      }),
    );
    this.supportRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.automationRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      }),
    );
    this.supportRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:ListExecutions', 'states:DescribeStateMachine'],
        resources: [props.stateMachine.stateMachineArn],
      }),
    );
    this.supportRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: [stateMachineExecutions],
      }),
    );
    for (const arn of definitions) {
      acknowledgeWildcardResource(this.supportRole, arn, 'Any version of this one support document');
    }
    acknowledgeWildcardResource(
      this.supportRole,
      executions,
      'Automation execution ids are made at run time; starting them is limited to the DSR-* documents',
    );
    acknowledgeWildcardResource(
      this.supportRole,
      stateMachineExecutions,
      "The workflow's executions (named by request id), read-only",
    );
  }
}

/** Each parameter, typed and validated by SSM before the function runs. */
const PARAMETERS: Record<SupportParameter, Record<string, unknown>> = {
  RequestId: {
    type: 'String',
    description: 'The request id, e.g. 20261205-access-abcde23456',
    allowedPattern: '^[A-Za-z0-9_-]{1,64}$',
  },
  Reason: {
    type: 'String',
    description: 'Why (recorded with your IAM identity; the person reads it for complete, fail and extend)',
    // No quotes, backslashes or line breaks: the reason goes into the function's JSON payload as typed.
    allowedPattern: '^[^"\\\\\\r\\n]{3,500}$',
  },
  Status: {
    type: 'String',
    description: 'Only requests in this status (any = all open requests)',
    allowedValues: ['any', ...REQUEST_STATUSES],
    default: 'any',
  },
  DueWithinHours: {
    type: 'Integer',
    description: 'Only requests due within this many hours (0 = any due date)',
    default: 0,
  },
};

const PAYLOAD_FIELD: Record<SupportParameter, string> = {
  RequestId: '"requestId":"{{ RequestId }}"',
  Reason: '"reason":"{{ Reason }}"',
  Status: '"status":"{{ Status }}"',
  DueWithinHours: '"dueWithinHours":{{ DueWithinHours }}',
};

function documentContent(doc: SupportDocument, functionName: string, roleArn: string) {
  const payload = [
    `"action":"${doc.action}"`,
    ...doc.parameters.map((p) => PAYLOAD_FIELD[p]),
    // The function asks SSM who started this execution: the actor is never typed in.
    '"automationExecutionId":"{{ automation:EXECUTION_ID }}"',
  ].join(',');
  return {
    schemaVersion: '0.3',
    description: `${doc.description}. Runs the SupportAction function; a refusal fails the step with its reason.`,
    assumeRole: roleArn,
    parameters: Object.fromEntries(doc.parameters.map((p) => [p, PARAMETERS[p]])),
    mainSteps: [
      {
        name: 'Run',
        action: 'aws:invokeLambdaFunction',
        // One attempt: a refusal is an answer, and a decision must not be applied twice.
        maxAttempts: 1,
        timeoutSeconds: 120,
        onFailure: 'Abort',
        isEnd: true,
        inputs: { FunctionName: functionName, InvocationType: 'RequestResponse', Payload: `{${payload}}` },
      },
    ],
    outputs: ['Run.Payload'],
  };
}
