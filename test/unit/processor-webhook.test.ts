import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DeliverArgs, deliverToProcessor } from '../../functions/connectors/processor-webhook';
import { type ProcessorStore, processorOf } from '../../functions/core/data-map';
import type { ProcessorAttempt } from '../../functions/core/ledger-record';
import { ProcessorConfigError } from '../../functions/core/processors/errors';
import { buildProcessorRequest, type ProcessorRequest } from '../../functions/core/processors/protocol';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyProcessorSignature,
} from '../../functions/core/processors/signature';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';

/** One request the fake processor received, exactly as it arrived. */
interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const SECRET = Buffer.alloc(32, 42);
const REQUEST_ID = '20261127-delete-abcdefghij';
const dataMap = loadDemoDataMap();
const received: Received[] = [];
let handlers: Handler[] = [];
let server: Server;
let baseUrl: string;

/** The fake processor answers with the queued handlers in turn (the last one repeats). */
function processorAnswers(...queue: Handler[]): void {
  handlers = queue;
}
const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const ACK = { status: 'completed', reference: 'KCL-7F3A9C' };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const handler = handlers.length > 1 ? handlers.shift() : handlers[0];
      (handler ?? json(500, {}))(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  handlers = [];
});

function store(overrides: Partial<ProcessorStore> = {}): ProcessorStore {
  return {
    ...processorOf(dataMap, 'logistics'),
    endpoint: `${baseUrl}/partners/logistics/dsr`,
    retry: { attempts: 4, baseDelayMs: 500 },
    ...overrides,
  };
}

function request(type: ProcessorRequest['type'] = 'delete'): ProcessorRequest {
  return buildProcessorRequest(processorOf(dataMap, 'logistics'), {
    requestId: type === 'access' ? '20261127-access-abcdefghij' : REQUEST_ID,
    type,
    identities: { email: ['budi.partner@example.test'], customerId: ['cust-0001'], phone: ['+620000000000'] },
    deadline: '2026-11-30T06:00:00.000Z',
    callbackUrl: 'https://dsr.example.test/processors/logistics/callback',
  });
}

/** Runs a delivery with recorded attempts and sleeps (no real waiting). */
async function deliver(overrides: Partial<DeliverArgs> = {}) {
  const attempts: ProcessorAttempt[] = [];
  const delays: number[] = [];
  const outcome = await deliverToProcessor({
    store: store(),
    secret: SECRET,
    request: request(),
    allowInsecureUrl: true,
    onAttempt: async (a) => {
      attempts.push(a);
    },
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...overrides,
  });
  return { outcome, attempts, delays };
}

