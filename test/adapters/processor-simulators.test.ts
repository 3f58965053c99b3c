/**
 * The local processor simulators on their own: a stand-in API receives their
 * callbacks, and the tests sign requests with the processors' secrets the way
 * the DSR workflow does.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProcessorCallback, ProcessorResponse } from '../../functions/core/processors/protocol';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  signProcessorBody,
  TIMESTAMP_HEADER,
  verifyProcessorSignature,
} from '../../functions/core/processors/signature';
import { newRequestId } from '../../functions/core/request-id';
import {
  httpProcessorSink,
  LOGISTICS_RETENTION_REASON,
  PAYMENTS_RETENTION_REASON,
  type ProcessorSimulators,
  type SimulatedProcessor,
  startProcessorSimulators,
} from '../../infra/local/processors';
import { poll } from '../support/local-api';

const PROCESSORS: SimulatedProcessor[] = [
  { id: 'logistics', name: 'Kirim Cepat Logistics', role: 'logistics' },
  { id: 'payments', name: 'BayarKu Payment Gateway', role: 'payments' },
];
const secrets: Record<string, Buffer> = { logistics: randomBytes(32), payments: randomBytes(32) };
const secretOf = (id: string) => secrets[id] ?? Buffer.alloc(32);

const ani = { customerId: 'cus-ani-0001', email: 'ani.partner@example.test' };
const budi = { customerId: 'cus-budi-0002', email: 'budi.partner@example.test' };

/** What the stand-in API received on its callback route. */
interface Callback {
  processorId: string;
  signatureValid: boolean;
  body: Record<string, unknown>;
}

let dataDir: string;
let api: Server;
let apiUrl: string;
const callbacks: Callback[] = [];
let sims: ProcessorSimulators;

function shipment(orderId: string) {
  return {
    shipmentId: `SHP-${orderId}`,
    orderId,
    recipientName: 'Ani Contoh',
    recipientPhone: '+6281200000001',
    deliveryAddress: 'Jl. Contoh No. 1, Jakarta 10110',
    marketing: true,
  };
}

function payment(orderId: string) {
  return {
    paymentId: `PAY-${orderId}`,
    orderId,
    method: 'gopay',
    instrument: 'gopay ****0001',
    marketing: true,
  };
}

