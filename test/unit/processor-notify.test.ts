import { ProcessorWebhook } from '../../functions/connectors/processor-webhook';
import { type NotifyPorts, notifyProcessor } from '../../functions/core/processors/notify';
import { verifyProcessorSignature } from '../../functions/core/processors/signature';
import { memoryS3 } from '../support/erasure-fakes';
import {
  demoDataMap,
  MemoryProcessorLedger,
  PROCESSOR_SECRET,
  scriptedProcessor,
} from '../support/processor-fakes';

const deleteId = '20260101-delete-abcdefghjk';
const accessId = '20260101-access-abcdefghjk';
const NOW = new Date('2026-01-01T01:00:00.000Z');
const identities = {
  email: ['someone@example.com'],
  customerId: ['CUST-0001'],
  phone: ['+620000000000'],
};

let ledger: MemoryProcessorLedger;
let s3: ReturnType<typeof memoryS3>;
let completed: { token: string; output: unknown }[];
let failed: { token: string; error: string }[];

beforeEach(() => {
  ledger = new MemoryProcessorLedger();
  ledger.plant(deleteId, 'delete', identities);
  ledger.plant(accessId, 'access', identities);
  s3 = memoryS3();
  completed = [];
  failed = [];
});
afterEach(() => {
  s3.mock.restore();
});

function deps(fetchImpl: typeof fetch, overrides: Partial<NotifyPorts> = {}): NotifyPorts {
  return {
    dataMap: demoDataMap(),
    ledger,
    exports: s3.store('dsr-exports'),
    secrets: { secretOf: async () => PROCESSOR_SECRET },
    workflow: {
      succeed: async (token, output) => {
        completed.push({ token, output });
      },
      fail: async (token, error) => {
        failed.push({ token, error });
      },
    },
    publicUrl: 'https://dsr.example.com',
    delivery: new ProcessorWebhook({
      allowInsecureUrl: false,
      timeoutMs: 1000,
      fetchImpl,
      sleep: async () => undefined,
      now: () => NOW,
    }),
    clock: () => NOW,
    ...overrides,
  };
}