describe('delivering a request to a partner', () => {
  it('signs the exact body with the partner secret and sends the idempotency key', async () => {
    // Prepare
    processorAnswers(json(200, ACK));

    // Act
    const { outcome } = await deliver();

    // Assess
    expect(outcome).toEqual({ kind: 'acknowledged', ack: ACK });
    expect(received).toHaveLength(1);
    const [call] = received as [Received];
    expect(call.path).toBe('/partners/logistics/dsr');
    expect(call.headers[IDEMPOTENCY_HEADER]).toBe(`${REQUEST_ID}:logistics:delete`);
    const signed = {
      timestamp: call.headers[TIMESTAMP_HEADER] as string,
      signature: call.headers[SIGNATURE_HEADER] as string,
    };
    expect(verifyProcessorSignature(SECRET, signed, call.body)).toBe(true);
    expect(verifyProcessorSignature(Buffer.alloc(32, 1), signed, call.body)).toBe(false);
    expect(JSON.parse(call.body)).toEqual(request());
  });

  it("sends only the identities the partner already knows, never the subject's other identifiers", async () => {
    // Prepare
    processorAnswers(json(200, ACK));

    // Act
    await deliver();

    // Assess
    const body = JSON.parse(received[0]?.body ?? '{}') as ProcessorRequest;
    expect(body.subject).toEqual({ customerId: ['cust-0001'], email: ['budi.partner@example.test'] });
    expect(received[0]?.body).not.toContain('+620000000000');
  });

  it('retries 500, 500 then records the acknowledgement of the third attempt, waiting longer each time', async () => {
    // Prepare
    processorAnswers(json(500, { error: 'boom' }), json(503, { error: 'boom' }), json(200, ACK));

    // Act
    const { outcome, attempts, delays } = await deliver();

    // Assess
    expect(outcome).toEqual({ kind: 'acknowledged', ack: ACK });
    expect(attempts.map((a) => [a.attempt, a.httpStatus, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 503, 'retry'],
      [3, 200, 'acknowledged'],
    ]);
    expect(attempts.every((a) => !Number.isNaN(Date.parse(a.at)) && a.durationMs >= 0)).toBe(true);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(400);
    expect(delays[0]).toBeLessThanOrEqual(600);
    expect(delays[1]).toBeGreaterThan(delays[0] ?? Number.POSITIVE_INFINITY);
    expect(delays[1]).toBeLessThanOrEqual(1200);
  });

  it('keeps the same idempotency key on every retry but signs each attempt with a fresh timestamp', async () => {
    // Prepare
    processorAnswers(json(500, {}), json(429, {}), json(200, ACK));
    let clock = Date.parse('2026-11-27T06:00:00Z');
    const now = () => {
      clock += 2000;
      return new Date(clock);
    };

    // Act
    await deliver({ now });

    // Assess
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers[IDEMPOTENCY_HEADER]))).toEqual(
      new Set([`${REQUEST_ID}:logistics:delete`]),
    );
    const timestamps = received.map((r) => Number(r.headers[TIMESTAMP_HEADER]));
    expect(new Set(timestamps).size).toBe(3);
    for (const r of received) {
      const timestamp = r.headers[TIMESTAMP_HEADER] as string;
      const signature = r.headers[SIGNATURE_HEADER] as string;
      expect(
        verifyProcessorSignature(SECRET, { timestamp, signature }, r.body, Number(timestamp) * 1000),
      ).toBe(true);
    }
  });

  it('gives up as processor_unavailable after the configured number of attempts', async () => {
    // Prepare
    processorAnswers(json(502, {}));

    // Act
    const { outcome, attempts, delays } = await deliver({
      store: store({ retry: { attempts: 3, baseDelayMs: 100 } }),
    });

    // Assess
    expect(outcome).toEqual({ kind: 'failed', reason: 'processor_unavailable', httpStatus: 502 });
    expect(attempts).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('treats a 404 as a rejection and does not retry', async () => {
    // Prepare
    processorAnswers(json(404, { error: 'not_found' }), json(200, ACK));

    // Act
    const { outcome, attempts, delays } = await deliver();

    // Assess
    expect(outcome).toEqual({ kind: 'failed', reason: 'processor_rejected', httpStatus: 404 });
    expect(attempts.map((a) => a.outcome)).toEqual(['rejected']);
    expect(delays).toEqual([]);
    expect(received).toHaveLength(1);
  });

  it('refuses a redirect and never follows its Location', async () => {
    // Prepare
    processorAnswers(
      (_req, res) => {
        res.writeHead(302, { location: `${baseUrl}/somewhere-else` });
        res.end();
      },
      json(200, ACK),
    );

    // Act
    const { outcome } = await deliver();

    // Assess
    expect(outcome).toEqual({ kind: 'failed', reason: 'processor_rejected', httpStatus: 302 });
    expect(received.map((r) => r.path)).toEqual(['/partners/logistics/dsr']);
  });

  it('refuses an answer larger than 64 KiB for a delete, whether or not it declares its length', async () => {
    // Prepare
    const big = { ...ACK, detail: 'x'.repeat(70 * 1024) };
    const streamed: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no content-length
      res.write(JSON.stringify(big).slice(0, 40 * 1024));
      res.end(JSON.stringify(big).slice(40 * 1024));
    };

    // Act
    processorAnswers(json(200, big));
    const declared = await deliver();
    processorAnswers(streamed);
    const chunked = await deliver();

    // Assess
    for (const { outcome, attempts } of [declared, chunked]) {
      expect(outcome).toEqual({ kind: 'failed', reason: 'invalid_response', httpStatus: 200 });
      expect(attempts.map((a) => a.outcome)).toEqual(['invalid_response']);
    }
  });

  it("accepts an access answer with the partner's records well over 64 KiB", async () => {
    // Prepare
    const records = Array.from({ length: 500 }, (_, i) => ({ shipment: `SHP-${i}`, note: 'y'.repeat(300) }));
    processorAnswers(json(200, { status: 'completed', reference: 'KCL-ACCESS1', records }));

    // Act
    const { outcome } = await deliver({ request: request('access') });

    // Assess
    expect(outcome.kind).toBe('acknowledged');
    expect(outcome.kind === 'acknowledged' && outcome.ack.records).toHaveLength(500);
  });

  it.each([
    ['not JSON', (_req: IncomingMessage, res: ServerResponse) => res.end('<html>ok</html>')],
    ['an unknown status', json(200, { status: 'done', reference: 'KCL-1' })],
    ['a reference with spaces', json(200, { status: 'completed', reference: 'KCL 1' })],
    ['no body at all', json(204, undefined)],
  ])('treats a 2xx with %s as an invalid response, without retrying', async (_label, handler) => {
    // Prepare
    processorAnswers(handler, json(200, ACK));

    // Act
    const { outcome, attempts } = await deliver();

    // Assess
    expect(outcome).toMatchObject({ kind: 'failed', reason: 'invalid_response' });
    expect(attempts).toHaveLength(1);
  });

  it('treats a 2xx whose status is failed as a rejection, keeping its reference as evidence', async () => {
    // Prepare
    const failed = { status: 'failed', reference: 'BYK-42', detail: 'unknown customer format' };
    processorAnswers(json(200, failed));

    // Act
    const { outcome, attempts } = await deliver();

    // Assess
    expect(outcome).toEqual({ kind: 'failed', reason: 'processor_rejected', httpStatus: 200, ack: failed });
    expect(attempts.map((a) => a.outcome)).toEqual(['rejected']);
  });

  it('returns accepted with the partner reference when it will acknowledge through the callback', async () => {
    // Prepare
    processorAnswers(json(202, { status: 'accepted', reference: 'BYK-9Q2' }));

    // Act
    const { outcome, attempts } = await deliver();

    // Assess
    expect(outcome).toEqual({ kind: 'accepted', reference: 'BYK-9Q2' });
    expect(attempts.map((a) => [a.httpStatus, a.outcome])).toEqual([[202, 'accepted']]);
  });

  it('retries a partner that answers too slowly, then reports it unavailable', async () => {
    // Prepare: the processor never answers.
    processorAnswers(() => undefined);

    // Act
    const { outcome, attempts } = await deliver({
      store: store({ retry: { attempts: 2, baseDelayMs: 10 } }),
      timeoutMs: 150,
    });

    // Assess
    expect(outcome).toEqual({ kind: 'failed', reason: 'processor_unavailable' });
    expect(attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout']);
    expect(received).toHaveLength(2);
  });

  it('counts an answer that starts but stalls as a timeout, like no answer at all', async () => {
    // Prepare: headers and half a body, then nothing.
    processorAnswers((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"comp');
    });

    // Act
    const { outcome, attempts } = await deliver({
      store: store({ retry: { attempts: 2, baseDelayMs: 10 } }),
      timeoutMs: 150,
    });

    // Assess
    expect(outcome).toEqual({ kind: 'failed', reason: 'processor_unavailable' });
    expect(attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout']);
  });

  it('retries when the partner cannot be reached, then reports it unavailable', async () => {
    // Prepare: a port nobody listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    // Act
    const { outcome, attempts } = await deliver({
      store: store({ endpoint: `http://127.0.0.1:${port}/dsr`, retry: { attempts: 2, baseDelayMs: 10 } }),
    });

    // Assess
    expect(outcome).toEqual({ kind: 'failed', reason: 'processor_unavailable' });
    expect(attempts.map((a) => a.outcome)).toEqual(['network_error', 'network_error']);
  });

  it('refuses an http endpoint outside local mode before sending anything', async () => {
    // Prepare
    processorAnswers(json(200, ACK));

    // Act
    const attempt = deliver({ allowInsecureUrl: false });

    // Assess
    await expect(attempt).rejects.toThrow(ProcessorConfigError);
    await expect(attempt).rejects.toMatchObject({ name: 'ProcessorConfigError' });
    expect(received).toHaveLength(0);
  });

  it('refuses an endpoint carrying credentials, even in local mode, without repeating them', async () => {
    // Act
    const error = await deliver({
      store: store({ endpoint: `http://partner:hunter2@127.0.0.1:1/dsr` }),
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ProcessorConfigError);
    expect((error as Error).message).not.toContain('hunter2');
    expect(received).toHaveLength(0);
  });
});
