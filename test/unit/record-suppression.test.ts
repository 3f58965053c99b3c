import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { ProcessorEvidence } from '../../functions/core/ledger-record';
import { setTestEnvironment } from '../support/http-support';

setTestEnvironment();
process.env.DSR_SUPPRESSION_TABLE = 'dsr-suppression';
const recordSuppression =
  require('../../functions/tasks/record-suppression') as typeof import('../../functions/tasks/record-suppression');

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const requestId = '20260101-opt-out-PARTNERSAB';
const email = 'someone@example.com';

const evidence = (
  processorId: string,
  name: string,
  over: Partial<ProcessorEvidence>,
): ProcessorEvidence => ({
  processorId,
  name,
  type: 'opt_out',
  idempotencyKey: `${requestId}:${processorId}:opt_out`,
  deadline: '2026-01-04T00:02:00.000Z',
  notifiedAt: '2026-01-01T00:02:01.000Z',
  status: 'acknowledged',
  attempts: [
    { attempt: 1, at: '2026-01-01T00:02:01.000Z', durationMs: 20, httpStatus: 200, outcome: 'acknowledged' },
  ],
  ...over,
});

function plant(processors: Record<string, ProcessorEvidence>) {
  const item = {
    requestId,
    type: 'opt_out',
    status: 'in_progress',
    locale: 'en',
    subjectHash: 'c'.repeat(64),
    contact: { email },
    stores: {
      'marketing-preferences': { status: 'completed', records: 1 },
      logistics: { status: 'completed' },
      payments: { status: 'escalated' },
    },
    processors,
    history: [{ status: 'in_progress', at: '2026-01-01T00:02:00.000Z' }],
  };
  ddb.on(GetCommand).callsFake((input: { TableName: string }) => ({
    Item: input.TableName === 'dsr-ledger' ? structuredClone(item) : undefined,
  }));
  return item as Omit<typeof item, 'contact'> & { status: string; contact?: { email: string } };
}

/** The one confirmation mail sent: its subject, text and html parts. */
function sentMail(): { subject: string; text: string; html: string } {
  const calls = ses.commandCalls(SendEmailCommand);
  expect(calls).toHaveLength(1);
  const simple = calls[0]?.args[0].input.Content?.Simple;
  return {
    subject: simple?.Subject?.Data ?? '',
    text: simple?.Body?.Text?.Data ?? '',
    html: simple?.Body?.Html?.Data ?? '',
  };
}

beforeEach(() => {
  ddb.on(UpdateCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});
afterEach(() => {
  ddb.reset();
  ses.reset();
});

/** The ledger's once-only mail claim (`outcomeMailAt`), conditional as the table is; `undefined` until claimed. */
function claimLedger(
  item: { status: string; contact?: unknown; outcomeMailAt?: string },
  throttleCompletion = false,
) {
  let throttled = !throttleCompletion;
  ddb
    .on(UpdateCommand, { TableName: 'dsr-ledger' })
    .callsFake(
      (input: {
        UpdateExpression: string;
        ConditionExpression?: string;
        ExpressionAttributeValues: Record<string, unknown>;
      }) => {
        if (input.UpdateExpression.startsWith('SET outcomeMailAt')) {
          if (item.outcomeMailAt !== undefined)
            throw Object.assign(new Error('claimed'), { name: 'ConditionalCheckFailedException' });
          item.outcomeMailAt = input.ExpressionAttributeValues[':at'] as string;
          return {};
        }
        if (input.UpdateExpression.startsWith('REMOVE outcomeMailAt')) {
          delete item.outcomeMailAt;
          return {};
        }
        if (!input.UpdateExpression.includes('#status = :next')) return {};
        if (!throttled) {
          throttled = true;
          throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
        }
        item.status = input.ExpressionAttributeValues[':next'] as string;
        delete item.contact;
        return {};
      },
    );
}

describe('the opt-out confirmation is sent once', () => {
  it('does not email the subject again when the task is retried after the confirmation went out', async () => {
    const item: ReturnType<typeof plant> & { outcomeMailAt?: string } = plant({});
    claimLedger(item);

    await recordSuppression.handler({ requestId });
    // As if the first run's end had not landed: the request still open, its contact kept.
    Object.assign(item, { status: 'in_progress', contact: { email } });
    await recordSuppression.handler({ requestId });

    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(item.outcomeMailAt).toEqual(expect.any(String));
  });

  it('sends the confirmation on the retry when the first send failed (the claim is released)', async () => {
    const item: ReturnType<typeof plant> & { outcomeMailAt?: string } = plant({});
    claimLedger(item);
    ses
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' }));

    await expect(recordSuppression.handler({ requestId })).rejects.toThrow();
    expect(item.outcomeMailAt).toBeUndefined();
    await recordSuppression.handler({ requestId });

    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
    expect(item.status).toBe('completed');
  });

  it('completes the request on a retry after its completion write was throttled, without a second email', async () => {
    const item: ReturnType<typeof plant> & { outcomeMailAt?: string } = plant({});
    claimLedger(item, true);

    await expect(recordSuppression.handler({ requestId })).rejects.toMatchObject({ name: 'TransientError' });
    await recordSuppression.handler({ requestId });

    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(item.status).toBe('completed');
  });
});

describe('the opt-out confirmation lists the partners told', () => {
  it('names the partner that confirmed and says support is following up the one that did not answer in time', async () => {
    plant({
      payments: evidence('payments', 'BayarKu Payment Gateway', {
        status: 'escalated',
        attempts: [
          {
            attempt: 1,
            at: '2026-01-01T00:02:01.000Z',
            durationMs: 20,
            httpStatus: 202,
            outcome: 'accepted',
          },
        ],
        escalation: { at: '2026-01-04T00:02:00.000Z', reason: 'deadline_passed' },
      }),
      logistics: evidence('logistics', 'Kirim Cepat Logistics', {
        ack: {
          at: '2026-01-01T00:02:01.000Z',
          via: 'response',
          status: 'completed',
          reference: 'KCL-7F3A9C',
        },
      }),
    });

    const out = await recordSuppression.handler({ requestId });

    expect(out).toMatchObject({ suppressed: true, stores: 1, processors: 2 });
    const mail = sentMail();
    expect(mail.text).toContain(
      'We also told the partners that process your data for us to stop marketing to you:\n' +
        '- Kirim Cepat Logistics: confirmed\n' +
        '- BayarKu Payment Gateway: has not confirmed; our support team is following up',
    );
    expect(mail.html).toContain(
      '<li>BayarKu Payment Gateway: has not confirmed; our support team is following up</li>',
    );
    expect(`${mail.subject}${mail.text}${mail.html}`).not.toContain('KCL-7F3A9C');
  });

  it('says support is following up a partner that answered it could not comply', async () => {
    plant({
      logistics: evidence('logistics', 'Kirim Cepat Logistics', {
        ack: { at: '2026-01-01T00:05:00.000Z', via: 'callback', status: 'failed', reference: 'KCL-FAILED1' },
      }),
    });

    await recordSuppression.handler({ requestId });

    expect(sentMail().text).toContain(
      '- Kirim Cepat Logistics: has not confirmed; our support team is following up',
    );
  });

  it('leaves the partner paragraph out when no partner was told', async () => {
    plant({});

    const out = await recordSuppression.handler({ requestId });

    expect(out.processors).toBe(0);
    expect(sentMail().text).not.toContain('partners');
  });
});
