/**
 * End to end on this machine: opt-out, delete and access requests reaching the
 * two demo processors (a logistics company answering in its response, a payment
 * gateway answering through our signed callback route), through the real
 * handlers, the real ASL in the local interpreter, the emulators and the
 * processor simulators, over HTTP. One system for every test; each test sets the
 * processor behaviour it needs and the next one starts from the defaults.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type JSZip from 'jszip';
import type { ProcessorEvidence } from '../../functions/core/ledger-record';
import { PAYMENTS_RETENTION_REASON, type Received } from '../../infra/local/processors';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { LocalApi, poll, type SesEmail, textOf } from '../support/local-api';

jest.setTimeout(60_000);

/** Every processor's deadline here: short, so the escalation test waits seconds, not three days. */
const ACK_SECONDS = 6;
const GRACE_SECONDS = 1;
const SUPPORT_EMAIL = 'support@impor.in.example';
const PROCESSOR_NAMES = { logistics: 'Kirim Cepat Logistics', payments: 'BayarKu Payment Gateway' } as const;

const person = (key: string, n: number) => ({
  email: `${key}.partners.e2e@example.test`,
  fullName: `${key[0]?.toUpperCase()}${key.slice(1)} Mitra Testcase`,
  phone: `+62812000001${String(n).padStart(2, '0')}`,
});
const subjects = {
  optOut: person('ayu', 31),
  erase: person('budi', 32),
  retried: person('citra', 33),
  escalated: person('dewi', 34),
  forged: person('eka', 35),
  access: person('fajar', 36),
};

let system: LocalSystem;
let dataDir: string;
let local: LocalApi;
const customerIds: Record<string, string> = {};

/** The request's evidence for one processor, failing clearly when it is missing. */
async function evidenceOf(requestId: string, processorId: string): Promise<ProcessorEvidence> {
  const evidence = (await local.processorEvidence(requestId))[processorId];
  if (!evidence) throw new Error(`no evidence for partner ${processorId}`);
  return evidence;
}

/** A processor's records about a customer at the simulator. */
const heldBy = (processorId: string, customerId: string) =>
  system.processors.holdings(processorId).find((h) => h.customerId === customerId)?.records ?? [];

/** The processor's reference in its answer to a delivery. */
const referenceOf = (received: Received | undefined) =>
  (received?.response.body as { reference?: string } | undefined)?.reference;

async function jsonIn<T>(zip: JSZip, name: string): Promise<T> {
  const file = zip.file(name);
  if (!file) throw new Error(`no ${name} in the export`);
  return JSON.parse(await file.async('string')) as T;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-partners-'));
  system = await startLocalSystem({
    dataDir,
    port: 0,
    sesPort: 0,
    processorPort: 0,
    demoCustomers: 5,
    deleteGraceSeconds: GRACE_SECONDS,
    processorAckSeconds: ACK_SECONDS,
    processorRetryBaseDelayMs: 20,
  });
  local = new LocalApi(system);
  const { plantSubject } = await import('../../infra/local/demo-data');
  // Paid and delivered orders only: both processors hold records about each one.
  await Promise.all(
    Object.entries(subjects).map(async ([key, subject]) => {
      await plantSubject(system.clients, system.dataMap, {
        ...subject,
        records: 2,
        documents: 0,
        orderStatuses: ['delivered', 'paid'],
        processors: system.processors,
      });
      customerIds[key] = await local.customerIdOf(subject.email);
    }),
  );
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const id of system.processors.ids()) system.processors.reset(id);
  // The payment gateway calls back quickly, well within the short deadline.
  system.processors.setBehaviour('payments', { ackDelayMs: 200 });
});

