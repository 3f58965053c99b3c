import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEPLOYMENT, HTTP_FUNCTIONS, type HttpFunctionName, JOBS } from '../../functions/deployment';
import { IDEMPOTENCY_TABLE, RATE_LIMIT_TABLE } from '../../infra/definitions/tables';
import { accessGranted, grantsOf, grantsOfFunction } from './support/policies';
import { synth } from './support/synth';

// Context values unlike the defaults show they travel from context to the resources.
const { app, template } = synth({
  wafRateLimitPer5Min: '120',
  wafRequestLimitPer5Min: '900',
  limitVerifyPerIp: '12',
  maxResends: '2',
});
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const grants = grantsOf(template);
const registry: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(DEPLOYMENT).map(([n, e]) => [n, e.access]),
);
const declaring = (access: string) =>
  Object.keys(registry)
    .filter((name) => registry[name]?.includes(access))
    .sort();
const logicalId = (prefix: string, type: string): string => {
  const ids = Object.keys(resources).filter(
    (id) => resources[id]?.Type === type && new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id),
  );
  if (ids.length !== 1) throw new Error(`expected one ${type} ${prefix}, found ${ids.length}`);
  return ids[0] as string;
};
const environmentOf = (name: string): Record<string, unknown> => {
  const fn = resources[logicalId(`Functions${name}Function`, 'AWS::Lambda::Function')];
  if (!fn) throw new Error(`no function ${name}`);
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
};
const keyArn = { 'Fn::GetAtt': [logicalId('EncryptionKey', 'AWS::KMS::Key'), 'Arn'] };
const rateRule = (name: string) => ({
  Name: name,
  Action: {
    Block: {
      CustomResponse: {
        ResponseCode: 429,
        CustomResponseBodyKey: 'rate-limited',
        ResponseHeaders: [{ Name: 'Retry-After', Value: '300' }],
      },
    },
  },
});

