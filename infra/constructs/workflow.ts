import fs from 'node:fs';
import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { TaskName } from '../../functions/deployment';
import { functionArnVariable, WORKFLOW_DEFINITION_FILE } from '../../workflows/definition';

export interface WorkflowProps {
  /** One function per task entry of the deployment registry (functions/deployment.ts). */
  readonly taskFunctions: Readonly<Record<TaskName, lambda.IFunction>>;
  /** The state machine's name; see {@link Workflow.arnFor} for why it is set. */
  readonly stateMachineName: string;
  readonly logKey: kms.IKey;
  readonly logRetention?: logs.RetentionDays;
}

/** THE workflow: workflows/dsr.asl.json with every `${<Task>FunctionArn}` bound to its function. */
export class Workflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;

  /**
   * The ARN of a state machine named `name`, computable before it exists: the
   * task functions' environment carries it without a dependency cycle (the
   * state machine already depends on them).
   */
  public static arnFor(scope: Construct, name: string): string {
    return Stack.of(scope).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // Under /aws/vendedlogs/: Step Functions then needs no CloudWatch Logs resource policy (whose 5,120
      // characters per account and region other stacks share).
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const entries = Object.entries(props.taskFunctions) as [TaskName, lambda.IFunction][];
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Inlined rather than fromFile (an S3 asset): the template carries the ASL, so `cdk diff` shows workflow changes.
      definitionBody: sfn.DefinitionBody.fromString(fs.readFileSync(WORKFLOW_DEFINITION_FILE, 'utf8')),
      definitionSubstitutions: Object.fromEntries(
        entries.map(([name, fn]) => [functionArnVariable(name), fn.functionArn]),
      ),
      // Execution input/output stay out of the logs: they are ids only, but history stays clean.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // Exactly these functions' unqualified ARNs, which is what the ASL invokes (no `:*` version wildcard).
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: entries.map(([, fn]) => fn.functionArn),
      }),
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery and X-Ray actions Step Functions needs support no resource-level permissions',
    });
  }
}
