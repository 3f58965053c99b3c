/**
 * SES bounces and complaints (issue 17): a configuration set that every send names publishes them to
 * EventBridge, and rules hand them, reduced to types and tags, to the MailFeedback function, which
 * may only read the ledger and fail the waiting verification task.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { DEPLOYMENT, EVENTS } from '../../functions/deployment';
import { accessGranted, grantsOf, grantsOfFunction } from './support/policies';
import { synth } from './support/synth';

const { template } = synth();
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const [configurationSetId] = ofType('AWS::SES::ConfigurationSet').map(([id]) => id);
const configurationSetRef = { Ref: configurationSetId };

describe('SES bounces and complaints', () => {
  it('publishes bounces and complaints of one configuration set to the default event bus', () => {
    expect(ofType('AWS::SES::ConfigurationSet')).toHaveLength(1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: configurationSetRef,
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayEquals(['bounce', 'complaint']),
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      },
    });
    const [destination] = ofType('AWS::SES::ConfigurationSetEventDestination');
    expect(JSON.stringify(destination?.[1].Properties)).toContain(':event-bus/default');
  });

  it('names the configuration set on every function that sends mail, and lets it send through it', () => {
    const senders = Object.entries(DEPLOYMENT)
      .filter(([, entry]) => (entry.access as readonly string[]).includes('mail:send'))
      .map(([name]) => name);
    expect(senders.length).toBeGreaterThan(5);
    const grants = grantsOf(template);
    for (const name of senders) {
      const [fn] = ofType('AWS::Lambda::Function').filter(([id]) =>
        id.startsWith(`Functions${name}Function`),
      );
      expect({ name, env: fn?.[1].Properties.Environment }).toEqual({
        name,
        env: { Variables: expect.objectContaining({ DSR_SES_CONFIGURATION_SET: configurationSetRef }) },
      });
      const sends = grantsOfFunction(grants, name).filter((g) => g.action === 'ses:SendEmail');
      expect(sends.map((g) => g.resource).join(' ')).toContain('configuration-set/');
      // Still pinned to the sender, whatever the resource.
      for (const send of sends) expect(JSON.stringify(send.condition)).toContain('ses:FromAddress');
    }
  });

  it('hands bounces and complaints of that set, without recipients, to the MailFeedback function, with retries and a dead-letter queue', () => {
    const rules = ofType('AWS::Events::Rule');
    const patterns = rules.map(([, r]) => r.Properties.EventPattern as Record<string, unknown>);
    expect(patterns.flatMap((p) => p['detail-type']).sort()).toEqual([
      'Email Bounced',
      'Email Complaint Received',
    ]);
    for (const pattern of patterns) {
      expect(pattern).toMatchObject({
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSetRef] } } },
      });
    }
    for (const [, rule] of rules) {
      const [target] = rule.Properties.Targets as Record<string, unknown>[];
      expect(JSON.stringify(target?.Arn)).toContain('FunctionsMailFeedbackFunction');
      expect(target).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 4 },
        DeadLetterConfig: { Arn: expect.anything() },
      });
      // Only types and tags travel: no destination, recipients, headers or diagnostic codes.
      const paths = Object.values(
        (target?.InputTransformer as { InputPathsMap?: Record<string, string> } | undefined)?.InputPathsMap ??
          {},
      );
      expect(paths).toContain('$.detail.mail.tags');
      for (const path of paths)
        expect(path).not.toMatch(/destination|Recipients|headers|diagnostic|source\b.*mail/i);
    }
  });

  it('lets the MailFeedback function read the ledger and fail a waiting task, nothing else', () => {
    expect(EVENTS.MailFeedback.access).toEqual(['ledger:read', 'workflow:callback']);
    expect(accessGranted(grantsOf(template), 'MailFeedback')).toEqual(['ledger:read', 'workflow:callback']);
  });
});
