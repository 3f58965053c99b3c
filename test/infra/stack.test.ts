import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEPLOYMENT, type DeploymentEntry, ROUTES, TASKS, type TaskName } from '../../functions/deployment';
import { functionArnVariable } from '../../workflows/definition';
import { accessGranted, grantsOf } from './support/policies';
import { synth } from './support/synth';

// One synth for the whole file: it is the slow part.
const { app, template } = synth();
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties?: Record<string, unknown> }
>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const keyRef = { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] };

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const statements = (roleIdPrefix = ''): Statement[] =>
  ofType('AWS::IAM::Policy')
    .filter(([id]) => id.startsWith(roleIdPrefix))
    .flatMap(
      ([, r]) => (r.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
    );

describe('the DSR workflow stack', () => {
  it('deploys the workflow with every task function ARN bound', () => {
    const [[, machine] = []] = ofType('AWS::StepFunctions::StateMachine');
    const definition = machine?.Properties?.DefinitionString as string;
    const substitutions = machine?.Properties?.DefinitionSubstitutions as Record<string, unknown>;
    const placeholders = new Set([...definition.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]));

    expect([...placeholders].sort()).toEqual(Object.keys(substitutions).sort());
    for (const name of Object.keys(TASKS) as TaskName[]) {
      expect(substitutions[functionArnVariable(name)]).toEqual({
        'Fn::GetAtt': [expect.stringMatching(new RegExp(`^Functions${name}Function`)), 'Arn'],
      });
    }
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  it('lets the state machine invoke exactly the task functions', () => {
    const invoke = statements('Workflow').filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    const targets = invoke.flatMap((s) => [s.Resource].flat()) as { 'Fn::GetAtt': [string, string] }[];
    expect(targets.map((t) => t['Fn::GetAtt'][0].replace(/Function[0-9A-F]{8}$/, '')).sort()).toEqual(
      Object.keys(TASKS)
        .map((n) => `Functions${n}`)
        .sort(),
    );
  });

  it('serves every route of the route table', () => {
    const methods = ofType('AWS::ApiGateway::Method').map(([, r]) => r.Properties?.HttpMethod);
    expect(methods).toHaveLength(ROUTES.length);
    for (const route of ROUTES) {
      const last = route.path.split('/').filter(Boolean).at(-1);
      if (!last) {
        template.hasResourceProperties('AWS::ApiGateway::Method', {
          HttpMethod: route.method,
          ResourceId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiRestApi'), 'RootResourceId'] },
        });
      } else {
        template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: last });
      }
    }
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ Format: Match.stringLikeRegexp('"requestId"') }),
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 }),
      ]),
    });
  });

  it('builds one Node.js 24 ARM function per task, HTTP function and scheduled job', () => {
    const functions = ofType('AWS::Lambda::Function').map(([, r]) => r.Properties ?? {});
    expect(functions).toHaveLength(Object.keys(DEPLOYMENT).length);
    for (const fn of functions) {
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('runs the export functions with the V8 heap flags their registry entries give, and no other function with any', () => {
    const nodeOptionsOf = (name: string) => {
      const found = ofType('AWS::Lambda::Function').find(([id]) =>
        new RegExp(`^Functions${name}Function[0-9A-F]{8}$`).test(id),
      );
      const variables = (found?.[1].Properties?.Environment as { Variables?: Record<string, unknown> })
        ?.Variables;
      return variables?.NODE_OPTIONS;
    };
    expect(TASKS.ExportStore.nodeOptions?.length).toBeGreaterThan(0);
    for (const [name, entry] of Object.entries(DEPLOYMENT) as [string, DeploymentEntry][]) {
      const options = entry.nodeOptions;
      expect({ name, NODE_OPTIONS: nodeOptionsOf(name) }).toEqual({ name, NODE_OPTIONS: options?.join(' ') });
    }
    expect(nodeOptionsOf('PackageExport')).toBe(TASKS.ExportStore.nodeOptions?.join(' '));
  });

  it('keeps the ledger encrypted with the CMK, recoverable and retained', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { KMSMasterKeyId: keyRef },
          }),
        ],
      }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('locks the exports bucket down and expires exports after 8 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyRef },
          }),
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'exports/', ExpirationInDays: 8, Status: 'Enabled' }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
    for (const [, bucket] of ofType('AWS::S3::Bucket')) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    const policies = ofType('AWS::S3::BucketPolicy').map(([, r]) => JSON.stringify(r.Properties));
    expect(policies).toHaveLength(ofType('AWS::S3::Bucket').length);
    for (const policy of policies) expect(policy).toContain('"aws:SecureTransport":"false"');
  });

  it('locks certificates of erasure for the 10-year tax retention and waits a day before erasing, by default', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 3653 } },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DSR_DELETE_GRACE_SECONDS: '86400' }) },
    });
  });

  it('grants no wildcard action on any service', () => {
    const actions = statements().flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a))).toEqual([]);
  });

  it('grants no wildcard action on the ledger, the guard tables, the buckets or any data store', () => {
    const dataStore = /Table|Bucket|:dynamodb:|:s3:::/;
    const onData = grantsOf(template).filter((g) => dataStore.test(g.resource));
    expect(onData.length).toBeGreaterThan(0);
    expect(onData.filter((g) => g.action.includes('*'))).toEqual([]);
  });

  it('rate-limits each client IP at the WAF by default: 300 POSTs and 1500 requests per 5 minutes', () => {
    const [[, acl] = []] = ofType('AWS::WAFv2::WebACL');
    const limits = Object.fromEntries(
      (
        (acl?.Properties?.Rules ?? []) as {
          Name: string;
          Statement: { RateBasedStatement?: { Limit: number } };
        }[]
      )
        .filter((r) => r.Statement.RateBasedStatement)
        .map((r) => [r.Name, r.Statement.RateBasedStatement?.Limit]),
    );
    expect(limits).toEqual({ LimitWritesPerIp: 300, LimitRequestsPerIp: 1500 });
  });

  it('grants every function exactly the access its registry entry declares', () => {
    const grants = grantsOf(template);
    const registry: Record<string, readonly string[]> = Object.fromEntries(
      Object.entries(DEPLOYMENT).map(([n, e]) => [n, e.access]),
    );
    for (const [name, declared] of Object.entries(registry)) {
      // No SES contact list is configured by default, so `contacts:write` has nothing to grant;
      // `mail:support` only widens `mail:send` to support's address when one is configured.
      const expected = declared.filter((access) => access !== 'contacts:write' && access !== 'mail:support');
      expect({ name, access: accessGranted(grants, name) }).toEqual({ name, access: [...expected].sort() });
    }
  });

  it('grants no SES contact-list access and names no contact list unless one is configured', () => {
    const actions = statements().flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => /^ses:(Create|Update)Contact$/.test(a))).toEqual([]);
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties?.Environment).not.toHaveProperty('Variables.DSR_SES_CONTACT_LIST');
    }
  });

  it('lets only the functions declaring workflow:callback resume a paused workflow', () => {
    const callbacks = ofType('AWS::IAM::Policy')
      .filter(([, r]) => JSON.stringify(r.Properties).includes('states:SendTaskSuccess'))
      .map(([id]) => id.replace(/^Functions/, '').replace(/FunctionRole.*$/, ''))
      .sort();
    const declared = Object.entries(DEPLOYMENT)
      .filter(([, t]) => (t.access as readonly string[]).includes('workflow:callback'))
      .map(([n]) => n)
      .sort();
    expect(declared).toEqual(
      expect.arrayContaining(['VerifyRequest', 'NotifyProcessor', 'ProcessorCallback']),
    );
    expect(callbacks).toEqual(declared);
  });

  it('gives a function with no declared access nothing beyond its logs and traces', () => {
    const actions = statements('FunctionsPagesFunctionRole').flatMap((s) => [s.Action].flat());
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => !/^(logs|xray):/.test(a))).toEqual([]);
  });

  it('lets only the functions that mail send mail', () => {
    const senders = ofType('AWS::IAM::Policy')
      .filter(([, r]) => JSON.stringify(r.Properties).includes('ses:SendEmail'))
      .map(([id]) => id.replace(/^Functions/, '').replace(/FunctionRole.*$/, ''))
      .sort();
    const declared = Object.entries(DEPLOYMENT)
      .filter(([, t]) => (t.access as readonly string[]).includes('mail:send'))
      .map(([n]) => n)
      .sort();
    expect(senders).toEqual(declared);
  });

  it('has no unacknowledged AwsSolutions or Serverless findings', () => {
    const findings = [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
      pack.validateScope(app).violations.map((v) => v.ruleName),
    );
    expect(findings).toEqual([]);
  });

  it('keeps the logical ids of stateful resources stable', () => {
    const stateful = Object.entries(resources)
      .filter(([, r]) =>
        [
          'AWS::KMS::Key',
          'AWS::DynamoDB::GlobalTable',
          'AWS::S3::Bucket',
          'AWS::SecretsManager::Secret',
          'AWS::StepFunctions::StateMachine',
          'AWS::SQS::Queue',
          'AWS::WAFv2::WebACL',
        ].includes(r.Type),
      )
      .map(([id, r]) => `${r.Type} ${id}`)
      .sort();
    expect(stateful).toEqual([
      'AWS::DynamoDB::GlobalTable AuditTrailTable5A8BB42B',
      'AWS::DynamoDB::GlobalTable IdempotencyTable48612DF4',
      'AWS::DynamoDB::GlobalTable LedgerTable9343E4AA',
      'AWS::DynamoDB::GlobalTable RateLimitsTable29A563C1',
      'AWS::DynamoDB::GlobalTable SuppressionTableE8D1D573',
      'AWS::KMS::Key EncryptionKey3A692D6E',
      'AWS::S3::Bucket AuditBucket7486E833',
      'AWS::S3::Bucket ExportsAccessLogs43BFA596',
      'AWS::S3::Bucket ExportsBucket54D5CE64',
      'AWS::SQS::Queue SchedulesDeadLetterQueue84E31400',
      'AWS::SecretsManager::Secret PartnerSecretsLogisticsSecret3A715200',
      'AWS::SecretsManager::Secret PartnerSecretsPaymentsSecret54AFA98F',
      'AWS::SecretsManager::Secret SecretsHashingKeyCC1E433D',
      'AWS::StepFunctions::StateMachine WorkflowStateMachine8F1B1C15',
      'AWS::WAFv2::WebACL FirewallWebAcl5A849C4E',
    ]);
  });

  it('subscribes no one to the alarm topic without a support address, yet still sends every alarm to it', () => {
    expect(ofType('AWS::SNS::Subscription')).toEqual([]);
    const [[topicId] = []] = ofType('AWS::SNS::Topic');
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties?.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('creates no demo stores unless asked', () => {
    expect(ofType('AWS::DynamoDB::GlobalTable').filter(([id]) => id.startsWith('DemoStores'))).toEqual([]);
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties?.Environment).not.toHaveProperty('Variables.DSR_STORE_BINDINGS');
    }
  });
});

describe('the clocks a deployment chooses', () => {
  it('refuses at synth to start a US-CA or Indonesian clock at verification, naming the law', () => {
    expect(() => synth({ clockStartAtVerification: 'US-CA' })).toThrow(/§7021\(b\)/);
    expect(() => synth({ clockStartAtVerification: 'ID' })).toThrow(/UU PDP/);
  });

  it('tells every function when EU clocks start at verification, and the holidays and margin', () => {
    const chosen = synth({
      clockStartAtVerification: 'EU',
      holidays: '2026-12-25',
      deadlineMarginSeconds: 7200,
    }).template;
    const functions = Object.values(chosen.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        DSR_CLOCK_START_AT_VERIFICATION: 'EU',
        DSR_HOLIDAYS: '2026-12-25',
        DSR_DEADLINE_MARGIN_SECONDS: '7200',
      });
    }
  });
});
