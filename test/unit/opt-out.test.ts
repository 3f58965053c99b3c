import {
  CreateContactCommand,
  NotFoundException,
  SESv2Client,
  SendEmailCommand,
  UpdateContactCommand,
} from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { resetConfigCache } from '../../functions/aws/config';
import { keyedHash } from '../../functions/core/crypto';
import { setTestEnvironment, TEST_KEY_HEX } from '../support/http-support';

setTestEnvironment();
process.env.DSR_SUPPRESSION_TABLE = 'dsr-suppression';
const suppression =
  require('../../functions/aws/suppression') as typeof import('../../functions/aws/suppression');
const validate =
  require('../../functions/tasks/validate-request') as typeof import('../../functions/tasks/validate-request');
const recordSuppression =
  require('../../functions/tasks/record-suppression') as typeof import('../../functions/tasks/record-suppression');
const { optOutConfirmedMail } =
  require('../../functions/core/emails') as typeof import('../../functions/core/emails');

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const key = Buffer.from(TEST_KEY_HEX, 'hex');
const requestId = '20260101-opt-out-ABCDEFGHJK';
const email = 'someone@example.com';
const subjectHash = keyedHash(key, 'subject', email);

type Item = Record<string, unknown>;
let ledger: Map<string, Item>;
let suppressed: Map<string, Item>;

function plant(overrides: Item = {}) {
  ledger.set(requestId, {
    requestId,
    type: 'opt_out',
    status: 'in_progress',
    locale: 'en',
    subjectHash,
    contact: { email },
    stores: {
      'marketing-preferences': { status: 'completed', records: 1 },
      customers: { status: 'completed', records: 0 },
    },
    history: [
      { status: 'pending_verification', at: '2026-01-01T00:00:00.000Z' },
      { status: 'verified', at: '2026-01-01T00:01:00.000Z' },
      { status: 'in_progress', at: '2026-01-01T00:02:00.000Z' },
    ],
    ...overrides,
  });
}

function contactCalls() {
  return [...ses.commandCalls(UpdateContactCommand), ...ses.commandCalls(CreateContactCommand)];
}

