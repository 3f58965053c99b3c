import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { APP_METRICS_NAMESPACE, APP_METRICS_SERVICE } from '../../functions/aws/metrics';
import { FIREWALL_RULES, type Firewall } from './firewall';

/** Namespace of the metrics this stack derives from its own logs. */
export const METRICS_NAMESPACE = 'DsrWorkflow';
/** The message EscalateProcessor logs (Powertools JSON, `message` key) once per processor escalated to support. */
export const ESCALATION_LOG_MESSAGE = 'processor escalated';

export interface MonitoringProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly restApi: apigw.RestApi;
  /** Its blocked requests are graphed per rule, so support can tell a flood from a misfiring rule. */
  readonly firewall: Firewall;
  /** Alarms raised elsewhere (e.g. failed scheduled jobs), shown with the workflow's. */
  readonly jobAlarms?: readonly cloudwatch.IAlarm[];
  /** EscalateProcessor's log group: each `processor escalated` line counts as one `ProcessorEscalations`. */
  readonly escalationLogs?: logs.ILogGroup;
}

/**
 * Alarms on failed or timed-out requests (each one is a legal deadline at risk) and one dashboard.
 * A delete whose erasure cannot be verified (`ErasureIncomplete`, never retried) is caught into
 * MarkFailed and ends in the `RequestFailed` Fail state, so it counts as a failed execution and
 * raises `ExecutionsFailed` for support (test/infra/erasure.test.ts checks that path).
 * A processor that misses its deadline does not fail the request: it is escalated, counted as
 * `ProcessorEscalations` and alarmed on, so support follows up with the processor.
 * Every alarm here notifies support through the stack's alarm topic (see `Alerts`).
 */
export class Monitoring extends Construct {
  public readonly failedAlarm: cloudwatch.Alarm;
  public readonly timedOutAlarm: cloudwatch.Alarm;
  public readonly escalationsAlarm?: cloudwatch.Alarm;
  /** The SLA alarm: any open request past its legal deadline (the deadline job's `OverdueRequests`). */
  public readonly overdueAlarm: cloudwatch.Alarm;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const { stateMachine, restApi, firewall } = props;
    this.failedAlarm = stateMachine.metricFailed({ period }).createAlarm(this, 'ExecutionsFailed', {
      alarmDescription: 'A data-subject request workflow failed',
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.timedOutAlarm = stateMachine.metricTimedOut({ period }).createAlarm(this, 'ExecutionsTimedOut', {
      alarmDescription: 'A data-subject request workflow timed out',
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    let escalations: cloudwatch.Metric | undefined;
    if (props.escalationLogs) {
      const filter = new logs.MetricFilter(this, 'PartnerEscalationsFilter', {
        logGroup: props.escalationLogs,
        filterPattern: logs.FilterPattern.stringValue('$.message', '=', ESCALATION_LOG_MESSAGE),
        metricNamespace: METRICS_NAMESPACE,
        metricName: 'PartnerEscalations',
        metricValue: '1',
      });
      escalations = filter.metric({ period, statistic: cloudwatch.Stats.SUM });
      this.escalationsAlarm = escalations.createAlarm(this, 'PartnerEscalations', {
        alarmDescription:
          'A partner did not acknowledge a data-subject request in time; follow the support runbook (partner escalations)',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    // ---- deadlines (owner: clock): the DeadlineWatch job counts every 15 minutes.
    const deadlineMetric = (metricName: string, label: string) =>
      new cloudwatch.Metric({
        namespace: APP_METRICS_NAMESPACE,
        metricName,
        // Powertools Metrics puts its service dimension on every metric.
        dimensionsMap: { service: APP_METRICS_SERVICE },
        label,
        period: Duration.minutes(15),
        statistic: cloudwatch.Stats.MAXIMUM,
      });
    const overdue = deadlineMetric('OverdueRequests', 'Overdue');
    const dueSoon = deadlineMetric('DueSoonRequests', 'Due within 24 h');
    this.overdueAlarm = overdue.createAlarm(this, 'RequestsOverdue', {
      alarmDescription:
        'SLA: a data-subject request is past its legal deadline; see docs/RUNBOOK.md, "SLA: overdue request"',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Requests (workflow executions)',
        left: [
          stateMachine.metricStarted({ period }),
          stateMachine.metricSucceeded({ period }),
          stateMachine.metricFailed({ period }),
          stateMachine.metricTimedOut({ period }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'API errors',
        left: [restApi.metricClientError({ period }), restApi.metricServerError({ period })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Requests blocked by the firewall',
        left: Object.values(FIREWALL_RULES).map((rule) =>
          firewall.metricBlocked(rule, { period, label: rule }),
        ),
      }),
      ...(escalations
        ? [new cloudwatch.GraphWidget({ title: 'Partners escalated to support', left: [escalations] })]
        : []),
      new cloudwatch.GraphWidget({ title: 'Open requests by deadline', left: [overdue, dueSoon] }),
      new cloudwatch.AlarmStatusWidget({
        alarms: [
          this.overdueAlarm,
          this.failedAlarm,
          this.timedOutAlarm,
          ...(this.escalationsAlarm ? [this.escalationsAlarm] : []),
          ...(props.jobAlarms ?? []),
        ],
      }),
    );
  }
}
