import path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DataMap } from '../../functions/core/data-map';
import { HTTP_FUNCTIONS, type HttpFunctionName, type RouteAccess } from '../../functions/http/routes';
import { TASKS, type TaskAccess, type TaskName } from '../../workflows/tasks';
import type { DemoStores } from './demo-stores';
import { DsrFunction } from './dsr-function';
import { EXPORTS_PREFIX } from './exports-bucket';
import { acknowledgeWildcardAction, acknowledgeWildcardResource } from './nag';

type Access = TaskAccess | RouteAccess;

export interface FunctionsProps {
  readonly dataMap: DataMap;
  readonly ledger: dynamodb.ITableV2;
  readonly exportsBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  readonly hashingKey: secretsmanager.ISecret;
  /** SES identities (domain and/or address) the functions may send from. */
  readonly mailIdentities: readonly string[];
  readonly mailFrom: string;
  /** Base URL of the API for links in emails, no trailing slash. */
  readonly publicUrl: string;
  /** ARN of the workflow state machine, known before it exists (see Workflow.arnFor). */
  readonly stateMachineArn: string;
  readonly demoStores?: DemoStores;
  /** Repository root: the registry's entry paths, package-lock.json and esbuild's working directory. */
  readonly projectRoot: string;
}

/**
 * One function per workflow task and per HTTP function, each granted exactly
 * the access its registry entry declares. Workflow grants come later, once
 * the state machine exists ({@link Functions.grantWorkflowAccess}).
 */
export class Functions extends Construct {
  public readonly tasks: Readonly<Record<TaskName, DsrFunction>>;
  public readonly http: Readonly<Record<HttpFunctionName, DsrFunction>>;
  private readonly props: FunctionsProps;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    this.props = props;
    const environment: Record<string, string> = {
      DSR_LEDGER_TABLE: props.ledger.tableName,
      DSR_EXPORT_BUCKET: props.exportsBucket.bucketName,
      DSR_STATE_MACHINE_ARN: props.stateMachineArn,
      DSR_MAIL_FROM: props.mailFrom,
      DSR_PUBLIC_URL: props.publicUrl,
      DSR_SECRET_ARN: props.hashingKey.secretArn,
      ...(props.demoStores
        ? { DSR_STORE_BINDINGS: Stack.of(this).toJsonString(props.demoStores.bindings) }
        : {}),
    };
    const make = (
      name: string,
      entry: string,
      description: string,
      size: { timeout: Duration; memorySize?: number },
    ) =>
      new DsrFunction(this, name, {
        entry: path.join(props.projectRoot, entry),
        projectRoot: props.projectRoot,
        depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
        handler: 'handler',
        description,
        dataMap: props.dataMap,
        logKey: props.encryptionKey,
        environment,
        ...size,
      });

