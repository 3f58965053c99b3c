import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { JobEntry } from '../../functions/deployment';

/**
 * The scheduled jobs' plumbing: one EventBridge rule per job (added with
 * {@link Schedules.addJobs} once the functions exist) and one dead-letter
 * queue, with an alarm, for runs that failed after their retries. Create it
 * before the functions: each job function sends its failed runs here.
 */
export class Schedules extends Construct {
  /** Failed job runs: events EventBridge could not deliver and invocations that failed after Lambda's retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Raised by any failed run, so support re-runs the job before a retention end date slips. */
  public readonly failedRunsAlarm: cloudwatch.Alarm;
  public readonly rules: Record<string, events.Rule> = {};

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // Holds only schedule events (no personal data); SSE-SQS spares EventBridge and Lambda a CMK grant.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the scheduled jobs and their rules',
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This queue is itself the dead-letter queue; nothing consumes it but support',
    });
    this.failedRunsAlarm = this.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) })
      .createAlarm(this, 'FailedRuns', {
        alarmDescription: 'A scheduled job (e.g. the retention sweep) failed after its retries',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }

  /** One rule per job, on the job's schedule, invoking its function. */
  public addJobs<N extends string>(
    jobs: Readonly<Record<N, Pick<JobEntry, 'schedule' | 'description'>>>,
    functions: Readonly<Record<N, lambda.IFunction>>,
  ): void {
    for (const [name, job] of Object.entries(jobs) as [N, JobEntry][]) {
      this.rules[name] = new events.Rule(this, `${name}Rule`, {
        description: `Runs ${name}: ${job.description}`,
        schedule: events.Schedule.expression(job.schedule),
        targets: [
          new targets.LambdaFunction(functions[name], {
            deadLetterQueue: this.deadLetterQueue,
            // Delivery retries only; the function's own asynchronous retries come on top.
            retryAttempts: 4,
            maxEventAge: Duration.hours(6),
          }),
        ],
      });
    }
  }
}
