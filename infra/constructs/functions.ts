import path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EnvKey } from '../../functions/aws/config';
import {
  type DataMap,
  type DynamoDbStore,
  isChangeable,
  isDataStore,
  type S3Store,
} from '../../functions/core/data-map';
import {
  ACTIONS,
  type Access,
  type ActionName,
  bindEnvironment,
  DEPLOYMENT,
  type DeploymentEntry,
  type EntryName,
  type EventName,
  HTTP_FUNCTIONS,
  type HttpFunctionName,
  type JobName,
  RATE_LIMIT_SETTINGS,
  type RateLimitSetting,
  type TaskName,
} from '../../functions/deployment';
import { CERTIFICATES_PREFIX } from './audit-bucket';
import { AUDIT_HEADS_PREFIX } from './audit-trail';
import type { DemoStores } from './demo-stores';
import { DsrFunction } from './dsr-function';
import { ERASURE_PREFIX, EXPORTS_PREFIX } from './exports-bucket';
import { acknowledgeWildcardAction, acknowledgeWildcardResource } from './nag';
import type { ProcessorSecrets } from './processor-secrets';

/** The clocks' deployment settings (infra/app.ts context keys of the same name). */
export type ClockSettings = Partial<
  Record<'clockStartAtVerification' | 'holidays' | 'deadlineMarginSeconds', string>
>;

/** Context-configurable rate limits (see infra/app.ts) for the functions that limit; unset ones keep their defaults. */
export type RateLimitSettings = Partial<Record<RateLimitSetting, number>>;
/** The settings {@link RateLimitSettings} may carry. */
export const RATE_LIMIT_KEYS: readonly RateLimitSetting[] = RATE_LIMIT_SETTINGS;

/** Where a function's grants reach beyond what its access kind alone says. */
interface GrantScope {
  readonly exports: ExportsScope;
}

/** Where in the exports bucket a function works. */
interface ExportsScope {
  readonly prefixes: readonly string[];
  /**
   * May list the whole bucket. S3 answers a GET of a missing key with 404
   * (NoSuchKey) only to a caller that may list the bucket, and a prefix
   * condition never matches a GET; the erasure tasks tell a first run from a
   * retry by a missing summary. Key names hold request and store ids only.
   */
  readonly listWholeBucket: boolean;
}
/** The tasks: exports, and erasure manifests and summaries. */
const TASK_EXPORTS: ExportsScope = { prefixes: [EXPORTS_PREFIX, ERASURE_PREFIX], listWholeBucket: true };
/** The internet-facing functions only ever serve exports, never erasure files. */
const HTTP_EXPORTS: ExportsScope = { prefixes: [EXPORTS_PREFIX], listWholeBucket: false };

/**
 * Resuming a paused execution: success or failure only (the ASL sets no
 * HeartbeatSeconds, so nothing heartbeats).
 */
const CALLBACK_ACTIONS = ['states:SendTaskSuccess', 'states:SendTaskFailure'];

