import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DATA_MAP_DEFINE } from '../../functions/aws/config';
import type { DataMap } from '../../functions/core/data-map';

export interface DsrFunctionProps
  extends Omit<nodejs.NodejsFunctionProps, 'runtime' | 'architecture' | 'role' | 'logGroup' | 'bundling'> {
  readonly entry: string;
  /** Validated at synth and inlined into the bundle, which trusts it (DSR_BUNDLED_DATA_MAP, see functions/aws/config.ts). */
  readonly dataMap: DataMap;
  /** Encrypts the function's log group. */
  readonly logKey: kms.IKey;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The house Lambda function: Node.js 24 on ARM, X-Ray tracing, its own role
 * (no managed policies) and its own encrypted log group with retention, the
 * AWS SDK bundled and the data map inlined at bundle time.
 */
export class DsrFunction extends nodejs.NodejsFunction {
  /** The function's own log group (metric filters read it). */
  public readonly logs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DsrFunctionProps) {
    const { dataMap, logKey, logRetention, ...rest } = props;
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${id} function`,
    });
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: logRetention ?? logs.RetentionDays.THREE_MONTHS,
      encryptionKey: logKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      timeout: Duration.seconds(10),
      memorySize: 256,
      ...rest,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      role,
      logGroup,
      // The source map ships beside the bundle for reading a trace later, but is not loaded at every cold
      // start (`--enable-source-maps` parses megabytes before the first request).
      environment: { ...rest.environment },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node24',
        // The ES module builds first (the AWS SDK ships both): esbuild then keeps only the commands, serde
        // and credential code a function imports, where a CommonJS build is included whole (see docs/PERFORMANCE.md).
        mainFields: ['module', 'main'],
        externalModules: [],
        define: { [DATA_MAP_DEFINE]: JSON.stringify(JSON.stringify(dataMap)) },
      },
    });
    this.logs = logGroup;
    // Explicit log permissions instead of the AWSLambdaBasicExecutionRole managed policy.
    logGroup.grantWrite(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions',
    });
    // Without a dead-letter queue it must be invoked synchronously (API Gateway, Step Functions):
    // the caller sees and retries errors. Scheduled jobs, invoked asynchronously, pass a queue.
    if (!props.deadLetterQueue && !props.deadLetterQueueEnabled) {
      Validations.of(this).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously by API Gateway and Step Functions; failures return to the caller, which retries and catches',
      });
    }
  }
}
