import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { CallbackPorts } from '../../functions/core/processors/callback';
import { signProcessorBody } from '../../functions/core/processors/signature';
import { memoryS3 } from '../support/erasure-fakes';
import { apiEvent, setTestEnvironment } from '../support/http-support';
import { lambdaContext } from '../support/lambda-context';
import { demoDataMap, MemoryProcessorLedger, PROCESSOR_SECRET } from '../support/processor-fakes';

setTestEnvironment();
const { processorCallbackRoute } =
  require('../../functions/http/processor-callback') as typeof import('../../functions/http/processor-callback');

const deleteId = '20260101-delete-abcdefghjk';
const accessId = '20260101-access-abcdefghjk';
const NOW = new Date('2026-01-01T02:00:00.000Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

let ledger: MemoryProcessorLedger;
let s3: ReturnType<typeof memoryS3>;
let completed: { token: string; output: unknown }[];
/** Resumes that fail before reaching the workflow (a throttled SendTaskSuccess). */
let refusedResumes = 0;
let failed: { token: string; error: string }[];
let secretLoads: number;

/** A request whose logistics processor accepted and is awaited with task token `waiting-token`. */
function awaitProcessor(requestId: string, type: 'delete' | 'access', processorId = 'logistics') {
  ledger.plant(requestId, type, { email: ['someone@example.com'] });
  void ledger.beginProcessorNotice(requestId, {
    processorId,
    name: 'Kirim Cepat Logistics',
    type,
    idempotencyKey: `${requestId}:${processorId}:${type}`,
    deadline: '2026-01-04T01:00:00.000Z',
    notifiedAt: '2026-01-01T01:00:00.000Z',
    status: 'awaiting_ack',
    attempts: [],
    taskToken: 'waiting-token',
  });
}

beforeEach(() => {
  ledger = new MemoryProcessorLedger();
  s3 = memoryS3();
  completed = [];
  refusedResumes = 0;
  failed = [];
  secretLoads = 0;
});
afterEach(() => {
  s3.mock.restore();
});

const route = processorCallbackRoute(
  (): CallbackPorts => ({
    dataMap: demoDataMap(),
    ledger,
    exports: s3.store('dsr-exports'),
    secrets: {
      secretOf: async () => {
        secretLoads++;
        return PROCESSOR_SECRET;
      },
    },
    workflow: {
      succeed: async (token, output) => {
        if (refusedResumes > 0) {
          refusedResumes--;
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        }
        completed.push({ token, output });
      },
      fail: async (token, error) => {
        failed.push({ token, error });
      },
    },
    clock: () => NOW,
  }),
);

function callback(
  body: string,
  options: {
    processorId?: string;
    secret?: Buffer;
    timestamp?: number;
    headers?: Record<string, string>;
  } = {},
): APIGatewayProxyEvent {
  const timestamp = options.timestamp ?? nowSeconds;
  const processorId = options.processorId ?? 'logistics';
  return apiEvent({
    resource: '/processors/{processorId}/callback',
    path: `/processors/${processorId}/callback`,
    httpMethod: 'POST',
    pathParameters: { processorId },
    headers: options.headers ?? {
      'Content-Type': 'application/json',
      'X-DSR-Timestamp': String(timestamp),
      'X-DSR-Signature': signProcessorBody(options.secret ?? PROCESSOR_SECRET, timestamp, body),
    },
    body,
  });
}

async function send(event: APIGatewayProxyEvent) {
  const result = await route(event, lambdaContext('dsr-ProcessorCallback', 10));
  return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
}

const completedBody = (requestId = deleteId, extra: object = {}) =>
  JSON.stringify({ requestId, status: 'completed', reference: 'KCL-7F3A9C', ...extra });

describe('POST /processors/{processorId}/callback', () => {
  it("records a correctly signed acknowledgement and resumes the waiting workflow with the partner's answer", async () => {
    // Prepare
    awaitProcessor(deleteId, 'delete');

    // Act
    const answer = await send(callback(completedBody()));

    // Assess
    expect(answer).toEqual({ status: 200, body: { recorded: true, late: false } });
    expect(ledger.processor(deleteId, 'logistics')).toMatchObject({
      status: 'acknowledged',
      ack: { via: 'callback', status: 'completed', reference: 'KCL-7F3A9C', at: NOW.toISOString() },
    });
    expect(completed).toEqual([
      {
        token: 'waiting-token',
        output: { storeId: 'logistics', processor: { status: 'completed', reference: 'KCL-7F3A9C' } },
      },
    ]);
    expect((await ledger.get(deleteId))?.stores?.logistics).toEqual({ status: 'completed' });
  });

  it.each([
    ['signed with another secret', (body: string) => callback(body, { secret: Buffer.alloc(32, 7) })],
    ['signed six minutes ago', (body: string) => callback(body, { timestamp: nowSeconds - 360 })],
    [
      'changed after signing',
      (body: string) => ({ ...callback(body), body: body.replace('completed', 'not_found') }),
    ],
    [
      'without signature headers',
      (body: string) => callback(body, { headers: { 'content-type': 'application/json' } }),
    ],
  ])('rejects a callback %s with 401 and leaves the ledger byte-for-byte unchanged', async (_, build) => {
    awaitProcessor(deleteId, 'delete');
    const before = ledger.snapshot(deleteId);

    const answer = await send(build(completedBody()));

    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_signature');
    expect(ledger.snapshot(deleteId)).toBe(before);
    expect(completed).toEqual([]);
    expect(s3.objects.size).toBe(0);
  });

  it('verifies the signature over the raw bytes of a base64-encoded body', async () => {
    awaitProcessor(deleteId, 'delete');
    const body = completedBody();
    const event = callback(body);

    const answer = await send({
      ...event,
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });

    expect(answer).toEqual({ status: 200, body: { recorded: true, late: false } });
  });

  it('answers a partner that is not in the data map (nor a data store id) exactly like a wrong signature, before any secret is loaded', async () => {
    // Prepare: what a known partner answers to a well-formed but wrong signature.
    const known = await send(callback(completedBody(), { secret: Buffer.alloc(32, 7) }));
    secretLoads = 0;

    // Act
    const answers = [];
    for (const processorId of ['no-such-partner', 'customers']) {
      answers.push(await send(callback(completedBody(), { processorId })));
    }

    // Assess: no oracle for partner ids.
    expect(known).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
    for (const answer of answers) expect(answer).toEqual(known);
    expect(secretLoads).toBe(0);
  });

  it.each([
    ['no signature headers', { 'content-type': 'application/json' }],
    ['a signature of the wrong shape', { 'x-dsr-timestamp': String(nowSeconds), 'x-dsr-signature': 'v1=zz' }],
    [
      'a stale timestamp',
      { 'x-dsr-timestamp': String(nowSeconds - 3600), 'x-dsr-signature': `v1=${'a'.repeat(64)}` },
    ],
  ])(
    'checks the signature headers for %s before looking the partner up: any partner id gets the same 401',
    async (_, headers) => {
      for (const processorId of ['no-such-partner', 'logistics']) {
        const answer = await send(callback(completedBody(), { processorId, headers }));
        expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
      }
      expect(secretLoads).toBe(0);
    },
  );

  it('answers 400 naming the fields of a correctly signed body that breaks the protocol, and for one that is not JSON', async () => {
    awaitProcessor(deleteId, 'delete');
    const before = ledger.snapshot(deleteId);

    const wrong = await send(callback(completedBody(deleteId, { status: 'done', reference: 'has spaces' })));
    const notJson = await send(callback('{"requestId":'));

    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(Object.keys(wrong.body.fields as object).sort()).toEqual(['reference', 'status']);
    expect(notJson).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(ledger.snapshot(deleteId)).toBe(before);
  });

  it('answers 404 for a request this partner was never told about, and for one that does not exist', async () => {
    awaitProcessor(deleteId, 'delete', 'payments');
    const before = ledger.snapshot(deleteId);

    const notTold = await send(callback(completedBody()));
    const missing = await send(callback(completedBody('20260101-delete-zzzzzzzzzz')));

    expect(notTold).toMatchObject({ status: 404, body: { error: 'unknown_request' } });
    expect(missing).toMatchObject({ status: 404, body: { error: 'unknown_request' } });
    expect(ledger.snapshot(deleteId)).toBe(before);
  });

  it('answers a repeated callback as a duplicate and keeps the first acknowledgement', async () => {
    awaitProcessor(deleteId, 'delete');
    await send(callback(completedBody()));

    const again = await send(callback(completedBody(deleteId, { reference: 'KCL-OTHER' })));

    expect(again).toEqual({ status: 200, body: { recorded: false, duplicate: true } });
    expect(ledger.processor(deleteId, 'logistics')?.ack?.reference).toBe('KCL-7F3A9C');
    // The repeat resumes with the first answer (Step Functions refuses it once the task has moved on).
    expect(completed.map((c) => c.output)).toEqual([
      { storeId: 'logistics', processor: { status: 'completed', reference: 'KCL-7F3A9C' } },
      { storeId: 'logistics', processor: { status: 'completed', reference: 'KCL-7F3A9C' } },
    ]);
  });

  it("resumes the workflow on the partner's retry when the first try recorded the answer but could not resume it", async () => {
    // Prepare: the first resume is throttled after the acknowledgement was recorded
    awaitProcessor(deleteId, 'delete');
    refusedResumes = 1;
    const first = await send(callback(completedBody()));
    expect(first.status).toBe(500);
    expect(ledger.processor(deleteId, 'logistics')?.status).toBe('acknowledged');
    expect(completed).toEqual([]);

    // Act: the partner sends the same callback again
    const again = await send(callback(completedBody()));

    // Assess: answered as a duplicate, and the waiting task is resumed (it would otherwise wait out its deadline)
    expect(again).toEqual({ status: 200, body: { recorded: false, duplicate: true } });
    expect(completed).toEqual([
      {
        token: 'waiting-token',
        output: { storeId: 'logistics', processor: { status: 'completed', reference: 'KCL-7F3A9C' } },
      },
    ]);
  });

  it('records a callback that arrives after the escalation as late evidence, without resuming the workflow', async () => {
    awaitProcessor(deleteId, 'delete');
    await ledger.recordProcessorEscalation(deleteId, 'logistics', {
      at: '2026-01-04T01:00:00.000Z',
      reason: 'deadline_passed',
    });

    const answer = await send(callback(completedBody()));

    expect(answer).toEqual({ status: 200, body: { recorded: true, late: true } });
    expect(ledger.processor(deleteId, 'logistics')).toMatchObject({
      escalation: { reason: 'deadline_passed' },
      ack: { reference: 'KCL-7F3A9C', late: true },
    });
    expect(completed).toEqual([]);
  });

  it("writes an access partner's records from its callback to the export and resumes the workflow with that file", async () => {
    awaitProcessor(accessId, 'access');
    const records = [{ orderId: 'ORD-1', recipient: 'Test Person' }];

    const answer = await send(callback(completedBody(accessId, { records })));

    expect(answer.status).toBe(200);
    const file = s3.text(`dsr-exports/exports/${accessId}/stores/logistics.json`);
    expect(JSON.parse(file ?? '{}')).toEqual({ storeId: 'logistics', records });
    expect(completed).toEqual([
      { token: 'waiting-token', output: expect.objectContaining({ storeId: 'logistics', records: 1 }) },
    ]);
    expect(ledger.processor(accessId, 'logistics')?.ack?.records).toBe(1);
  });

  it('fails the waiting task as ProcessorRejected when the partner calls back that it could not do it', async () => {
    awaitProcessor(deleteId, 'delete');

    const answer = await send(callback(completedBody(deleteId, { status: 'failed' })));

    expect(answer.status).toBe(200);
    expect(failed).toEqual([{ token: 'waiting-token', error: 'ProcessorRejected' }]);
    expect(completed).toEqual([]);
  });

  it('refuses a body over 1 MiB with 413 before loading any secret', async () => {
    awaitProcessor(accessId, 'access');
    const big = completedBody(accessId, { detail: 'x'.repeat(1024 * 1024) });

    const answer = await send(callback(big));

    expect(answer.status).toBe(413);
    expect(secretLoads).toBe(0);
  });
});