describe('abuse resistance in the deployed stack', () => {
  it('puts a regional WAF web ACL in front of the API stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    const api = logicalId('ApiRestApi', 'AWS::ApiGateway::RestApi');
    const stage = logicalId('ApiRestApiDeploymentStageprod', 'AWS::ApiGateway::Stage');
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [logicalId('FirewallWebAcl', 'AWS::WAFv2::WebACL'), 'Arn'] },
      ResourceArn: {
        'Fn::Join': ['', [Match.stringLikeRegexp(':apigateway:'), { Ref: api }, '/stages/', { Ref: stage }]],
      },
    });
  });

  it('answers 429 with Retry-After to a client IP over the configured WAF rate limits', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          ...rateRule('LimitWritesPerIp'),
          Statement: {
            RateBasedStatement: Match.objectLike({
              Limit: 120,
              AggregateKeyType: 'IP',
              EvaluationWindowSec: 300,
              ScopeDownStatement: {
                ByteMatchStatement: Match.objectLike({ FieldToMatch: { Method: {} }, SearchString: 'POST' }),
              },
            }),
          },
        }),
      ]),
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          ...rateRule('LimitRequestsPerIp'),
          Statement: { RateBasedStatement: { Limit: 900, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
        }),
      ]),
    });
    const [acl] = Object.values(resources).filter((r) => r.Type === 'AWS::WAFv2::WebACL');
    const bodies = acl?.Properties.CustomResponseBodies as Record<string, { Content: string }>;
    expect(JSON.parse(bodies['rate-limited']?.Content ?? '{}')).toEqual({
      error: 'rate_limited',
      message: expect.stringMatching(/wait/),
    });
  });

  it('blocks known bad inputs and common exploits, leaving oversized bodies to the handlers’ 413', () => {
    const managed = (name: string, overrides?: unknown) =>
      Match.objectLike({
        Name: name,
        OverrideAction: { None: {} },
        Statement: {
          ManagedRuleGroupStatement: {
            VendorName: 'AWS',
            Name: name,
            ...(overrides ? { RuleActionOverrides: overrides } : {}),
          },
        },
      });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        managed('AWSManagedRulesKnownBadInputsRuleSet'),
        managed('AWSManagedRulesCommonRuleSet', [
          { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
        ]),
      ]),
    });
  });

  it("leaves processors' signed callbacks out of the common rule set (servers often send no User-Agent)", () => {
    const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0];
    const rules =
      (acl?.Properties as { Rules?: { Name: string; Statement: unknown }[] } | undefined)?.Rules ?? [];
    const common = rules.find((r) => r.Name === 'AWSManagedRulesCommonRuleSet');
    const scope = JSON.stringify(common?.Statement);
    expect(scope).toContain('"NotStatement"');
    expect(scope).toMatch(/"SearchString":"\/processors\/"[\s\S]*"SearchString":"\/callback"/);
    const known = rules.find((r) => r.Name === 'AWSManagedRulesKnownBadInputsRuleSet');
    expect(JSON.stringify(known?.Statement)).not.toContain('ScopeDownStatement');
  });

  it('logs only the requests a rule blocked or counted, query strings and the Authorization header (tokens) redacted, under the CMK', () => {
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: { 'Fn::GetAtt': [logicalId('FirewallWebAcl', 'AWS::WAFv2::WebACL'), 'Arn'] },
      RedactedFields: [{ QueryString: {} }, { SingleHeader: { Name: 'authorization' } }],
      LoggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          Match.objectLike({
            Behavior: 'KEEP',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'),
      KmsKeyId: keyArn,
    });
    // The console's sampled requests would show full query strings; every rule and the ACL turn them off.
    const visibility = JSON.stringify(
      Object.values(resources).filter((r) => r.Type === 'AWS::WAFv2::WebACL'),
    ).match(/"SampledRequestsEnabled":(true|false)/g);
    expect(visibility?.length).toBeGreaterThan(0);
    expect(new Set(visibility)).toEqual(new Set(['"SampledRequestsEnabled":false']));
  });

  it('encrypts the ledger, rate-limit and idempotency tables with the customer-managed key', () => {
    for (const table of ['LedgerTable', 'RateLimitsTable', 'IdempotencyTable']) {
      const props = resources[logicalId(table, 'AWS::DynamoDB::GlobalTable')]?.Properties;
      expect({ table, props }).toMatchObject({
        table,
        props: {
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
          Replicas: [{ SSESpecification: { KMSMasterKeyId: keyArn } }],
        },
      });
    }
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('encrypts the exports and audit buckets with the customer-managed key', () => {
    for (const bucket of ['ExportsBucket', 'AuditBucket']) {
      const props = resources[logicalId(bucket, 'AWS::S3::Bucket')]?.Properties;
      expect({ bucket, props }).toMatchObject({
        bucket,
        props: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } },
            ],
          },
        },
      });
    }
  });

  it('expires rate-limit counters and idempotency records by their TTL attribute', () => {
    for (const [table, def] of [
      ['RateLimitsTable', RATE_LIMIT_TABLE],
      ['IdempotencyTable', IDEMPOTENCY_TABLE],
    ] as const) {
      const props = resources[logicalId(table, 'AWS::DynamoDB::GlobalTable')]?.Properties;
      expect({ table, ttl: props?.TimeToLiveSpecification }).toEqual({
        table,
        ttl: { AttributeName: def.timeToLiveAttribute, Enabled: true },
      });
      expect(props?.KeySchema).toEqual([{ AttributeName: def.partitionKey.name, KeyType: 'HASH' }]);
    }
  });

  it('lets rate-limited functions only add to counters, and tells only them the table and the limits', () => {
    const limited = declaring('limits:write');
    expect(limited).toEqual(expect.arrayContaining(['ResendVerification', 'SubmitRequest', 'VerifyRequest']));
    for (const name of Object.keys(registry)) {
      const onCounters = grantsOfFunction(grants, name)
        .filter((g) => g.resource.includes('RateLimitsTable'))
        .map((g) => g.action);
      const env = environmentOf(name);
      const expected = limited.includes(name);
      expect({
        name,
        onCounters,
        told: 'DSR_RATE_LIMIT_TABLE' in env,
        limit: env.DSR_LIMIT_VERIFY_PER_IP,
      }).toEqual({
        name,
        onCounters: expected ? ['dynamodb:UpdateItem'] : [],
        told: expected,
        limit: expected ? '12' : undefined,
      });
    }
    expect(environmentOf('ResendVerification').DSR_MAX_RESENDS).toBe('2');
  });

  it('lets only functions taking an Idempotency-Key read and write idempotency records', () => {
    const idempotent = declaring('idempotency:write');
    expect(idempotent).toContain('SubmitRequest');
    for (const name of Object.keys(registry)) {
      const onRecords = grantsOfFunction(grants, name)
        .filter((g) => g.resource.includes('IdempotencyTable'))
        .map((g) => g.action)
        .sort();
      const expected = idempotent.includes(name);
      expect({ name, onRecords, told: 'DSR_IDEMPOTENCY_TABLE' in environmentOf(name) }).toEqual({
        name,
        onRecords: expected
          ? ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']
          : [],
        told: expected,
      });
    }
  });

  it('grants each HTTP function exactly its declared access: resending and a repeated submission mail a code', () => {
    for (const name of Object.keys(HTTP_FUNCTIONS) as HttpFunctionName[]) {
      expect({ name, access: accessGranted(grants, name) }).toEqual({
        name,
        access: [...HTTP_FUNCTIONS[name].access].sort(),
      });
    }
    const mail = (name: string) => grantsOfFunction(grants, name).filter((g) => g.action.startsWith('ses:'));
    for (const name of ['ResendVerification', 'SubmitRequest']) {
      expect(mail(name).map((g) => g.action)).toContain('ses:SendEmail');
      // Sending only: on the identities and the configuration set every send names.
      for (const g of mail(name)) expect(g.resource).toMatch(/:(identity|configuration-set)\//);
    }
    expect(mail('VerifyRequest')).toEqual([]);
  });

  it('runs the retention sweep on its schedule, retrying and dead-lettering a failed run', () => {
    const sweep = logicalId('FunctionsRetentionSweepFunction', 'AWS::Lambda::Function');
    const queue = logicalId('SchedulesDeadLetterQueue', 'AWS::SQS::Queue');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: JOBS.RetentionSweep.schedule,
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [sweep, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 4 }),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: JOBS.RetentionSweep.timeoutSeconds,
      MemorySize: JOBS.RetentionSweep.memoryMb,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queue, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
    });
  });

  it('gives the retention sweep only its declared access, and no way in from the API or the workflow', () => {
    expect(accessGranted(grants, 'RetentionSweep')).toEqual([...JOBS.RetentionSweep.access].sort());
    const actions = grantsOfFunction(grants, 'RetentionSweep').map((g) => g.action);
    expect(actions.filter((a) => /^(states|ses|lambda|execute-api):/.test(a))).toEqual([]);
    const sweep = logicalId('FunctionsRetentionSweepFunction', 'AWS::Lambda::Function');
    const invokers = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties).includes(sweep))
      .map((r) => r.Properties.Principal);
    // No resource policy: only the Scheduler's role, which may invoke the jobs and nothing else, calls it.
    expect(invokers).toEqual([]);
    const invokingPolicies = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes(sweep))
      .filter(([, r]) => JSON.stringify(r.Properties).includes('lambda:InvokeFunction'))
      .map(([id]) => id);
    expect(invokingPolicies).toEqual([expect.stringMatching(/^SchedulesSchedulerRole/)]);
    const machine = Object.values(resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    expect(JSON.stringify(machine)).not.toContain(sweep);
  });

  it("answers API Gateway's own throttling, firewall blocks and unknown paths in plain words", () => {
    for (const [type, status] of [
      ['THROTTLED', '429'],
      ['WAF_FILTERED', '403'],
      ['MISSING_AUTHENTICATION_TOKEN', '404'],
    ] as const) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: status,
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"error":.*"message":') },
      });
    }
  });

  it('has no unacknowledged AwsSolutions or Serverless findings with custom limits', () => {
    const findings = [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
      pack.validateScope(app).violations.map((v) => v.ruleName),
    );
    expect(findings).toEqual([]);
  });
});