function useContactList(list: string | undefined, topics?: string) {
  for (const [name, value] of [
    ['DSR_SES_CONTACT_LIST', list],
    ['DSR_SES_CONTACT_TOPICS', topics],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfigCache();
}

beforeEach(() => {
  ledger = new Map();
  suppressed = new Map();
  ddb.on(GetCommand).callsFake((input: { TableName: string; Key: Item }) => {
    const table = input.TableName === 'dsr-suppression' ? suppressed : ledger;
    const id = (input.Key.requestId ?? input.Key.subjectHash) as string;
    const item = table.get(id);
    return { Item: item ? structuredClone(item) : undefined };
  });
  ddb
    .on(UpdateCommand)
    .callsFake(
      (input: {
        TableName: string;
        Key: Item;
        UpdateExpression: string;
        ExpressionAttributeValues: Item;
      }) => {
        const v = input.ExpressionAttributeValues;
        if (input.TableName === 'dsr-ledger' && v[':next'] === 'completed') {
          // RecordSuppression's only ledger write: the completion, which drops the contact in the same write.
          const { contact: _, ...rest } = ledger.get(input.Key.requestId as string) ?? {};
          ledger.set(input.Key.requestId as string, { ...rest, status: 'completed' });
          return {};
        }
        if (input.TableName === 'dsr-ledger' && input.UpdateExpression.startsWith('REMOVE deadlineWatch'))
          return {};
        if (input.TableName === 'dsr-ledger' && input.UpdateExpression.startsWith('SET outcomeMailAt')) {
          // The confirmation's once-only claim, conditional as the table is.
          const item = ledger.get(input.Key.requestId as string) ?? {};
          if (item.outcomeMailAt !== undefined)
            throw Object.assign(new Error('claimed'), { name: 'ConditionalCheckFailedException' });
          ledger.set(input.Key.requestId as string, { ...item, outcomeMailAt: v[':at'] });
          return {};
        }
        if (input.TableName !== 'dsr-suppression') throw new Error(`unexpected update of ${input.TableName}`);
        const id = input.Key.subjectHash as string;
        const before = suppressed.get(id);
        suppressed.set(id, {
          ...before,
          subjectHash: id,
          suppressedAt: before?.suppressedAt ?? v[':at'],
          lastRequestId: v[':rid'],
          channels: new Set([
            ...((before?.channels as Set<string>) ?? []),
            ...(v[':channels'] as Set<string>),
          ]),
        });
        return {};
      },
    );
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  ses.on(UpdateContactCommand).resolves({});
  ses.on(CreateContactCommand).resolves({});
  useContactList(undefined);
});
afterEach(() => {
  ddb.reset();
  ses.reset();
});

describe('RecordSuppression', () => {
  it('puts the subject on the suppression list by keyed hash, so isSuppressed answers true for any spelling of the address', async () => {
    plant();

    await recordSuppression.handler({ requestId });

    const entry = suppressed.get(subjectHash);
    expect(entry).toMatchObject({ suppressedAt: '2026-01-01T00:02:00.000Z', lastRequestId: requestId });
    expect([...((entry?.channels as Set<string> | undefined) ?? [])].sort()).toEqual([
      'advertising',
      'email',
      'sms',
      'whatsapp',
    ]);
    expect(JSON.stringify([...suppressed.keys()])).not.toContain('example.com');
    await expect(suppression.isSuppressed('  SomeOne@Example.COM ')).resolves.toBe(true);
    await expect(suppression.isSuppressed('other@example.com')).resolves.toBe(false);
  });

  it('sets every configured topic of the SES contact list to OPT_OUT for the subject when a contact list is configured', async () => {
    plant();
    useContactList('impor-marketing', 'newsletter, promotions');

    const out = await recordSuppression.handler({ requestId });

    expect(out.contactList).toBe(true);
    const calls = ses.commandCalls(UpdateContactCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      ContactListName: 'impor-marketing',
      EmailAddress: email,
      TopicPreferences: [
        { TopicName: 'newsletter', SubscriptionStatus: 'OPT_OUT' },
        { TopicName: 'promotions', SubscriptionStatus: 'OPT_OUT' },
      ],
      UnsubscribeAll: true,
    });
    expect(ses.commandCalls(CreateContactCommand)).toHaveLength(0);
  });

  it('creates the contact already opted out when the contact list does not know the subject yet', async () => {
    plant();
    useContactList('impor-marketing', 'newsletter');
    ses
      .on(UpdateContactCommand)
      .rejects(new NotFoundException({ message: 'contact not found', $metadata: { httpStatusCode: 404 } }));

    await recordSuppression.handler({ requestId });

    const created = ses.commandCalls(CreateContactCommand);
    expect(created).toHaveLength(1);
    expect(created[0]?.args[0].input).toMatchObject({
      ContactListName: 'impor-marketing',
      EmailAddress: email,
      TopicPreferences: [{ TopicName: 'newsletter', SubscriptionStatus: 'OPT_OUT' }],
      UnsubscribeAll: true,
    });
  });

  it('calls no SES contact-list API when no contact list is configured', async () => {
    plant();

    const out = await recordSuppression.handler({ requestId });

    expect(out.contactList).toBe(false);
    expect(contactCalls()).toHaveLength(0);
    expect(suppressed.has(subjectHash)).toBe(true);
  });

  it('emails the subject a confirmation listing the stores whose consent was turned off', async () => {
    plant({ locale: 'id' });

    await recordSuppression.handler({ requestId });

    const sent = ses.commandCalls(SendEmailCommand);
    expect(sent).toHaveLength(1);
    const input = sent[0]?.args[0].input;
    expect(input?.Destination?.ToAddresses).toEqual([email]);
    expect(input?.Content?.Simple?.Subject?.Data).toBe(
      'Anda tidak akan lagi menerima pemasaran dari Impor.in / You will no longer receive marketing from Impor.in',
    );
    const text = input?.Content?.Simple?.Body?.Text?.Data ?? '';
    expect(text).toContain(requestId);
    expect(text).toContain(
      'Marketing consent per channel (email, WhatsApp, SMS) and advertising cookies (1 catatan)',
    );
    expect(text).not.toContain('Customer');
  });

  it('keeps the first opt-out time when it runs again (retry)', async () => {
    plant();
    await recordSuppression.handler({ requestId });
    plant({ history: [{ status: 'in_progress', at: '2026-02-02T00:00:00.000Z' }] });

    await recordSuppression.handler({ requestId });

    expect(suppressed.get(subjectHash)?.suppressedAt).toBe('2026-01-01T00:02:00.000Z');
    expect(ledger.get(requestId)?.status).toBe('completed');
  });
});

describe('ValidateRequest and preVerified', () => {
  it('passes preVerified on for an opt-out the unsubscribe endpoint already marked verified', async () => {
    plant({ status: 'verified' });

    await expect(validate.handler({ requestId, type: 'opt_out', preVerified: true })).resolves.toEqual({
      requestId,
      type: 'opt_out',
      preVerified: true,
      verificationSeconds: expect.any(Number),
    });
  });

  it('leaves preVerified out when the execution did not set it', async () => {
    plant({ status: 'pending_verification' });

    await expect(validate.handler({ requestId, type: 'opt_out' })).resolves.toEqual({
      requestId,
      type: 'opt_out',
      verificationSeconds: expect.any(Number),
    });
  });

  it('refuses preVerified on a request that is still waiting for verification', async () => {
    plant({ status: 'pending_verification' });

    await expect(validate.handler({ requestId, type: 'opt_out', preVerified: true })).rejects.toMatchObject({
      name: 'RequestNotFound',
    });
  });

  it('refuses preVerified on any request type but opt-out', async () => {
    const accessId = '20260101-access-ABCDEFGHJK';
    ledger.set(accessId, { requestId: accessId, type: 'access', status: 'verified', history: [] });

    await expect(
      validate.handler({ requestId: accessId, type: 'access', preVerified: true }),
    ).rejects.toMatchObject({ name: 'RequestNotFound' });
  });
});

describe('the opt-out confirmation email', () => {
  it('says plainly in English when no store held marketing consent', () => {
    const mail = optOutConfirmedMail('en', { requestId, stores: [] });

    expect(mail.subject).toBe(
      'You will no longer receive marketing from Impor.in / Anda tidak akan lagi menerima pemasaran dari Impor.in',
    );
    expect(mail.text.indexOf('We hold no marketing consent')).toBeLessThan(
      mail.text.indexOf('Kami tidak menyimpan'),
    );
    expect(mail.text).toContain('We hold no marketing consent for you.');
    expect(mail.text).toContain('suppression list');
  });

  it('escapes store descriptions in the HTML part', () => {
    const mail = optOutConfirmedMail('en', { requestId, stores: [{ description: '<b>x</b>', records: 2 }] });

    expect(mail.html).toContain('&#60;b&#62;x&#60;/b&#62; (2 records)');
    expect(mail.html).not.toContain('<b>x</b>');
  });
});
