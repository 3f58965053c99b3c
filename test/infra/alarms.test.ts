import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Alerts } from '../../infra/constructs/alerts';
import { synth } from './support/synth';

const SUPPORT = 'support@impor.in.example';
// One synth for the file (the slow part), with a support address to subscribe.
const { template } = synth({ supportEmail: SUPPORT });

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const [[topicId] = []] = ofType('AWS::SNS::Topic');
const topicRef = { Ref: topicId };
const [[keyId, key] = []] = ofType('AWS::KMS::Key');
const statementsOf = (document: unknown): Statement[] => (document as { Statement: Statement[] }).Statement;
const byCloudWatch = (s: Statement) =>
  JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' });
const cloudWatchAlarmsOfThisAccount = (s: Statement) => {
  expect(s.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
  expect(JSON.stringify(s.Condition?.ArnLike?.['aws:SourceArn'])).toMatch(
    /arn:aws:cloudwatch:ap-southeast-3:.*AWS::AccountId.*:alarm:\*/,
  );
};

describe('alarm notifications to support', () => {
  it('has exactly one alarm topic, encrypted with the stack customer-managed key', () => {
    expect(ofType('AWS::SNS::Topic')).toHaveLength(1);
    expect(ofType('AWS::KMS::Key')).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('sends every alarm of the stack to the topic when it fires and when it is OK again', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    // Not vacuous: the workflow, scheduled-job and processor-escalation alarms are all there.
    expect(alarms.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'MonitoringExecutionsFailed',
      'MonitoringExecutionsTimedOut',
      'MonitoringPartnerEscalations',
      'MonitoringRequestsOverdue',
      'SchedulesFailedRuns',
    ]);
    for (const [id, alarm] of alarms) {
      expect({ id, actions: alarm.Properties.AlarmActions }).toEqual({ id, actions: [topicRef] });
      expect({ id, actions: alarm.Properties.OKActions }).toEqual({ id, actions: [topicRef] });
    }
    expect(ofType('AWS::CloudWatch::CompositeAlarm')).toEqual([]);
  });

  it('refuses publishing without TLS and lets only CloudWatch alarms of this account publish', () => {
    const policies = ofType('AWS::SNS::TopicPolicy');
    expect(policies).toHaveLength(1);
    const [[, policy] = []] = policies;
    if (!policy) throw new Error('no topic policy');
    expect(policy.Properties.Topics).toEqual([topicRef]);
    const statements = statementsOf(policy.Properties.PolicyDocument);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    const [allow] = allows;
    if (!allow) throw new Error('no Allow statement');
    expect(byCloudWatch(allow)).toBe(true);
    expect(allow.Action).toBe('sns:Publish');
    expect(allow.Resource).toEqual(topicRef);
    cloudWatchAlarmsOfThisAccount(allow);
  });

  it("lets CloudWatch encrypt alarm messages with the key, and nothing more, for this account's alarms only", () => {
    if (!key) throw new Error('no key');
    const statements = statementsOf(key.Properties.KeyPolicy);
    const forCloudWatch = statements.filter(byCloudWatch);
    expect(forCloudWatch).toHaveLength(1);
    const [statement] = forCloudWatch;
    if (!statement) throw new Error('no CloudWatch statement');
    expect(statement.Effect).toBe('Allow');
    expect([statement.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    cloudWatchAlarmsOfThisAccount(statement);
  });

  it("subscribes support's address to the topic by email, once", () => {
    const subscriptions = ofType('AWS::SNS::Subscription');
    expect(subscriptions.map(([, s]) => s.Properties)).toEqual([
      { Protocol: 'email', Endpoint: SUPPORT, TopicArn: topicRef },
    ]);
    // The address stays out of logical ids (and so out of construct paths in deploy logs).
    expect(subscriptions.map(([id]) => id)).toEqual([
      expect.stringMatching(/^AlertsSupportEmail[0-9A-F]{8}$/),
    ]);
  });

  it('publishes the topic ARN as a stack output, so more recipients can subscribe', () => {
    template.hasOutput('AlarmTopicArn', { Value: topicRef });
  });

  it('notifies support of an alarm any construct adds later, without listing it anywhere', () => {
    // A small stack of its own: fast, and proves the wiring is not a hand-kept list.
    const stack = new Stack(new App(), 'Small', { env: { region: 'ap-southeast-3' } });
    const alerts = new Alerts(stack, 'Alerts', { encryptionKey: new kms.Key(stack, 'Key') });
    alerts.notifyEveryAlarmIn(stack);
    new cloudwatch.Metric({
      namespace: 'Example',
      metricName: 'Later',
      period: Duration.minutes(5),
    }).createAlarm(stack, 'Later', { threshold: 1, evaluationPeriods: 1 });
    const small = Template.fromStack(stack);
    const ref = { Ref: Object.keys(small.findResources('AWS::SNS::Topic'))[0] };
    small.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [ref], OKActions: [ref] });
    expect(small.findResources('AWS::SNS::Subscription')).toEqual({});
  });

  it('refuses a key whose policy the stack cannot extend, since CloudWatch could then never publish', () => {
    const stack = new Stack(new App(), 'Imported', { env: { region: 'ap-southeast-3' } });
    const imported = kms.Key.fromKeyArn(
      stack,
      'Key',
      'arn:aws:kms:ap-southeast-3:111122223333:key/00000000-0000-0000-0000-000000000000',
    );
    expect(() => new Alerts(stack, 'Alerts', { encryptionKey: imported })).toThrow(/key whose policy/);
  });
});

describe('the deadline watch in AWS', () => {
  it('raises the SLA alarm on any overdue request, from the DeadlineWatch job run every 15 minutes', () => {
    // Prepare / Act: the file's synth.
    const [[, alarm] = []] = ofType('AWS::CloudWatch::Alarm').filter(([id]) =>
      id.startsWith('MonitoringRequestsOverdue'),
    );
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, r]) => r.Properties);

    // Assess
    expect(alarm?.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topicRef],
    });
    // The metric the DeadlineWatch job writes as EMF (a labelled metric is rendered as a metric stat).
    expect(JSON.stringify(alarm?.Properties)).toMatch(
      /"Namespace":"DsrWorkflow".*"MetricName":"OverdueRequests"|"MetricName":"OverdueRequests".*"Namespace":"DsrWorkflow"/,
    );
    expect(schedules).toContainEqual(
      expect.objectContaining({
        ScheduleExpression: 'rate(15 minutes)',
        Description: expect.stringMatching(/^Runs DeadlineWatch/),
        // The run's scheduled time is its "now" (a late delivery judges the time it was meant for).
        Target: expect.objectContaining({
          Input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>' }),
        }),
      }),
    );
    const dashboard = JSON.stringify(ofType('AWS::CloudWatch::Dashboard')[0]?.[1]?.Properties);
    expect(dashboard).toContain('Open requests by deadline');
  });
});