    const tasks = {} as Record<TaskName, DsrFunction>;
    for (const [name, task] of Object.entries(TASKS) as [TaskName, (typeof TASKS)[TaskName]][]) {
      const fn = make(`${name}Function`, task.entry, task.description, {
        timeout: Duration.seconds(task.timeoutSeconds),
        memorySize: task.memoryMb,
      });
      for (const access of task.access) this.grant(fn, access);
      tasks[name] = fn;
    }
    const http = {} as Record<HttpFunctionName, DsrFunction>;
    for (const [name, def] of Object.entries(HTTP_FUNCTIONS) as [
      HttpFunctionName,
      (typeof HTTP_FUNCTIONS)[HttpFunctionName],
    ][]) {
      const fn = make(`${name}Function`, def.entry, def.description, {
        // API Gateway gives up after 29 s; handlers do a few reads and writes.
        timeout: Duration.seconds(10),
      });
      for (const access of def.access) {
        if (access !== 'workflow:start' && access !== 'workflow:callback') this.grant(fn, access);
      }
      http[name] = fn;
    }
    this.tasks = tasks;
    this.http = http;
  }

  /** Grants `workflow:start` and `workflow:callback` on the state machine, as the HTTP registry declares. */
  public grantWorkflowAccess(stateMachine: sfn.IStateMachine): void {
    for (const [name, def] of Object.entries(HTTP_FUNCTIONS) as [
      HttpFunctionName,
      (typeof HTTP_FUNCTIONS)[HttpFunctionName],
    ][]) {
      const access: readonly RouteAccess[] = def.access;
      if (access.includes('workflow:start')) stateMachine.grantStartExecution(this.http[name]);
      if (access.includes('workflow:callback')) {
        // Success or failure only: the verify function resumes a paused execution, it never heartbeats.
        this.http[name].addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
            resources: [stateMachine.stateMachineArn],
          }),
        );
      }
    }
  }

  private grant(fn: DsrFunction, access: Access): void {
    const { ledger, exportsBucket, encryptionKey, hashingKey } = this.props;
    const role = fn.role as iam.IRole;
    switch (access) {
      case 'ledger:read':
        ledger.grantReadData(fn);
        acknowledgeWildcardResource(
          role,
          `${ledger.tableArn}/index/*`,
          'Reads query the ledger by its bySubject index; the grant covers the table indexes only',
        );
        return;
      case 'ledger:write':
        ledger.grantWriteData(fn);
        for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
          acknowledgeWildcardAction(
            role,
            action,
            'CDK grant for writing the CMK-encrypted ledger, limited to that one key',
          );
        }
        return;
      case 'secret:read':
        hashingKey.grantRead(fn);
        return;
      case 'exports:read':
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:GetObject'],
            resources: [exportsBucket.arnForObjects(`${EXPORTS_PREFIX}*`)],
          }),
        );
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:ListBucket'],
            resources: [exportsBucket.bucketArn],
            conditions: { StringLike: { 's3:prefix': [`${EXPORTS_PREFIX}*`] } },
          }),
        );
        encryptionKey.grantDecrypt(fn);
        this.acknowledgeExports(role);
        return;
      case 'exports:write':
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
            resources: [exportsBucket.arnForObjects(`${EXPORTS_PREFIX}*`)],
          }),
        );
        // SSE-KMS uploads (multipart ones included) need a data key and to read it back.
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: [encryptionKey.keyArn],
          }),
        );
        this.acknowledgeExports(role);
        return;
      case 'mail:send':
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['ses:SendEmail'],
            resources: this.props.mailIdentities.map((identity) =>
              Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
            ),
          }),
        );
        return;
      case 'stores:read':
        this.grantStoresRead(fn);
        return;
      case 'workflow:start':
      case 'workflow:callback':
        throw new Error(`${access} is granted by grantWorkflowAccess`);
      default: {
        const unknown: never = access;
        throw new Error(`no grant for access ${String(unknown)}`);
      }
    }
  }

  /** Query on each DynamoDB store (and the index it is located by); list/get under each S3 store's prefix. */
  private grantStoresRead(fn: DsrFunction): void {
    const stack = Stack.of(this);
    const { dataMap, demoStores } = this.props;
    for (const store of dataMap.stores) {
      if (store.kind === 'dynamodb') {
        const tableArn =
          demoStores?.tables[store.id]?.tableArn ??
          stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: store.table });
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['dynamodb:Query'],
            resources: [tableArn, ...(store.locate.index ? [`${tableArn}/index/${store.locate.index}`] : [])],
          }),
        );
      } else {
        const bucketName = demoStores?.buckets[store.id]?.bucketName ?? store.bucket;
        const bucketArn = stack.formatArn({
          service: 's3',
          region: '',
          account: '',
          resource: bucketName,
        });
        // Everything before the identity placeholder, e.g. `activity/` of `activity/{customerId}/`.
        const fixedPrefix = store.prefix.slice(0, store.prefix.indexOf('{'));
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:ListBucket'],
            resources: [bucketArn],
            conditions: { StringLike: { 's3:prefix': [`${fixedPrefix}*`] } },
          }),
        );
        const objects = `${bucketArn}/${fixedPrefix}*`;
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
        acknowledgeWildcardResource(
          fn.role as iam.IRole,
          objects,
          `Objects of store ${store.id} are keyed per subject under ${store.prefix}; the subject is known only at run time`,
        );
      }
    }
  }

  private acknowledgeExports(role: iam.IRole): void {
    acknowledgeWildcardResource(
      role,
      this.props.exportsBucket.arnForObjects(`${EXPORTS_PREFIX}*`),
      'Export objects are keyed by request id under exports/, only known at run time; nothing else in the bucket',
    );
  }
}
