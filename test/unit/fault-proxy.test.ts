/**
 * The fault proxy answers with the service's own overload errors, and a
 * partner's fault is sometimes no answer at all, which only the caller's
 * timeout ends.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FaultProxy, parseFaults, startFaultProxy } from '../../infra/local/faults';

let upstream: Server;
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  upstream = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});
afterAll(async () => {
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const target = () => `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

describe('the fault proxy', () => {
  it("fails a partner with 503, then with silence the caller's timeout ends", async () => {
    proxy = await startFaultProxy({ service: 'processors', target: target(), rate: 1, random: () => 0 });

    const first = await fetch(`${proxy.url}/partners/logistics/dsr`, { method: 'POST', body: '{}' });
    expect(first.status).toBe(503);
    await first.arrayBuffer();
    const second = fetch(`${proxy.url}/partners/logistics/dsr`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(300),
    });
    await expect(second).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(proxy.counts).toEqual({ passed: 0, failed: 2 });
  });

  it("throttles DynamoDB with the service's own error types, and passes the rest through", async () => {
    let n = 0;
    proxy = await startFaultProxy({
      service: 'dynamodb',
      target: target(),
      rate: 0.5,
      random: () => (n++ % 2 === 0 ? 0 : 0.9),
    });

    const throttled = await fetch(proxy.url, { method: 'POST', body: '{}' });
    expect(throttled.status).toBe(400);
    expect(throttled.headers.get('x-amzn-errortype')).toMatch(/ProvisionedThroughputExceededException$/);
    await throttled.arrayBuffer();
    const passed = await fetch(proxy.url, { method: 'POST', body: '{}' });
    expect(await passed.text()).toBe('ok');
  });

  it('reads DSR_FAULTS and names what it cannot read', () => {
    expect(parseFaults('all=0.2')).toEqual({ dynamodb: 0.2, s3: 0.2, ses: 0.2, sfn: 0.2, processors: 0.2 });
    expect(() => parseFaults('lambda=0.1')).toThrow('unknown service "lambda"');
    expect(() => parseFaults('s3=2')).toThrow('s3=2 must be from 0 to 1');
  });
});