describe('telling a processor about a request', () => {
  it('sends the partner only the identifiers it already knows, signed with its secret, with a stable idempotency key and our callback URL', async () => {
    // Prepare
    const processor = scriptedProcessor([
      { status: 200, body: { status: 'completed', reference: 'KCL-7F3A9C' } },
    ]);

    // Act
    await notifyProcessor(deps(processor.fetchImpl), {
      requestId: deleteId,
      storeId: 'logistics',
      taskToken: 't1',
    });

    // Assess
    expect(processor.calls).toHaveLength(1);
    const [call] = processor.calls;
    expect(call?.url).toBe('https://api.kirimcepat.example/v1/privacy-requests');
    expect(call?.headers['idempotency-key']).toBe(`${deleteId}:logistics:delete`);
    const signed = verifyProcessorSignature(
      PROCESSOR_SECRET,
      { timestamp: call?.headers['x-dsr-timestamp'], signature: call?.headers['x-dsr-signature'] },
      call?.body ?? '',
      NOW.getTime(),
    );
    expect(signed).toBe(true);
    expect(JSON.parse(call?.body ?? '')).toEqual({
      version: 1,
      requestId: deleteId,
      type: 'delete',
      subject: { customerId: ['CUST-0001'], email: ['someone@example.com'] },
      deadline: '2026-01-04T01:00:00.000Z',
      callbackUrl: 'https://dsr.example.com/processors/logistics/callback',
    });
    expect(call?.body).not.toContain('+620000000000');
  });

  it('stores the task token before the partner is called, so a callback arriving at once finds it', async () => {
    let tokenWhenCalled: string | undefined;
    const processor = scriptedProcessor(
      [{ status: 202, body: { status: 'accepted', reference: 'KCL-1' } }],
      () => {
        tokenWhenCalled = ledger.processor(deleteId, 'logistics')?.taskToken;
      },
    );

    await notifyProcessor(deps(processor.fetchImpl), {
      requestId: deleteId,
      storeId: 'logistics',
      taskToken: 't1',
    });

    expect(tokenWhenCalled).toBe('t1');
  });

  it('retries a partner answering 500 twice, then records its acknowledgement with all three attempts and resumes the workflow', async () => {
    const processor = scriptedProcessor([
      { status: 500 },
      { status: 500 },
      { status: 200, body: { status: 'completed', reference: 'KCL-7F3A9C' } },
    ]);

    const result = await notifyProcessor(deps(processor.fetchImpl), {
      requestId: deleteId,
      storeId: 'logistics',
      taskToken: 't1',
    });

    expect(result).toEqual({ storeId: 'logistics', outcome: 'acknowledged', status: 'completed' });
    const evidence = ledger.processor(deleteId, 'logistics');
    expect(evidence?.attempts.map((a) => [a.attempt, a.httpStatus, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 200, 'acknowledged'],
    ]);
    expect(evidence).toMatchObject({
      status: 'acknowledged',
      name: 'Kirim Cepat Logistics',
      ack: { via: 'response', status: 'completed', reference: 'KCL-7F3A9C', at: NOW.toISOString() },
    });
    expect(completed).toEqual([
      {
        token: 't1',
        output: { storeId: 'logistics', processor: { status: 'completed', reference: 'KCL-7F3A9C' } },
      },
    ]);
    expect((await ledger.get(deleteId))?.stores?.logistics).toEqual({ status: 'completed' });
  });

  it('keeps the workflow waiting when the partner accepts and will call back', async () => {
    const processor = scriptedProcessor([{ status: 202, body: { status: 'accepted', reference: 'BYK-1' } }]);

    const result = await notifyProcessor(deps(processor.fetchImpl), {
      requestId: deleteId,
      storeId: 'payments',
      taskToken: 't1',
    });

    expect(result).toEqual({ storeId: 'payments', outcome: 'awaiting_ack' });
    expect(ledger.processor(deleteId, 'payments')).toMatchObject({ status: 'awaiting_ack', taskToken: 't1' });
    expect(completed).toEqual([]);
    expect((await ledger.get(deleteId))?.stores?.payments).toEqual({ status: 'in_progress' });
  });

  it('throws ProcessorUnavailable for the workflow to escalate once every retry failed, with each attempt in the evidence', async () => {
    const processor = scriptedProcessor([{ status: 503 }]);

    await expect(
      notifyProcessor(deps(processor.fetchImpl), {
        requestId: deleteId,
        storeId: 'logistics',
        taskToken: 't1',
      }),
    ).rejects.toMatchObject({ name: 'ProcessorUnavailable' });

    expect(processor.calls).toHaveLength(4);
    expect(ledger.processor(deleteId, 'logistics')?.attempts).toHaveLength(4);
    expect(completed).toEqual([]);
  });

  it('throws ProcessorRejected when the partner answers that it failed, keeping its answer as evidence', async () => {
    const processor = scriptedProcessor([
      { status: 200, body: { status: 'failed', reference: 'KCL-2', detail: 'account locked' } },
    ]);

    await expect(
      notifyProcessor(deps(processor.fetchImpl), {
        requestId: deleteId,
        storeId: 'logistics',
        taskToken: 't1',
      }),
    ).rejects.toMatchObject({ name: 'ProcessorRejected' });

    expect(ledger.processor(deleteId, 'logistics')?.ack).toMatchObject({
      via: 'response',
      status: 'failed',
      reference: 'KCL-2',
    });
    expect(completed).toEqual([]);
  });

  it("writes an access partner's records to the export under its id and resumes the workflow with that file", async () => {
    const records = [
      { orderId: 'ORD-1', recipient: 'Test Person', city: 'Example City' },
      { orderId: 'ORD-2', recipient: 'Test Person', city: 'Example City' },
    ];
    const processor = scriptedProcessor([
      { status: 200, body: { status: 'completed', reference: 'KCL-9', records } },
    ]);

    await notifyProcessor(deps(processor.fetchImpl), {
      requestId: accessId,
      storeId: 'logistics',
      taskToken: 't1',
    });

    const file = s3.text(`dsr-exports/exports/${accessId}/stores/logistics.json`);
    expect(JSON.parse(file ?? '{}')).toEqual({ storeId: 'logistics', records });
    expect(completed).toEqual([
      { token: 't1', output: expect.objectContaining({ storeId: 'logistics', records: 2 }) },
    ]);
    expect(ledger.processor(accessId, 'logistics')?.ack?.records).toBe(2);
    expect(JSON.stringify(ledger.processor(accessId, 'logistics'))).not.toContain('Test Person');
    expect((await ledger.get(accessId))?.stores?.logistics).toEqual({ status: 'completed', records: 2 });
  });

  it('resumes a retried task from the acknowledgement already recorded, without asking the partner again', async () => {
    const first = scriptedProcessor([{ status: 200, body: { status: 'not_found', reference: 'KCL-3' } }]);
    await notifyProcessor(deps(first.fetchImpl), {
      requestId: deleteId,
      storeId: 'logistics',
      taskToken: 't1',
    });
    const again = scriptedProcessor([{ status: 500 }]);

    await notifyProcessor(deps(again.fetchImpl), {
      requestId: deleteId,
      storeId: 'logistics',
      taskToken: 't2',
    });

    expect(again.calls).toEqual([]);
    expect(completed.map((c) => c.token)).toEqual(['t1', 't2']);
    expect(ledger.processor(deleteId, 'logistics')?.taskToken).toBe('t2');
  });

  it('does not fail when the workflow task is already gone (the partner called back first)', async () => {
    const processor = scriptedProcessor([{ status: 200, body: { status: 'completed', reference: 'KCL-4' } }]);
    const gone = Object.assign(new Error('task is gone'), { name: 'TaskTimedOut' });

    const result = await notifyProcessor(
      deps(processor.fetchImpl, {
        workflow: {
          succeed: async () => {
            throw gone;
          },
          fail: async () => undefined,
        },
      }),
      { requestId: deleteId, storeId: 'logistics', taskToken: 't1' },
    );

    expect(result).toMatchObject({ outcome: 'acknowledged' });
  });

  it('refuses to ask a partner about a request type it does not declare', async () => {
    const processor = scriptedProcessor([{ status: 200, body: { status: 'completed', reference: 'BYK-2' } }]);

    await expect(
      notifyProcessor(deps(processor.fetchImpl), {
        requestId: accessId,
        storeId: 'payments',
        taskToken: 't1',
      }),
    ).rejects.toMatchObject({ name: 'ProcessorNotPlanned' });
    expect(processor.calls).toEqual([]);
  });

  it('refuses a data store id: only processors are notified', async () => {
    const processor = scriptedProcessor([{ status: 200 }]);

    await expect(
      notifyProcessor(deps(processor.fetchImpl), {
        requestId: deleteId,
        storeId: 'customers',
        taskToken: 't1',
      }),
    ).rejects.toMatchObject({ name: 'UnknownStore' });
    expect(failed).toEqual([]);
  });
});
