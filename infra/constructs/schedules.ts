import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { JobEntry } from '../../functions/deployment';
import { acknowledgeWildcardResource } from './nag';

/**
 * The scheduled jobs' plumbing: one EventBridge Scheduler schedule per job (added with
 * {@link Schedules.addJobs} once the functions exist) and one dead-letter
 * queue, with an alarm, for runs that failed after their retries. Create it
 * before the functions: each job function sends its failed runs here.
 */
export class Schedules extends Construct {
  /** Failed job runs: events EventBridge could not deliver and invocations that failed after Lambda's retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Raised by any failed run, so support re-runs the job before a retention end date slips. */
  public readonly failedRunsAlarm: cloudwatch.Alarm;
  public readonly schedules: Record<string, scheduler.Schedule> = {};

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // Holds schedule events and reduced SES events (types and request ids, no addresses): no personal
      // data; SSE-SQS spares EventBridge and Lambda a CMK grant.
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
        alarmDescription:
          'A scheduled job (e.g. the retention sweep) or an SES bounce or complaint event failed after its retries',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }

  /**
   * One EventBridge Scheduler schedule per job (the service built for timed
   * invocations: its own role, retries and dead-letter queue per target),
   * passing the run's scheduled time so a late delivery judges the time it was meant for.
   */
  public addJobs<N extends string>(
    jobs: Readonly<Record<N, Pick<JobEntry, 'schedule' | 'description'>>>,
    functions: Readonly<Record<N, lambda.IFunction>>,
  ): void {
    // One role for every schedule, trusted only by this account's Scheduler; it may invoke the jobs and nothing else.
    const role = new iam.Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to invoke the scheduled jobs',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      }),
    });
    for (const [name, job] of Object.entries(jobs) as [N, JobEntry][]) {
      acknowledgeWildcardResource(
        role,
        `${functions[name].functionArn}:*`,
        "The job function's own versions (the target grants the function and its qualifiers)",
      );
      this.schedules[name] = new scheduler.Schedule(this, `${name}Schedule`, {
        description: `Runs ${name}: ${job.description}`.slice(0, 512),
        schedule: scheduler.ScheduleExpression.expression(job.schedule),
        target: new targets.LambdaInvoke(functions[name], {
          role,
          input: scheduler.ScheduleTargetInput.fromObject({ time: scheduler.ContextAttribute.scheduledTime }),
          deadLetterQueue: this.deadLetterQueue,
          // Delivery retries only; the function's own asynchronous retries come on top.
          retryAttempts: 4,
          maxEventAge: Duration.hours(6),
        }),
      });
    }
  }
}
