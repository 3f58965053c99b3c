import path from 'node:path';
import { CfnOutput, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { type DataMap, isProcessor } from '../functions/core/data-map';
import { JOBS, ROUTES } from '../functions/deployment';
import { Alerts } from './constructs/alerts';
import { Api } from './constructs/api';
import { AuditBucket } from './constructs/audit-bucket';
import { AuditTrailTable } from './constructs/audit-trail';
import { ContactList } from './constructs/contact-list';
import { DemoStores } from './constructs/demo-stores';
import { Encryption } from './constructs/encryption';
import { ExportsBucket } from './constructs/exports-bucket';
import { Firewall } from './constructs/firewall';
import { type ClockSettings, Functions, type RateLimitSettings } from './constructs/functions';
import { Idempotency, RateLimits } from './constructs/guard-tables';
import { Ledger } from './constructs/ledger';
import { MailFeedback } from './constructs/mail-feedback';
import { Monitoring } from './constructs/monitoring';
import { ProcessorSecrets } from './constructs/processor-secrets';
import { Schedules } from './constructs/schedules';
import { Secrets } from './constructs/secrets';
import { SupportActions } from './constructs/support-actions';
import { SuppressionList } from './constructs/suppression';
import { Workflow } from './constructs/workflow';

export interface DsrWorkflowStackProps extends StackProps {
  /** The data map, already parsed; inlined into every function bundle. */
  readonly dataMap: DataMap;
  /** Create the Impor.in demo tables and buckets and bind the data map's stores to them. */
  readonly demoStores?: boolean;
  /** Sender address of every email. */
  readonly mailFrom: string;
  /** Base URL for links in emails (e.g. a custom domain); default: the API's execute-api URL. */
  readonly publicBaseUrl?: string;
  /** Domain or address to create as an SES identity; default: none (an existing verified identity is used). */
  readonly sesIdentity?: string;
  /** The identity already exists in SES (used by name, never created or deleted by the stack). */
  readonly sesIdentityExists?: boolean;
  /** Days each certificate of erasure is locked (Object Lock). */
  readonly auditRetentionDays: number;
  /** COMPLIANCE (default: nobody can shorten or remove a lock) or GOVERNANCE (a trial: a privileged user can). */
  readonly auditLockMode?: 'COMPLIANCE' | 'GOVERNANCE';
  /** Seconds a verified delete waits, cancellable by the subject, before erasure starts. */
  readonly deleteGraceSeconds: number;
  /** WAF: POST requests one client IP may make in 5 minutes before it gets 429s. */
  readonly wafWriteLimitPer5Min: number;
  /** WAF: requests of any method one client IP may make in 5 minutes before it gets 429s. */
  readonly wafRequestLimitPer5Min: number;
  /** The application's rate limits; unset ones keep the functions' documented defaults. */
  readonly rateLimits?: RateLimitSettings;
  /** Set (and keep) the account-and-region API Gateway CloudWatch role; default: leave the account's as it is. */
  readonly manageApiGatewayAccount?: boolean;
  /** The clocks' settings (start at verification, holidays, margin); unset ones keep the functions' defaults. */
  readonly clockSettings?: ClockSettings;
  /** SES v2 contact list whose topic preferences opt-outs set to OPT_OUT; default: none. */
  readonly sesContactList?: string;
  /** Topics of that contact list to opt out of; default: every topic the list defines. */
  readonly sesContactTopics?: readonly string[];
  /** Create `sesContactList` (with `sesContactTopics`), kept on delete; default: it exists already. */
  readonly createSesContactList?: boolean;
  /**
   * Where processor escalations are emailed (the `mail:support` functions) and every alarm is notified (an
   * email subscription to the alarm topic); default: logged and alarmed only.
   */
  readonly supportEmail?: string;
  /** Repository root holding the handler entries and package-lock.json; tests point it at stubs. */
  readonly projectRoot?: string;
}

/** The whole DSR system: it only composes the constructs, one per concern. */
export class DsrWorkflowStack extends Stack {
  /** The data map the functions are built with (a trial's has no processors). */
  public readonly dataMap: DataMap;
  public readonly encryption: Encryption;
  public readonly alerts: Alerts;
  public readonly ledger: Ledger;
  public readonly rateLimits: RateLimits;
  public readonly idempotency: Idempotency;
  public readonly suppression: SuppressionList;
  public readonly exports: ExportsBucket;
  public readonly audit: AuditBucket;
  /** The audit hash chains (owner: audit). */
  public readonly auditTrail: AuditTrailTable;
  public readonly secrets: Secrets;
  public readonly processorSecrets: ProcessorSecrets;
  public readonly demoStores?: DemoStores;
  public readonly api: Api;
  public readonly firewall: Firewall;
  public readonly schedules: Schedules;
  public readonly functions: Functions;
  public readonly workflow: Workflow;
  public readonly monitoring: Monitoring;
  public readonly supportActions: SupportActions;
  /** The SES configuration set and the route of its bounces and complaints. */
  public readonly mailFeedback: MailFeedback;
  /** The SES contact list, when the stack was asked to create it. */
  public readonly contactList?: ContactList;

  constructor(scope: Construct, id: string, props: DsrWorkflowStackProps) {
    super(scope, id, props);
    this.dataMap = props.dataMap;
    this.encryption = new Encryption(this, 'Encryption');
    const key = this.encryption.key;
    // Every alarm of the stack, in any construct, notifies support through this topic.
    this.alerts = new Alerts(this, 'Alerts', {
      encryptionKey: key,
      ...(props.supportEmail ? { supportEmail: props.supportEmail } : {}),
    });
    this.alerts.notifyEveryAlarmIn(this);
    this.ledger = new Ledger(this, 'Ledger', { encryptionKey: key });
    this.rateLimits = new RateLimits(this, 'RateLimits', { encryptionKey: key });
    this.idempotency = new Idempotency(this, 'Idempotency', { encryptionKey: key });
    this.suppression = new SuppressionList(this, 'Suppression', { encryptionKey: key });
    this.exports = new ExportsBucket(this, 'Exports', { encryptionKey: key });
    this.audit = new AuditBucket(this, 'Audit', {
      encryptionKey: key,
      accessLogsBucket: this.exports.accessLogsBucket,
      retentionDays: props.auditRetentionDays,
      mode: props.auditLockMode ?? 'COMPLIANCE',
    });
    this.auditTrail = new AuditTrailTable(this, 'AuditTrail', { encryptionKey: key });
    this.secrets = new Secrets(this, 'Secrets', { encryptionKey: key });
    // First among the data map's resources: a non-https processor endpoint stops the synth here.
    this.processorSecrets = new ProcessorSecrets(this, 'PartnerSecrets', {
      processors: props.dataMap.stores.filter(isProcessor),
      encryptionKey: key,
    });
    if (props.demoStores) {
      this.demoStores = new DemoStores(this, 'DemoStores', {
        accessLogsBucket: this.exports.accessLogsBucket,
      });
      // `npm run seed -- --target aws` plants a subject in these (read from `cdk deploy --outputs-file`).
      new CfnOutput(this, 'DemoStoreBindings', { value: this.toJsonString(this.demoStores.bindings) });
    }
    if (props.sesIdentity && !props.sesIdentityExists) {
      const identity = new ses.EmailIdentity(this, 'MailIdentity', {
        identity: props.sesIdentity.includes('@')
          ? ses.Identity.email(props.sesIdentity)
          : ses.Identity.domain(props.sesIdentity),
      });
      // The company's sending identity outlives the stack (other mail may use it); a rolled-back create still cleans up.
      identity.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
      if (!props.sesIdentity.includes('@')) {
        // Easy DKIM: publish these three CNAMEs; SES sends nothing until the identity shows Verified.
        identity.dkimRecords.forEach((record, i) => {
          new CfnOutput(this, `SesDkimRecord${i + 1}`, {
            description: `DKIM CNAME ${i + 1} of 3 to publish in ${props.sesIdentity}'s DNS`,
            value: Fn.join(' CNAME ', [record.name, record.value]),
          });
        });
      }
    }
    if (props.createSesContactList) {
      if (!props.sesContactList) throw new Error('createSesContactList needs sesContactList (the name)');
      this.contactList = new ContactList(this, 'ContactList', {
        name: props.sesContactList,
        topics: props.sesContactTopics ?? [],
      });
      new CfnOutput(this, 'SesContactListName', { value: props.sesContactList });
    }
    this.api = new Api(this, 'Api', {
      logKey: key,
      ...(props.manageApiGatewayAccount ? { manageApiGatewayAccount: true } : {}),
    });
    this.schedules = new Schedules(this, 'Schedules');
    this.mailFeedback = new MailFeedback(this, 'MailFeedback', {
      deadLetterQueue: this.schedules.deadLetterQueue,
    });

    // Named from the stack so its ARN is known to the task functions before it exists.
    const stateMachineName = `${this.stackName}-Dsr`;
    this.functions = new Functions(this, 'Functions', {
      dataMap: props.dataMap,
      ledger: this.ledger.table,
      rateLimits: this.rateLimits.table,
      idempotency: this.idempotency.table,
      suppression: this.suppression.table,
      sesConfigurationSet: this.mailFeedback.configurationSet.configurationSetName,
      ...(props.sesContactList ? { sesContactList: props.sesContactList } : {}),
      ...(props.sesContactTopics ? { sesContactTopics: props.sesContactTopics } : {}),
      ...(props.rateLimits ? { rateLimitSettings: props.rateLimits } : {}),
      ...(props.clockSettings ? { clockSettings: props.clockSettings } : {}),
      jobsDeadLetterQueue: this.schedules.deadLetterQueue,
      exportsBucket: this.exports.bucket,
      auditBucket: this.audit.bucket,
      auditTrail: this.auditTrail.table,
      deleteGraceSeconds: props.deleteGraceSeconds,
      encryptionKey: key,
      hashingKey: this.secrets.hashingKey,
      processorSecrets: this.processorSecrets,
      ...(props.supportEmail ? { supportEmail: props.supportEmail } : {}),
      mailFrom: props.mailFrom,
      publicUrl: props.publicBaseUrl?.replace(/\/+$/, '') ?? this.api.defaultBaseUrl,
      stateMachineArn: Workflow.arnFor(this, stateMachineName),
      ...(this.demoStores ? { demoStores: this.demoStores } : {}),
      projectRoot: props.projectRoot ?? path.resolve(__dirname, '..'),
    });
    this.workflow = new Workflow(this, 'Workflow', {
      taskFunctions: this.functions.tasks,
      stateMachineName,
      logKey: key,
    });
    this.functions.grantWorkflowAccess(this.workflow.stateMachine);
    this.api.addRoutes(ROUTES, this.functions.http);
    this.schedules.addJobs(JOBS, this.functions.jobs);
    this.mailFeedback.deliverTo(this.functions.events.MailFeedback);
    this.supportActions = new SupportActions(this, 'SupportActions', {
      supportAction: this.functions.actions.SupportAction,
      stateMachine: this.workflow.stateMachine,
    });
    this.firewall = new Firewall(this, 'Firewall', {
      stage: this.api.stage,
      writeLimitPer5Min: props.wafWriteLimitPer5Min,
      requestLimitPer5Min: props.wafRequestLimitPer5Min,
      logKey: key,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stateMachine: this.workflow.stateMachine,
      restApi: this.api.restApi,
      firewall: this.firewall,
      jobAlarms: [this.schedules.failedRunsAlarm],
      escalationLogs: this.functions.tasks.EscalateProcessor.logs,
    });

    new CfnOutput(this, 'Region', { value: this.region });
    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'LedgerTableName', { value: this.ledger.table.tableName });
    new CfnOutput(this, 'ExportBucketName', { value: this.exports.bucket.bucketName });
    new CfnOutput(this, 'AuditBucketName', { value: this.audit.bucket.bucketName });
    new CfnOutput(this, 'SuppressionTableName', { value: this.suppression.table.tableName });
    new CfnOutput(this, 'SesConfigurationSetName', {
      value: this.mailFeedback.configurationSet.configurationSetName,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'SupportRoleArn', { value: this.supportActions.supportRole.roleArn });
  }
}
