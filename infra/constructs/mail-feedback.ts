import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** SES's EventBridge detail types for the events the configuration set publishes. */
export const MAIL_FEEDBACK_DETAIL_TYPES = ['Email Bounced', 'Email Complaint Received'] as const;

export interface MailFeedbackProps {
  /** Undeliverable events and invocations that failed after Lambda's retries. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * Bounces and complaints, as SES asks of a sender before production access:
 * a configuration set (every send names it) publishing them to the default
 * event bus, and rules handing this set's events to the MailFeedback function
 * (added with {@link MailFeedback.deliverTo} once the functions exist).
 */
export class MailFeedback extends Construct {
  public readonly configurationSet: ses.ConfigurationSet;
  private readonly deadLetterQueue: sqs.IQueue;

  constructor(scope: Construct, id: string, props: MailFeedbackProps) {
    super(scope, id);
    this.deadLetterQueue = props.deadLetterQueue;
    // A generated name: nothing to collide with after a rolled-back create or in a second stack.
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      // Addresses that bounced or complained stay off the account's suppression list's sends.
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('ToEventBridge', {
      // SES publishes to the default bus only.
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
  }

  /**
   * Two rules (bounces, complaints) handing this configuration set's events to `fn`, retried, then
   * dead-lettered. Each passes only the event types and our tags: recipients, headers and diagnostic
   * text never reach the function, its logs or the dead-letter queue.
   */
  public deliverTo(fn: lambda.IFunction): events.Rule[] {
    const field = events.EventField.fromPath;
    const mail = { tags: field('$.detail.mail.tags') };
    const inputs = {
      Bounces: {
        detailType: 'Email Bounced',
        detail: {
          eventType: field('$.detail.eventType'),
          bounce: {
            bounceType: field('$.detail.bounce.bounceType'),
            bounceSubType: field('$.detail.bounce.bounceSubType'),
          },
          mail,
        },
      },
      Complaints: {
        detailType: 'Email Complaint Received',
        detail: { eventType: field('$.detail.eventType'), mail },
      },
    } satisfies Record<string, { detailType: (typeof MAIL_FEEDBACK_DETAIL_TYPES)[number]; detail: object }>;
    return Object.entries(inputs).map(
      ([id, { detailType, detail }]) =>
        new events.Rule(this, id, {
          description: `SES ${id.toLowerCase()} of the DSR stack's emails, reduced to types and tags`,
          eventPattern: {
            source: ['aws.ses'],
            detailType: [detailType],
            detail: {
              mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } },
            },
          },
          targets: [
            new targets.LambdaFunction(fn, {
              event: events.RuleTargetInput.fromObject({ source: events.EventField.source, detail }),
              deadLetterQueue: this.deadLetterQueue,
              retryAttempts: 4,
              maxEventAge: Duration.hours(6),
            }),
          ],
        }),
    );
  }
}