/** Signs and POSTs a request to processor `id`'s webhook, as the DSR workflow does. */
async function deliver(
  id: string,
  type: 'access' | 'delete' | 'opt_out',
  subject: { customerId: string; email: string },
  opts: { key?: string; secret?: Buffer; requestId?: string; signature?: string | null } = {},
) {
  const requestId = opts.requestId ?? newRequestId(type);
  const body = JSON.stringify({
    version: 1,
    requestId,
    type,
    subject: { customerId: [subject.customerId], email: [subject.email] },
    deadline: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    callbackUrl: `${apiUrl}/processors/${id}/callback`,
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [TIMESTAMP_HEADER]: String(timestamp),
    [IDEMPOTENCY_HEADER]: opts.key ?? `${requestId}:${id}:${type}`,
  };
  if (opts.signature !== null) {
    headers[SIGNATURE_HEADER] =
      opts.signature ?? signProcessorBody(opts.secret ?? secretOf(id), timestamp, body);
  }
  const res = await fetch(`${sims.url}/partners/${id}/dsr`, { method: 'POST', headers, body });
  return { requestId, status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const held = (id: string, customerId: string) =>
  sims.holdings(id).find((h) => h.customerId === customerId)?.records ?? [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-partners-'));
  // The stand-in API: checks each callback's signature as the real route does.
  api = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const processorId = /^\/processors\/([^/]+)\/callback$/.exec(req.url ?? '')?.[1] ?? '';
    const signatureValid = verifyProcessorSignature(
      secretOf(processorId),
      {
        timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined,
        signature: req.headers[SIGNATURE_HEADER] as string | undefined,
      },
      raw,
    );
    callbacks.push({ processorId, signatureValid, body: JSON.parse(raw) as Record<string, unknown> });
    res.writeHead(signatureValid ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(signatureValid ? { recorded: true } : { error: 'invalid_signature' }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  sims = await startProcessorSimulators({
    port: 0,
    dataDir,
    processors: PROCESSORS,
    secretOf,
    callbackBaseUrl: () => apiUrl,
  });
});

afterAll(async () => {
  await sims?.stop();
  await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const { id } of PROCESSORS) sims.reset(id);
});

describe('the local partner simulators', () => {
  it('list both partners and what each received over HTTP', async () => {
    // Prepare
    sims.plant('logistics', { ...ani, records: [shipment('ORD-LIST-1')] });
    const { requestId } = await deliver('logistics', 'opt_out', ani);

    // Act
    const processors = await (await fetch(`${sims.url}/partners`)).json();
    const received = (await (await fetch(`${sims.url}/partners/logistics/received`)).json()) as {
      processorId: string;
      received: { request: { requestId: string } | null; signatureValid: boolean }[];
    };
    const unknown = await fetch(`${sims.url}/partners/nobody/received`);

    // Assess
    expect(processors).toEqual({
      processors: [
        { id: 'logistics', name: 'Kirim Cepat Logistics', role: 'logistics' },
        { id: 'payments', name: 'BayarKu Payment Gateway', role: 'payments' },
      ],
    });
    expect(received.processorId).toBe('logistics');
    expect(received.received.at(-1)).toMatchObject({ request: { requestId }, signatureValid: true });
    expect(unknown.status).toBe(404);
  });

  it('the logistics partner deletes the subject’s shipments and acknowledges in its response', async () => {
    sims.plant('logistics', { ...ani, records: [shipment('ORD-A1'), shipment('ORD-A2')] });
    sims.plant('logistics', { ...budi, records: [shipment('ORD-B1')] });

    const answer = await deliver('logistics', 'delete', ani);

    expect(answer.status).toBe(200);
    expect(ProcessorResponse.safeParse(answer.body).success).toBe(true);
    expect(answer.body).toMatchObject({
      status: 'completed',
      reference: expect.stringMatching(/^KCL-[0-9A-F]{6}$/),
    });
    expect(held('logistics', ani.customerId)).toEqual([]);
    expect(held('logistics', budi.customerId)).toHaveLength(1);
    // What it holds is on disk, so a restarted `npm start` still knows it.
    await sims.flush();
    const onDisk = await readFile(path.join(dataDir, 'partners', 'logistics.json'), 'utf8');
    expect(onDisk).toContain(budi.customerId);
    expect(onDisk).not.toContain('ORD-A1');
  });

  it('the logistics partner keeps a shipment still in transit after a delete, says why, and deletes the rest', async () => {
    const cara = { customerId: 'cus-cara-0003', email: 'cara.partner@example.test' };
    sims.plant('logistics', {
      ...cara,
      records: [shipment('ORD-C1'), { ...shipment('ORD-C2'), status: 'in_transit' }],
    });

    const answer = await deliver('logistics', 'delete', cara);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'retained',
      detail: '1 shipment records deleted; 1 kept until delivered',
      retained: [{ category: 'transaction', reason: LOGISTICS_RETENTION_REASON }],
    });
    expect(held('logistics', cara.customerId)).toEqual([
      { ...shipment('ORD-C2'), status: 'in_transit', marketing: false },
    ]);
  });

  it('refuses a request with a wrong or missing signature with 401, records it and changes nothing', async () => {
    sims.plant('logistics', { ...budi, records: [shipment('ORD-B2')] });
    const before = held('logistics', budi.customerId);

    const wrong = await deliver('logistics', 'delete', budi, { secret: randomBytes(32) });
    const missing = await deliver('logistics', 'delete', budi, { signature: null });

    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_signature' } });
    expect(missing.status).toBe(401);
    expect(held('logistics', budi.customerId)).toEqual(before);
    const last = sims.received('logistics').slice(-2);
    expect(last.map((r) => [r.signatureValid, r.request, r.response.status])).toEqual([
      [false, null, 401],
      [false, null, 401],
    ]);
  });

  it('answers a repeated idempotency key with its first answer and acts only once', async () => {
    sims.plant('logistics', { ...ani, records: [shipment('ORD-A3')] });
    const key = 'repeat-key-1';

    const first = await deliver('logistics', 'delete', ani, { key });
    sims.plant('logistics', { ...ani, records: [shipment('ORD-A4')] });
    const again = await deliver('logistics', 'delete', ani, { key });

    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    // The repeat did not delete the shipment planted in between.
    expect(held('logistics', ani.customerId).map((r) => r.orderId)).toEqual(['ORD-A4']);
    expect(
      sims
        .received('logistics')
        .slice(-2)
        .map((r) => r.duplicate),
    ).toEqual([false, true]);
  });

  it('the payment gateway keeps transaction records on delete, says why, and confirms through a signed callback', async () => {
    sims.setBehaviour('payments', { ackDelayMs: 50 });
    sims.plant('payments', { ...ani, records: [payment('ORD-A5')] });

    const answer = await deliver('payments', 'delete', ani);

    expect(answer).toMatchObject({
      status: 202,
      body: { status: 'accepted', reference: expect.stringMatching(/^BYK-/) },
    });
    const callback = await poll(
      async () => callbacks.find((c) => c.body.requestId === answer.requestId),
      5_000,
      'the callback',
    );
    expect(ProcessorCallback.safeParse(callback.body).success).toBe(true);
    expect(callback).toMatchObject({
      processorId: 'payments',
      signatureValid: true,
      body: {
        status: 'retained',
        reference: answer.body.reference,
        retained: [{ category: 'transaction', reason: PAYMENTS_RETENTION_REASON }],
      },
    });
    expect(held('payments', ani.customerId)).toEqual([{ ...payment('ORD-A5'), marketing: false }]);
    await poll(
      async () => sims.received('payments').find((r) => r.request?.requestId === answer.requestId)?.callback,
      2_000,
      'the callback to be recorded',
    );
    expect(
      sims.received('payments').find((r) => r.request?.requestId === answer.requestId)?.callback,
    ).toMatchObject({ status: 200 });
  });

  it('turns marketing off on every record of the subject for an opt-out', async () => {
    sims.plant('logistics', { ...budi, records: [shipment('ORD-B3'), shipment('ORD-B4')] });

    const answer = await deliver('logistics', 'opt_out', { ...budi, customerId: 'unknown-to-them' });

    expect(answer.body).toMatchObject({ status: 'completed' });
    // Found by email alone, since that is one of the identifiers it knows the subject by.
    const records = held('logistics', budi.customerId);
    expect(records.length).toBeGreaterThan(1);
    for (const r of records) expect(r.marketing).toBe(false);
  });

  it('returns the records it holds for an access request, and not_found when it holds none', async () => {
    sims.plant('logistics', {
      customerId: 'cus-citra-3',
      email: 'citra@example.test',
      records: [shipment('ORD-C1')],
    });

    const found = await deliver('logistics', 'access', {
      customerId: 'cus-citra-3',
      email: 'citra@example.test',
    });
    const none = await deliver('logistics', 'access', {
      customerId: 'cus-nobody',
      email: 'nobody@example.test',
    });

    expect(ProcessorResponse.safeParse(found.body).success).toBe(true);
    expect(found.body).toMatchObject({ status: 'completed', records: [{ orderId: 'ORD-C1' }] });
    expect(none.body).toMatchObject({ status: 'not_found' });
    expect(none.body).not.toHaveProperty('records');
  });

  it('fails the number of times it is told to, with the status it is told, then recovers', async () => {
    sims.setBehaviour('logistics', { failTimes: 2, failStatus: 503 });
    const key = 'fail-then-ok';

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await deliver('logistics', 'opt_out', ani, { key })).status);

    expect(statuses).toEqual([503, 503, 200]);
    expect(sims.behaviour('logistics').failTimes).toBe(0);
  });

  it('answers only after its delay when told to be slow', async () => {
    sims.setBehaviour('logistics', { delayMs: 300 });

    const started = Date.now();
    const answer = await deliver('logistics', 'opt_out', ani);

    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('accepts but never calls back when told never to acknowledge', async () => {
    sims.setBehaviour('payments', { ack: 'never', ackDelayMs: 0 });

    const answer = await deliver('payments', 'opt_out', ani);
    await new Promise((r) => setTimeout(r, 200));

    expect(answer.body).toMatchObject({ status: 'accepted' });
    expect(callbacks.some((c) => c.body.requestId === answer.requestId)).toBe(false);
  });

  it('signs its callback with a wrong secret when told to, and records the API’s 401', async () => {
    sims.setBehaviour('payments', { ackDelayMs: 0, callbackSignature: 'invalid' });

    const answer = await deliver('payments', 'opt_out', ani);

    const entry = await poll(
      async () =>
        sims.received('payments').find((r) => r.request?.requestId === answer.requestId && r.callback),
      5_000,
      'the callback',
    );
    expect(entry.callback).toMatchObject({ status: 401 });
    expect(callbacks.find((c) => c.body.requestId === answer.requestId)?.signatureValid).toBe(false);
  });

  it('changes behaviour over HTTP and refuses one it does not know', async () => {
    const set = await fetch(`${sims.url}/partners/logistics/behaviour`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ack: 'async', ackDelayMs: 5 }),
    });
    const bad = await fetch(`${sims.url}/partners/logistics/behaviour`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ack: 'sometimes' }),
    });

    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ ack: 'async', ackDelayMs: 5, failTimes: 0 });
    expect(bad.status).toBe(400);
    expect(sims.behaviour('logistics').ack).toBe('async');
  });

  it('takes a subject’s records over HTTP, as npm run seed gives them, and refuses malformed ones', async () => {
    const sink = await httpProcessorSink(sims.url);

    await sink.plant('logistics', {
      customerId: 'cus-gita-5',
      email: 'Gita@Example.test',
      records: [shipment('ORD-G1')],
    });
    const bad = await fetch(`${sims.url}/partners/logistics/holdings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'cus-x', records: 'not a list' }),
    });

    expect(sink.processors.map((p) => [p.id, p.role])).toEqual([
      ['logistics', 'logistics'],
      ['payments', 'payments'],
    ]);
    expect(sims.holdings('logistics').find((h) => h.customerId === 'cus-gita-5')).toMatchObject({
      email: 'gita@example.test',
      records: [{ orderId: 'ORD-G1' }],
    });
    expect(bad.status).toBe(400);
  });

  it('keeps what it holds across a restart', async () => {
    sims.plant('payments', {
      customerId: 'cus-dewi-4',
      email: 'dewi@example.test',
      records: [payment('ORD-D1')],
    });
    await sims.stop();

    sims = await startProcessorSimulators({
      port: 0,
      dataDir,
      processors: PROCESSORS,
      secretOf,
      callbackBaseUrl: () => apiUrl,
    });

    const holdings = (await (await fetch(`${sims.url}/partners/payments/holdings`)).json()) as {
      holdings: { customerId: string }[];
    };
    expect(holdings.holdings.map((h) => h.customerId)).toContain('cus-dewi-4');
  });
});
