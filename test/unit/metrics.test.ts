/** The deadline job's counts reach CloudWatch as EMF lines the SLA alarm's metric matches. */
import { APP_METRICS_NAMESPACE, APP_METRICS_SERVICE, EmfMetrics } from '../../functions/aws/metrics';

describe('metrics', () => {
  it('writes one EMF line per count, in the namespace and dimension the alarms read', () => {
    const lines: string[] = [];
    const spy = jest
      .spyOn(console, 'log')
      .mockImplementation((line: unknown) => void lines.push(String(line)));
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    try {
      new EmfMetrics().count({ OverdueRequests: 2, DueSoonRequests: 1 });
      new EmfMetrics().count({});
    } finally {
      spy.mockRestore();
      write.mockRestore();
    }
    const emf = lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: APP_METRICS_NAMESPACE, Dimensions: [['service']] }] },
      service: APP_METRICS_SERVICE,
      OverdueRequests: 2,
      DueSoonRequests: 1,
    });
  });
});
