/**
 * CloudWatch metrics as Embedded Metric Format lines on stdout: Lambda ships
 * them to CloudWatch Logs, which extracts the metrics (no PutMetricData call,
 * no extra package: @aws-lambda-powertools/metrics is not installed).
 */
import type { Metrics } from '../core/ports';

/** Namespace of the application's own metrics (the CDK's alarms and dashboard read it). */
export const APP_METRICS_NAMESPACE = 'DsrWorkflow';

/** One EMF line per `count` call: each value a `Count` metric, without dimensions. */
export class EmfMetrics implements Metrics {
  constructor(
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    private readonly now: () => Date = () => new Date(),
  ) {}

  count(values: Readonly<Record<string, number>>): void {
    const names = Object.keys(values);
    if (names.length === 0) return;
    this.write(
      JSON.stringify({
        _aws: {
          Timestamp: this.now().getTime(),
          CloudWatchMetrics: [
            {
              Namespace: APP_METRICS_NAMESPACE,
              Dimensions: [[]],
              Metrics: names.map((Name) => ({ Name, Unit: 'Count' })),
            },
          ],
        },
        ...values,
      }),
    );
  }
}