describe('partners on the local system', () => {
  it('an opt-out reaches both partners with a correctly signed request, each acknowledges, and the request’s evidence lists both', async () => {
    // Prepare
    const subject = subjects.optOut;
    const customerId = customerIds.optOut as string;

    // Act
    const { requestId, statusToken } = await local.submitVerified('opt_out', subject.email);
    await local.until(requestId, statusToken, 'completed');

    // Assess: each processor got one signed request, naming the subject only by what it already knows.
    for (const processorId of ['logistics', 'payments']) {
      const received = local.receivedBy(processorId, requestId);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        signatureValid: true,
        duplicate: false,
        idempotencyKey: `${requestId}:${processorId}:opt_out`,
        request: {
          version: 1,
          type: 'opt_out',
          subject: { customerId: [customerId], email: [subject.email] },
        },
      });
      // It acted: marketing is off on everything it holds about the subject.
      const records = heldBy(processorId, customerId);
      expect(records.length).toBeGreaterThan(0);
      for (const r of records) expect(r.marketing).toBe(false);
    }
    // The simulator notes our answer to its callback as it arrives, which can trail the workflow.
    const paymentsAnswer = await poll(
      async () => local.receivedBy('payments', requestId).find((r) => r.callback?.status !== undefined),
      5_000,
      'the payment gateway’s callback answer',
    );
    expect(paymentsAnswer.callback).toMatchObject({ status: 200 });

    // The evidence: the logistics answer in its response, the payment gateway's by callback.
    const logistics = await evidenceOf(requestId, 'logistics');
    expect(logistics).toMatchObject({
      name: PROCESSOR_NAMES.logistics,
      type: 'opt_out',
      status: 'acknowledged',
      ack: { via: 'response', status: 'completed', reference: expect.stringMatching(/^KCL-/) },
    });
    expect(logistics.attempts.map((a) => a.outcome)).toEqual(['acknowledged']);
    const payments = await evidenceOf(requestId, 'payments');
    expect(payments).toMatchObject({
      name: PROCESSOR_NAMES.payments,
      status: 'acknowledged',
      ack: {
        via: 'callback',
        status: 'completed',
        reference: referenceOf(paymentsAnswer),
      },
    });
    expect(payments.attempts.map((a) => a.outcome)).toEqual(['accepted']);
    expect(payments.taskToken).toBeUndefined();
    const entry = await local.ledgerEntry(requestId);
    expect(entry.stores).toMatchObject({
      logistics: { status: 'completed' },
      payments: { status: 'completed' },
    });

    // The subject's confirmation names the processors that were told.
    const confirmation = (await local.emailsFor(subject.email, requestId)).at(-1) as SesEmail;
    expect(textOf(confirmation)).toContain(PROCESSOR_NAMES.logistics);
    expect(textOf(confirmation)).toContain(PROCESSOR_NAMES.payments);
  });

  it('a delete reaches both partners and the certificate lists their acknowledgements', async () => {
    const subject = subjects.erase;
    const customerId = customerIds.erase as string;

    const { requestId, statusToken } = await local.submitVerified('delete', subject.email);
    await local.until(requestId, statusToken, 'completed');

    for (const processorId of ['logistics', 'payments']) {
      expect(local.receivedBy(processorId, requestId)).toMatchObject([
        { signatureValid: true, request: { type: 'delete' } },
      ]);
    }
    // The logistics company deleted its shipments; the payment gateway keeps payments by law.
    expect(heldBy('logistics', customerId)).toEqual([]);
    expect(heldBy('payments', customerId).length).toBeGreaterThan(0);

    const entry = await local.ledgerEntry(requestId);
    const { jsonKey, htmlKey } = entry.certificate as { jsonKey: string; htmlKey: string };
    const json = await local.auditObject(jsonKey);
    const certificate = JSON.parse(json) as {
      processors: {
        processorId: string;
        name: string;
        status: string;
        attempts: number;
        ack?: { via: string; status: string; reference: string; retained?: { reason: string }[] };
      }[];
    };
    const byId = Object.fromEntries(certificate.processors.map((p) => [p.processorId, p]));
    expect(byId.logistics).toMatchObject({
      name: PROCESSOR_NAMES.logistics,
      status: 'acknowledged',
      attempts: 1,
      ack: { via: 'response', status: 'completed', reference: expect.stringMatching(/^KCL-/) },
    });
    expect(byId.payments).toMatchObject({
      name: PROCESSOR_NAMES.payments,
      status: 'acknowledged',
      ack: { via: 'callback', status: 'retained', retained: [{ reason: PAYMENTS_RETENTION_REASON }] },
    });
    const html = await local.auditObject(htmlKey);
    expect(html).toContain('Partners told');
    expect(html).toContain(PROCESSOR_NAMES.payments);
    for (const text of [json, html]) expect(text.toLowerCase()).not.toContain(subject.email);
  });

  it('a partner answering 500 twice then 200 is retried and its acknowledgement recorded with three attempts', async () => {
    system.processors.setBehaviour('logistics', { failTimes: 2, failStatus: 500 });

    const { requestId, statusToken } = await local.submitVerified('opt_out', subjects.retried.email);
    await local.until(requestId, statusToken, 'completed');

    // The processor saw the same request three times, under one idempotency key.
    const received = local.receivedBy('logistics', requestId);
    expect(received.map((r) => r.response.status)).toEqual([500, 500, 200]);
    expect(new Set(received.map((r) => r.idempotencyKey))).toEqual(
      new Set([`${requestId}:logistics:opt_out`]),
    );
    for (const r of received) expect(r.signatureValid).toBe(true);
    const evidence = await evidenceOf(requestId, 'logistics');
    expect(evidence.attempts.map((a) => [a.attempt, a.httpStatus, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 200, 'acknowledged'],
    ]);
    expect(evidence).toMatchObject({ status: 'acknowledged', ack: { status: 'completed' } });
  });

  it('a partner that never acknowledges is escalated to support by its deadline and the request still completes', async () => {
    system.processors.setBehaviour('payments', { ack: 'never' });
    const subject = subjects.escalated;

    const { requestId, statusToken } = await local.submitVerified('opt_out', subject.email);
    const done = await local.until(requestId, statusToken, 'completed', ACK_SECONDS * 1000 + 30_000);

    // Accepted, then silence: support was told once the deadline passed, not before.
    expect(local.receivedBy('payments', requestId)).toMatchObject([{ response: { status: 202 } }]);
    const evidence = await evidenceOf(requestId, 'payments');
    expect(evidence).toMatchObject({ status: 'escalated', escalation: { reason: 'deadline_passed' } });
    expect(evidence.ack).toBeUndefined();
    const waitedMs = Date.parse(evidence.escalation?.at ?? '') - Date.parse(evidence.notifiedAt);
    expect(waitedMs).toBeGreaterThanOrEqual(ACK_SECONDS * 1000 - 1000);
    expect(waitedMs).toBeLessThan(ACK_SECONDS * 1000 + 10_000);
    expect(done.stores.find((s) => s.storeId === 'payments')?.status).toBe('escalated');
    expect(await evidenceOf(requestId, 'logistics')).toMatchObject({ status: 'acknowledged' });

    // Support got an email naming the processor and the request, without the subject's data.
    const escalation = await poll(
      async () => (await local.emailsTo(SUPPORT_EMAIL)).find((m) => m.subject.includes(requestId)),
      10_000,
      'the escalation email',
    );
    expect(escalation.subject).toBe(
      `[DSR] Partner ${PROCESSOR_NAMES.payments} has not acknowledged ${requestId}`,
    );
    const text = textOf(escalation).toLowerCase();
    expect(text).not.toContain(subject.email);
    expect(text).not.toContain(subject.fullName.toLowerCase());
  });

  it('a callback with a bad signature is rejected with 401 and changes nothing', async () => {
    // The payment gateway signs its callback with the wrong secret.
    system.processors.setBehaviour('payments', { callbackSignature: 'invalid', ackDelayMs: 50 });
    const { requestId, statusToken } = await local.submitVerified('opt_out', subjects.forged.email);
    const sent = await poll(
      async () => local.receivedBy('payments', requestId).find((r) => r.callback),
      ACK_SECONDS * 1000,
      'the partner’s callback',
    );
    expect(sent.callback).toMatchObject({ status: 401 });
    // NotifyProcessor records the 202 after the processor answered, so the refused callback may land first.
    const before = await poll(
      async () => {
        const evidence = await evidenceOf(requestId, 'payments');
        return evidence.status === 'awaiting_ack' ? evidence : undefined;
      },
      ACK_SECONDS * 1000,
      'the partner to be awaited',
    );
    expect(before.ack).toBeUndefined();

    // Forged and unsigned callbacks are refused too, and nothing is written.
    const reference = referenceOf(sent);
    const body = { requestId, status: 'completed', reference };
    const forged = await local.postProcessorCallback('payments', body, randomBytes(32));
    const unsigned = await local.postProcessorCallback('payments', body, null);
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: 'invalid_signature' });
    expect(unsigned.status).toBe(401);
    expect(await evidenceOf(requestId, 'payments')).toEqual(before);
    expect((await local.statusOf(requestId, statusToken)).status).not.toBe('completed');

    // The processor's correctly signed callback is still the first acknowledgement.
    const genuine = await local.postProcessorCallback(
      'payments',
      body,
      await local.processorSecret('payments'),
    );
    expect(genuine.status).toBe(200);
    expect(await genuine.json()).toEqual({ recorded: true, late: false });
    await local.until(requestId, statusToken, 'completed');
    expect(await evidenceOf(requestId, 'payments')).toMatchObject({
      status: 'acknowledged',
      ack: { via: 'callback', status: 'completed', reference },
    });
  });

  it('an access request includes the logistics partner’s records and a processing record listing both partners', async () => {
    const customerId = customerIds.access as string;
    const held = heldBy('logistics', customerId);
    expect(held.length).toBeGreaterThan(0);

    const { requestId, zip } = await local.accessExport(subjects.access.email);

    // Only the logistics processor declared access requests.
    expect(local.receivedBy('logistics', requestId)).toMatchObject([{ request: { type: 'access' } }]);
    expect(local.receivedBy('payments', requestId)).toEqual([]);
    const stored = await jsonIn<{ records: Record<string, unknown>[] }>(zip, 'stores/logistics.json');
    expect(stored.records).toHaveLength(held.length);
    expect(JSON.stringify(stored.records)).toContain(String(held[0]?.shipmentId));

    const record = await jsonIn<{
      processors: {
        id: string;
        name: string;
        country: string;
        calls: { type: string; attempts: unknown[]; ack?: { status: string } }[];
      }[];
      stores: { storeId: string; records: number }[];
    }>(zip, 'processing-record.json');
    expect(record.processors.map((p) => [p.id, p.name, p.country])).toEqual([
      ['logistics', PROCESSOR_NAMES.logistics, 'ID'],
      ['payments', PROCESSOR_NAMES.payments, 'ID'],
    ]);
    expect(record.processors[0]?.calls).toMatchObject([
      { type: 'access', attempts: [{ outcome: 'acknowledged' }], ack: { status: 'completed' } },
    ]);
    expect(record.processors[1]?.calls).toEqual([]);
    expect(record.stores.find((s) => s.storeId === 'logistics')?.records).toBe(held.length);
    const index = await (zip.file('index.html') as JSZip.JSZipObject).async('string');
    expect(index).toContain('Who receives your data');
    expect(index).toContain(PROCESSOR_NAMES.payments);
  });
});