export interface FunctionsProps {
  readonly dataMap: DataMap;
  readonly ledger: dynamodb.ITableV2;
  /** Rate-limit counters; only `limits:write` functions see it. */
  readonly rateLimits: dynamodb.ITableV2;
  /** Powertools idempotency records; only `idempotency:write` functions see it. */
  readonly idempotency: dynamodb.ITableV2;
  /** The suppression list; only `suppression:write` functions see it. */
  readonly suppression: dynamodb.ITableV2;
  /** SES v2 contact list whose topic preferences an opt-out sets; unset = no contact list, no grant. */
  readonly sesContactList?: string;
  /** Topics of that list to opt out of; unset = every topic the list defines. */
  readonly sesContactTopics?: readonly string[];
  /** SES configuration set every send names (bounce and complaint events); `mail:send` may use it. */
  readonly sesConfigurationSet: string;
  /** Values for the rate-limited functions' env; unset ones keep the code defaults. */
  readonly rateLimitSettings?: RateLimitSettings;
  /** The clocks' settings, as the functions' environment spells them. */
  readonly clockSettings?: ClockSettings;
  readonly exportsBucket: s3.IBucket;
  /** Object Lock bucket of the certificates of erasure; only `audit:write` functions see it. */
  readonly auditBucket: s3.IBucket;
  /** Seconds a verified delete waits, cancellable, before erasure starts. */
  readonly deleteGraceSeconds: number;
  readonly encryptionKey: kms.IKey;
  readonly hashingKey: secretsmanager.ISecret;
  /** The processors' shared HMAC secrets; only `processors:secret` functions may read them. */
  readonly processorSecrets: ProcessorSecrets;
  /** Where processor escalations are emailed; unset = logged and alarmed only. */
  readonly supportEmail?: string;
  readonly mailFrom: string;
  /** Base URL of the API for links in emails, no trailing slash. */
  readonly publicUrl: string;
  /** ARN of the workflow state machine, known before it exists (see Workflow.arnFor). */
  readonly stateMachineArn: string;
  readonly demoStores?: DemoStores;
  /** The audit hash chains (owner: audit); only `audit:append` and `audit:heads` functions see it. */
  readonly auditTrail: dynamodb.ITableV2;
  /** Receives the failed runs of the scheduled jobs and the event functions (both invoked asynchronously). */
  readonly jobsDeadLetterQueue: sqs.IQueue;
  /** Repository root: the registry's entry paths, package-lock.json and esbuild's working directory. */
  readonly projectRoot: string;
}

/**
 * One function per workflow task, HTTP function and scheduled job, each
 * granted exactly the access its registry entry declares. Workflow grants come
 * later, once the state machine exists ({@link Functions.grantWorkflowAccess}).
 */
