import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FIREWALL_RULES, type Firewall } from './firewall';

export interface MonitoringProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly restApi: apigw.RestApi;
  /** Its blocked requests are graphed per rule, so support can tell a flood from a misfiring rule. */
  readonly firewall: Firewall;
  /** Alarms raised elsewhere (e.g. failed scheduled jobs), shown with the workflow's. */
  readonly jobAlarms?: readonly cloudwatch.IAlarm[];
}

/**
 * Alarms on failed or timed-out requests (each one is a legal deadline at risk) and one dashboard.
 * A delete whose erasure cannot be verified (`ErasureIncomplete`, never retried) is caught into
 * MarkFailed and ends in the `RequestFailed` Fail state, so it counts as a failed execution and
 * raises `ExecutionsFailed` for support (test/infra/erasure.test.ts checks that path).
 */
export class Monitoring extends Construct {
  public readonly failedAlarm: cloudwatch.Alarm;
  public readonly timedOutAlarm: cloudwatch.Alarm;
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
      new cloudwatch.AlarmStatusWidget({
        alarms: [this.failedAlarm, this.timedOutAlarm, ...(props.jobAlarms ?? [])],
      }),
    );
  }
}
