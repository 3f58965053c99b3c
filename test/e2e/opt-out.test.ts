/**
 * End to end on this machine: an opt-out request through the real handlers,
 * the real ASL in the local interpreter and the emulators, over HTTP.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isProcessor } from '../../functions/core/data-map';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { LocalApi } from '../support/local-api';

jest.setTimeout(120_000);

const subjectA = {
  email: 'ayu.optout.e2e@example.com',
  fullName: 'Ayu Berhenti Testcase',
  phone: '+6281200000021',
};
const subjectB = {
  email: 'budi.stays.e2e@example.test',
  fullName: 'Budi Tetap Otherperson',
  phone: '+6281200000022',
};
const CONSENT_FIELDS = ['emailOptIn', 'whatsappOptIn', 'smsOptIn', 'advertisingCookies'] as const;

let system: LocalSystem;
let dataDir: string;
let local: LocalApi;
let customerIds: Record<'a' | 'b', string>;

async function consentOf(customerId: string): Promise<Record<string, unknown> | undefined> {
  const out = await system.clients.dynamodb.send(
    new GetCommand({ TableName: 'impor-marketing-preferences', Key: { customerId }, ConsistentRead: true }),
  );
  return out.Item;
}

/** The demo seeds random consent; start from everything on, so "off" is the opt-out's doing. */
async function consentAllOn(customerId: string): Promise<void> {
  await system.clients.dynamodb.send(
    new UpdateCommand({
      TableName: 'impor-marketing-preferences',
      Key: { customerId },
      UpdateExpression: `SET ${CONSENT_FIELDS.map((f) => `${f} = :on`).join(', ')}`,
      ConditionExpression: 'attribute_exists(customerId)',
      ExpressionAttributeValues: { ':on': true },
    }),
  );
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-opt-out-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 5 });
  local = new LocalApi(system);
  const { plantSubject } = await import('../../infra/local/demo-data');
  await plantSubject(system.clients, system.dataMap, { ...subjectA, records: 2 });
  await plantSubject(system.clients, system.dataMap, { ...subjectB, records: 2 });
  customerIds = { a: await local.customerIdOf(subjectA.email), b: await local.customerIdOf(subjectB.email) };
  await consentAllOn(customerIds.a);
  await consentAllOn(customerIds.b);
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('an opt-out request on the local system', () => {
  it('turns marketing consent off for the subject only, suppresses the address and confirms by email', async () => {
    // Act: submit, verify with the emailed code, wait until the workflow is done.
    const { requestId, statusToken } = await local.submitVerified('opt_out', subjectA.email);
    await local.until(requestId, statusToken, 'completed');

    // Assess: consent off with evidence, for the subject only.
    const a = await consentOf(customerIds.a);
    for (const field of CONSENT_FIELDS) expect(a?.[field]).toBe(false);
    expect(a?.marketingOptOutRequestId).toBe(requestId);
    expect(Number.isNaN(Date.parse(String(a?.marketingOptOutAt)))).toBe(false);
    const b = await consentOf(customerIds.b);
    for (const field of CONSENT_FIELDS) expect(b?.[field]).toBe(true);
    expect(b).not.toHaveProperty('marketingOptOutAt');

    // The suppression list answers for later sign-ups and imports.
    const { isSuppressed } = await import('../../functions/aws/suppression');
    expect(await isSuppressed(subjectA.email.toUpperCase())).toBe(true);
    expect(await isSuppressed(subjectB.email)).toBe(false);
    // WhatsApp and SMS stop too: the phone number the account holds is suppressed by its keyed hash.
    const { isSuppressedPhone } = await import('../../functions/aws/suppression');
    expect(await isSuppressedPhone(subjectA.phone, 'whatsapp')).toBe(true);
    expect(await isSuppressedPhone(subjectA.phone, 'sms')).toBe(true);
    expect(await isSuppressedPhone(subjectB.phone, 'whatsapp')).toBe(false);

    // The subject got the confirmation, naming the store that changed.
    const mails = await local.emailsFor(subjectA.email, requestId);
    const confirmation = mails.find(
      // The request's language first (English here), then Indonesian.
      (m) => m.subject.startsWith('You will no longer receive marketing from Impor.in / '),
    );
    expect(confirmation).toBeDefined();
    expect(confirmation?.body.text).toContain('Marketing consent per channel');
    expect(await local.emailsFor(subjectB.email, requestId)).toEqual([]);

    // The ledger shows every store visited: consent changed in one, the others had none.
    const ledger = await system.clients.dynamodb.send(
      new GetCommand({ TableName: 'dsr-ledger', Key: { requestId }, ConsistentRead: true }),
    );
    const stores = ledger.Item?.stores as Record<string, { status: string; records?: number }>;
    expect(Object.keys(stores).sort()).toEqual(system.dataMap.stores.map((s) => s.id).sort());
    expect(stores['marketing-preferences']).toEqual({ status: 'completed', records: 1 });
    const processors = new Set(system.dataMap.stores.filter(isProcessor).map((s) => s.id));
    for (const [storeId, progress] of Object.entries(stores)) {
      // Processors acknowledge; they report no record counts of ours.
      if (processors.has(storeId)) expect(progress).toEqual({ status: 'completed' });
      else if (storeId !== 'marketing-preferences')
        expect(progress).toEqual({ status: 'completed', records: 0 });
    }
    expect(ledger.Item?.status).toBe('completed');
  });
});
