import { log } from '../../functions/aws/composition-root';
import { logger } from '../../functions/aws/logger';
import type { Mail } from '../../functions/core/ports';
import { escalateProcessor } from '../../functions/core/processors/escalation';
import { demoDataMap, MemoryProcessorLedger } from '../support/processor-fakes';

const requestId = '20260101-delete-abcdefghjk';
const NOW = new Date('2026-01-04T01:00:05.000Z');

let ledger: MemoryProcessorLedger;
let mails: Omit<Mail, 'to'>[];

/** The logistics processor was notified; its only attempt ended as given. */
function notified(
  attempt: { httpStatus?: number; outcome: 'accepted' | 'retry' | 'rejected' } = {
    outcome: 'accepted',
    httpStatus: 202,
  },
) {
  ledger.plant(requestId, 'delete', { email: ['someone@example.com'], customerId: ['CUST-0001'] });
  void ledger.beginProcessorNotice(requestId, {
    processorId: 'logistics',
    name: 'Kirim Cepat Logistics',
    type: 'delete',
    idempotencyKey: `${requestId}:logistics:delete`,
    deadline: '2026-01-04T01:00:00.000Z',
    notifiedAt: '2026-01-01T01:00:00.000Z',
    status: 'awaiting_ack',
    attempts: [{ attempt: 1, at: '2026-01-01T01:00:00.000Z', durationMs: 40, ...attempt }],
    taskToken: 'waiting-token',
  });
}

function deps(withSupport = true) {
  return {
    dataMap: demoDataMap(),
    ledger,
    ...(withSupport
      ? {
          support: {
            to: 'support@example.com',
            mailer: {
              send: async ({ to: _to, ...mail }: Mail) => {
                mails.push(mail);
              },
            },
          },
        }
      : {}),
    log: log(),
    clock: () => NOW,
  };
}

beforeEach(() => {
  ledger = new MemoryProcessorLedger();
  mails = [];
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('escalating a processor that did not acknowledge', () => {
  it('records the escalation, marks the partner escalated, logs "partner escalated" and emails support without personal data', async () => {
    // Prepare
    notified();
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);

    // Act
    const result = await escalateProcessor(deps(), {
      requestId,
      storeId: 'logistics',
      error: { Error: 'States.Timeout', Cause: '' },
    });

    // Assess
    expect(result).toEqual({ storeId: 'logistics', escalated: true, reason: 'deadline_passed' });
    expect(ledger.processor(requestId, 'logistics')).toMatchObject({
      status: 'escalated',
      escalation: { at: NOW.toISOString(), reason: 'deadline_passed' },
    });
    expect(ledger.processor(requestId, 'logistics')?.escalation).not.toHaveProperty('httpStatus');
    expect((await ledger.get(requestId))?.stores?.logistics).toEqual({ status: 'escalated' });
    expect(warn).toHaveBeenCalledWith('processor escalated', {
      requestId,
      processorId: 'logistics',
      reason: 'deadline_passed',
    });
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.subject).toBe(`[DSR] Partner Kirim Cepat Logistics has not acknowledged ${requestId}`);
    for (const fact of [
      requestId,
      'delete',
      '2026-01-04T01:00:00.000Z',
      'deadline_passed',
      '#1',
      'What to do',
    ]) {
      expect(mail?.text).toContain(fact);
    }
    for (const personal of ['someone@example.com', 'CUST-0001', 'waiting-token']) {
      expect(JSON.stringify(mail)).not.toContain(personal);
    }
  });

  it.each([
    ['ProcessorUnavailable', 'processor_unavailable', { outcome: 'retry', httpStatus: 503 }, 503],
    ['ProcessorRejected', 'processor_rejected', { outcome: 'rejected', httpStatus: 403 }, 403],
    ['ProcessorResponseInvalid', 'invalid_response', { outcome: 'rejected', httpStatus: 200 }, 200],
  ] as const)(
    'escalates a %s error as %s with the last HTTP status',
    async (error, reason, attempt, httpStatus) => {
      notified(attempt);

      const result = await escalateProcessor(deps(), {
        requestId,
        storeId: 'logistics',
        error: { Error: error },
      });

      expect(result).toEqual({ storeId: 'logistics', escalated: true, reason });
      expect(ledger.processor(requestId, 'logistics')?.escalation).toEqual({
        at: NOW.toISOString(),
        reason,
        httpStatus,
        supportNotifiedAt: NOW.toISOString(),
      });
    },
  );

  it('emails support once when Step Functions runs the escalation again after its answer was lost', async () => {
    notified();
    const input = { requestId, storeId: 'logistics', error: { Error: 'States.Timeout', Cause: '' } };

    const first = await escalateProcessor(deps(), input);
    const retried = await escalateProcessor(deps(), input);

    expect(retried).toEqual(first);
    expect((await ledger.get(requestId))?.stores?.logistics).toEqual({ status: 'escalated' });
    expect(ledger.processor(requestId, 'logistics')?.escalation?.supportNotifiedAt).toBe(NOW.toISOString());
    expect(mails).toHaveLength(1);
  });

  it('does nothing when the acknowledgement landed first: no escalation, no email, the partner stays acknowledged', async () => {
    notified();
    await ledger.recordProcessorAck(requestId, 'logistics', {
      at: '2026-01-04T01:00:04.000Z',
      via: 'callback',
      status: 'completed',
      reference: 'KCL-1',
    });

    const result = await escalateProcessor(deps(), {
      requestId,
      storeId: 'logistics',
      error: { Error: 'States.Timeout' },
    });

    expect(result).toEqual({ storeId: 'logistics', escalated: false });
    expect(ledger.processor(requestId, 'logistics')?.status).toBe('acknowledged');
    expect(ledger.processor(requestId, 'logistics')?.escalation).toBeUndefined();
    expect(mails).toEqual([]);
  });

  it('only logs and records when no support address is configured', async () => {
    notified();
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);

    const result = await escalateProcessor(deps(false), {
      requestId,
      storeId: 'logistics',
      error: { Error: 'States.Timeout' },
    });

    expect(result.escalated).toBe(true);
    expect(warn).toHaveBeenCalledWith(
      'processor escalated',
      expect.objectContaining({ processorId: 'logistics' }),
    );
    expect(mails).toEqual([]);
  });

  it('escalates a partner whose notice never started, with what the data map says about it', async () => {
    ledger.plant(requestId, 'delete', { email: ['someone@example.com'] });

    const result = await escalateProcessor(deps(), {
      requestId,
      storeId: 'payments',
      error: { Error: 'ProcessorUnavailable' },
    });

    expect(result).toEqual({ storeId: 'payments', escalated: true, reason: 'processor_unavailable' });
    expect(ledger.processor(requestId, 'payments')).toMatchObject({
      name: 'BayarKu Payment Gateway',
      status: 'escalated',
      attempts: [],
    });
    expect(mails[0]?.text).toContain('none recorded');
  });
});
