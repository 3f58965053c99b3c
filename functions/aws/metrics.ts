/**
 * CloudWatch metrics through Powertools Metrics: Embedded Metric Format lines
 * on stdout that CloudWatch Logs turns into metrics (no PutMetricData call).
 */
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../core/ports';

/** Namespace of the application's own metrics (the CDK's alarms and dashboard read it). */
export const APP_METRICS_NAMESPACE = 'DsrWorkflow';
/** Powertools' one dimension on every metric; the alarms name it too. */
export const APP_METRICS_SERVICE = 'dsr-workflow';

/** Each `count` call is published at once as one EMF line of `Count` metrics. */
export class EmfMetrics implements Metrics {
  private readonly metrics: PowertoolsMetrics;

  constructor() {
    this.metrics = new PowertoolsMetrics({
      namespace: APP_METRICS_NAMESPACE,
      serviceName: APP_METRICS_SERVICE,
    });
  }

  count(values: Readonly<Record<string, number>>): void {
    const names = Object.keys(values);
    if (names.length === 0) return;
    for (const name of names) this.metrics.addMetric(name, MetricUnit.Count, values[name] ?? 0);
    this.metrics.publishStoredMetrics();
  }
}