export class Functions extends Construct {
  public readonly tasks: Readonly<Record<TaskName, DsrFunction>>;
  public readonly http: Readonly<Record<HttpFunctionName, DsrFunction>>;
  public readonly jobs: Readonly<Record<JobName, DsrFunction>>;
  public readonly actions: Readonly<Record<ActionName, DsrFunction>>;
  public readonly events: Readonly<Record<EventName, DsrFunction>>;
  private readonly props: FunctionsProps;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    this.props = props;
    // The deployment's values of the registry's environment names; each function gets those it reads.
    const values: Partial<Record<EnvKey, string>> = {
      ledgerTable: props.ledger.tableName,
      exportBucket: props.exportsBucket.bucketName,
      stateMachineArn: props.stateMachineArn,
      mailFrom: props.mailFrom,
      publicUrl: props.publicUrl,
      secretArn: props.hashingKey.secretArn,
      deleteGraceSeconds: String(props.deleteGraceSeconds),
      ...(props.demoStores ? { storeBindings: Stack.of(this).toJsonString(props.demoStores.bindings) } : {}),
      auditBucket: props.auditBucket.bucketName,
      rateLimitTable: props.rateLimits.tableName,
      ...Object.fromEntries(
        Object.entries(props.rateLimitSettings ?? {}).flatMap(([setting, value]) =>
          value === undefined ? [] : [[setting, String(value)]],
        ),
      ),
      idempotencyTable: props.idempotency.tableName,
      suppressionTable: props.suppression.tableName,
      sesConfigurationSet: props.sesConfigurationSet,
      // Without a contact list there is nothing to update: no list, no topics.
      ...(props.sesContactList
        ? {
            sesContactList: props.sesContactList,
            ...(props.sesContactTopics?.length ? { sesContactTopics: props.sesContactTopics.join(',') } : {}),
          }
        : {}),
      ...(props.supportEmail ? { supportEmail: props.supportEmail } : {}),
      auditTable: props.auditTrail.tableName,
      ...props.clockSettings,
    };
    const built = {} as Record<EntryName, DsrFunction>;
    for (const [name, def] of Object.entries(DEPLOYMENT) as [EntryName, DeploymentEntry][]) {
      const fn = new DsrFunction(this, `${name}Function`, {
        entry: path.join(props.projectRoot, def.entry),
        projectRoot: props.projectRoot,
        depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
        handler: def.handler,
        description: def.description,
        dataMap: props.dataMap,
        logKey: props.encryptionKey,
        timeout: Duration.seconds(def.timeoutSeconds),
        ...(def.memoryMb !== undefined ? { memorySize: def.memoryMb } : {}),
        // EventBridge invokes jobs and event functions asynchronously: Lambda retries twice, then the queue.
        ...(def.kind === 'job' || def.kind === 'event' ? { deadLetterQueue: props.jobsDeadLetterQueue } : {}),
        environment: {
          ...bindEnvironment(def, values),
          ...(def.nodeOptions ? { NODE_OPTIONS: def.nodeOptions.join(' ') } : {}),
        },
      });
      const scope: GrantScope = {
        exports: def.kind === 'route' ? HTTP_EXPORTS : TASK_EXPORTS,
      };
      for (const access of def.access) {
        if (access !== 'workflow:start') this.grant(fn, access, scope);
      }
      built[name] = fn;
    }
    const pick = <N extends EntryName>(kind: DeploymentEntry['kind']) =>
      Object.fromEntries(
        Object.entries(built).filter(([name]) => DEPLOYMENT[name as EntryName].kind === kind),
      ) as Record<N, DsrFunction>;
    const tasks = pick<TaskName>('task');
    const http = pick<HttpFunctionName>('route');
    const jobs = pick<JobName>('job');
    this.tasks = tasks;
    this.http = http;
    this.jobs = jobs;
    this.actions = pick<ActionName>('action');
    this.events = pick<EventName>('event');
  }

  /**
   * Grants `workflow:start` on the state machine, as the HTTP and support action entries declare.
   * (`workflow:callback` needs no state machine object: it is granted on the
   * ARN known in advance, so task functions can have it without a cycle.)
   */
  public grantWorkflowAccess(stateMachine: sfn.IStateMachine): void {
    for (const [name, def] of Object.entries(HTTP_FUNCTIONS) as [HttpFunctionName, DeploymentEntry][]) {
      if (def.access.includes('workflow:start')) stateMachine.grantStartExecution(this.http[name]);
    }
    for (const [name, def] of Object.entries(ACTIONS) as [ActionName, DeploymentEntry][]) {
      if (def.access.includes('workflow:start')) stateMachine.grantStartExecution(this.actions[name]);
    }
  }

  private grant(fn: DsrFunction, access: Access, scope: GrantScope): void {
    const { ledger, exportsBucket, encryptionKey, hashingKey } = this.props;
    const role = fn.role as iam.IRole;
    const { prefixes, listWholeBucket } = scope.exports;
    const exportObjects = prefixes.map((prefix) => exportsBucket.arnForObjects(`${prefix}*`));
    switch (access) {
      case 'ledger:read':
        // What functions/aws/ledger.ts calls: items by request id, requests by index (bySubject, byRetentionDue).
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['dynamodb:GetItem', 'dynamodb:Query'],
            resources: [ledger.tableArn, `${ledger.tableArn}/index/*`],
          }),
        );
        encryptionKey.grant(fn, 'kms:Decrypt', 'kms:DescribeKey');
        acknowledgeWildcardResource(
          role,
          `${ledger.tableArn}/index/*`,
          'Reads query the ledger by its bySubject and byRetentionDue indexes; the grant covers the table indexes only',
        );
        return;
      case 'ledger:write':
        // Conditional puts and updates only: nothing deletes a ledger entry (minimisation updates it).
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
            resources: [ledger.tableArn],
          }),
        );
        this.grantTableKey(fn);
        return;
      case 'secret:read':
        hashingKey.grantRead(fn);
        return;
      case 'exports:read':
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:GetObject'],
            resources: exportObjects,
          }),
        );
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:ListBucket'],
            resources: [exportsBucket.bucketArn],
            ...(listWholeBucket
              ? {}
              : { conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } } }),
          }),
        );
        encryptionKey.grantDecrypt(fn);
        this.acknowledgeExports(role, exportObjects);
        return;
      case 'exports:write':
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
            resources: exportObjects,
          }),
        );
        // SSE-KMS uploads (multipart ones included) need a data key and to read it back.
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: [encryptionKey.keyArn],
          }),
        );
        this.acknowledgeExports(role, exportObjects);
        return;
      case 'limits:write':
        // One atomic `ADD hits :one` per check: no reads, no deletes (old windows expire by TTL).
        this.props.rateLimits.grant(fn, 'dynamodb:UpdateItem');
        this.grantTableKey(fn);
        return;
      case 'idempotency:write':
        // What Powertools' DynamoDB persistence layer calls, nothing more (no Query, no Scan).
        this.props.idempotency.grant(
          fn,
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
        );
        this.grantTableKey(fn);
        return;
      case 'mail:send': {
        // Scoped by the sender, not by identity: in the SES sandbox SES also authorises against the
        // recipient's identity (a tester's verified mailbox), which a list of our identities would refuse.
        const identities = Stack.of(this).formatArn({
          service: 'ses',
          resource: 'identity',
          resourceName: '*',
        });
        // A send that names a configuration set is authorised against it too.
        const configurationSet = Stack.of(this).formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: this.props.sesConfigurationSet,
        });
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['ses:SendEmail'],
            resources: [identities, configurationSet],
            conditions: { StringEquals: { 'ses:FromAddress': this.props.mailFrom } },
          }),
        );
        acknowledgeWildcardResource(
          role,
          identities,
          'SES authorises sender and (in the sandbox) recipient identities; ses:FromAddress pins the sender',
        );
        return;
      }
      case 'processors:secret':
        this.props.processorSecrets.grantRead(fn);
        return;
      case 'workflow:callback':
        // The ARN built from the state machine's name: the machine depends on the task functions, not back.
        fn.addToRolePolicy(
          new iam.PolicyStatement({ actions: CALLBACK_ACTIONS, resources: [this.props.stateMachineArn] }),
        );
        return;
      case 'stores:read':
        this.grantStoresRead(fn);
        return;
      case 'stores:write':
        this.grantStoresWrite(fn);
        return;
      case 'stores:consent':
        this.grantStoresConsent(fn);
        return;
      case 'stores:change':
        this.grantStoresChange(fn);
        return;
      case 'suppression:write':
        // Conditional puts and updates of suppression entries and used-token markers; never a delete or scan.
        this.props.suppression.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
        this.grantTableKey(fn);
        return;
      case 'contacts:write': {
        // Without a configured contact list the function has nothing to update, so it gets no grant.
        const list = this.props.sesContactList;
        if (!list) return;
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['ses:CreateContact', 'ses:UpdateContact'],
            resources: [
              Stack.of(this).formatArn({ service: 'ses', resource: 'contact-list', resourceName: list }),
            ],
          }),
        );
        return;
      }
      case 'audit:write': {
        const certificates = this.props.auditBucket.arnForObjects(`${CERTIFICATES_PREFIX}*`);
        // PutObject only: no read, no delete, no retention or legal-hold changes.
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [certificates] }));
        // SSE-KMS single-part uploads need a data key, nothing more.
        fn.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [encryptionKey.keyArn] }),
        );
        acknowledgeWildcardResource(
          role,
          certificates,
          'Certificates are keyed by request id under certificates/, only known at run time; nothing else in the bucket',
        );
        return;
      }
      case 'certificates:read': {
        const pages = this.props.auditBucket.arnForObjects(`${CERTIFICATES_PREFIX}*/certificate.html`);
        // The person's page only: not the JSON, not the retention addenda, nothing outside certificates/.
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [pages] }));
        encryptionKey.grantDecrypt(fn);
        acknowledgeWildcardResource(
          role,
          pages,
          'Certificate pages are keyed by request id under certificates/, only known at run time; the handler reads the key the ledger names',
        );
        return;
      }
      case 'audit:append':
      case 'audit:heads':
        this.grantAudit(fn, access);
        return;
      case 'automation:caller': {
        const executions = Stack.of(this).formatArn({
          service: 'ssm',
          resource: 'automation-execution',
          resourceName: '*',
        });
        // Which IAM identity started a support document's execution (the actor recorded with the decision).
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['ssm:GetAutomationExecution'],
            resources: [executions],
          }),
        );
        acknowledgeWildcardResource(
          role,
          executions,
          'Execution ids are made at run time; GetAutomationExecution only reads who started one',
        );
        return;
      }
      case 'mail:support':
        // Only the environment (the address) and the `mail:send` scope (its identities) change.
        return;
      case 'workflow:start':
        throw new Error(`${access} is granted by grantWorkflowAccess`);
      default: {
        const unknown: never = access;
        throw new Error(`no grant for access ${String(unknown)}`);
      }
    }
  }

  /**
   * The audit chains (owner: audit): appenders put (conditionally, see functions/aws/audit-trail.ts), get
   * and query, and never update or delete; the heads job queries the table and its day index, and reads
   * and writes only `audit-heads/` in the Object Lock bucket (new versions; locked ones stay).
   */
  private grantAudit(fn: DsrFunction, access: 'audit:append' | 'audit:heads'): void {
    const { auditTrail, auditBucket, encryptionKey } = this.props;
    if (access === 'audit:append') {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'],
          resources: [auditTrail.tableArn],
        }),
      );
      this.grantTableKey(fn);
      return;
    }
    const byDay = `${auditTrail.tableArn}/index/byDay`;
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [auditTrail.tableArn, byDay] }),
    );
    encryptionKey.grant(fn, 'kms:Decrypt', 'kms:DescribeKey');
    const heads = auditBucket.arnForObjects(`${AUDIT_HEADS_PREFIX}*`);
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [heads] }),
    );
    // A missing day's snapshot must read as 404 (NoSuchKey), not 403: listing, under the heads prefix only.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [auditBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${AUDIT_HEADS_PREFIX}*`] } },
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [encryptionKey.keyArn] }),
    );
    acknowledgeWildcardResource(
      fn.role as iam.IRole,
      heads,
      'Chain heads are one object per day under audit-heads/, named at run time; nothing else in the bucket',
    );
  }

  /** Reading and writing items of a table encrypted with the CMK: the key actions CDK's table grants use. */
  private grantTableKey(fn: DsrFunction): void {
    this.props.encryptionKey.grant(
      fn,
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:ReEncrypt*',
      'kms:GenerateDataKey*',
    );
    for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
      acknowledgeWildcardAction(
        fn.role as iam.IRole,
        action,
        'CDK grant for items of a CMK-encrypted table, limited to that one key',
      );
    }
  }

  /**
   * Query on each DynamoDB store (and the index it is located by); list
   * objects and their versions, and get them, under each S3 store's prefix.
   */
  private grantStoresRead(fn: DsrFunction): void {
    for (const store of this.props.dataMap.stores.filter(isDataStore)) {
      if (store.kind === 'dynamodb') {
        const tableArn = this.tableArnOf(store);
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['dynamodb:Query'],
            resources: [tableArn, ...(store.locate.index ? [`${tableArn}/index/${store.locate.index}`] : [])],
          }),
        );
      } else {
        const { bucketArn, fixedPrefix, objects } = this.bucketOf(store);
        // ListBucketVersions: locate reports every recoverable version and delete marker.
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:ListBucket', 's3:ListBucketVersions'],
            resources: [bucketArn],
            conditions: { StringLike: { 's3:prefix': [`${fixedPrefix}*`] } },
          }),
        );
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
        this.acknowledgeStoreObjects(fn, store, objects);
      }
    }
  }

  /**
   * Erasure: delete and update items of each DynamoDB store by its primary key
   * (writes never address an index); in each S3 store's prefix, delete objects
   * with all their versions and rewrite JSON Lines objects in place.
   */
  private grantStoresWrite(fn: DsrFunction): void {
    for (const store of this.props.dataMap.stores.filter(isDataStore)) {
      if (store.kind === 'dynamodb') {
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
            resources: [this.tableArnOf(store)],
          }),
        );
      } else {
        const { bucketArn, fixedPrefix, objects } = this.bucketOf(store);
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:ListBucketVersions'],
            resources: [bucketArn],
            conditions: { StringLike: { 's3:prefix': [`${fixedPrefix}*`] } },
          }),
        );
        // A retried erasure reads objects it already deleted: S3 answers NoSuchKey (not AccessDenied)
        // only to a caller that may list the bucket, and no prefix condition matches a GET.
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucketArn] }));
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
            resources: [objects],
          }),
        );
        this.acknowledgeStoreObjects(fn, store, objects);
      }
    }
  }

  /**
   * Opt-out: `UpdateItem` by primary key, only on DynamoDB stores that declare
   * `marketingConsentFields`; no delete, no put, nothing on any other store.
   */
  private grantStoresConsent(fn: DsrFunction): void {
    const tables = this.props.dataMap.stores
      .filter(isDataStore)
      .flatMap((store) =>
        store.kind === 'dynamodb' && (store.marketingConsentFields?.length ?? 0) > 0
          ? [this.tableArnOf(store)]
          : [],
      );
    if (tables.length === 0) return;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: tables }));
  }

  /**
   * Change requests: `UpdateItem` by primary key, only on DynamoDB stores that
   * declare fields a correction, restriction or withdrawal writes.
   */
  private grantStoresChange(fn: DsrFunction): void {
    const tables = this.props.dataMap.stores
      .filter(isDataStore)
      .flatMap((store) => (store.kind === 'dynamodb' && isChangeable(store) ? [this.tableArnOf(store)] : []));
    if (tables.length === 0) return;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: tables }));
  }

  /** The store's table: the demo table when deployed with demo stores, else the data map's name. */
  private tableArnOf(store: DynamoDbStore): string {
    return (
      this.props.demoStores?.tables[store.id]?.tableArn ??
      Stack.of(this).formatArn({ service: 'dynamodb', resource: 'table', resourceName: store.table })
    );
  }

  /** The store's bucket ARN, the fixed part of its prefix and the ARN pattern of its objects. */
  private bucketOf(store: S3Store): {
    bucketArn: string;
    fixedPrefix: string;
    objects: string;
  } {
    const bucketName = this.props.demoStores?.buckets[store.id]?.bucketName ?? store.bucket;
    const bucketArn = Stack.of(this).formatArn({
      service: 's3',
      region: '',
      account: '',
      resource: bucketName,
    });
    // Everything before the identity placeholder, e.g. `activity/` of `activity/{customerId}/`.
    const fixedPrefix = store.prefix.slice(0, store.prefix.indexOf('{'));
    return { bucketArn, fixedPrefix, objects: `${bucketArn}/${fixedPrefix}*` };
  }

  private acknowledgeStoreObjects(fn: DsrFunction, store: S3Store, objects: string): void {
    acknowledgeWildcardResource(
      fn.role as iam.IRole,
      objects,
      `Objects of store ${store.id} are keyed per subject under ${store.prefix}; the subject is known only at run time`,
    );
  }

  private acknowledgeExports(role: iam.IRole, objects: readonly string[]): void {
    for (const resource of objects) {
      acknowledgeWildcardResource(
        role,
        resource,
        'Export and erasure files are keyed by request id under exports/ and erasure/, only known at run time',
      );
    }
  }
}
