/**
 * End to end on this machine: correction, restriction, lifting it and
 * withdrawal of consent through the real handlers, the real ASL in the local
 * interpreter and the emulators, over HTTP.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { codeIn, LocalApi, poll, type SesEmail, textOf } from '../support/local-api';
import { runSupport } from '../support/support-cli';

jest.setTimeout(180_000);

const subjects = {
  fixer: { email: 'citra.corrects.e2e@example.com', fullName: 'Citra Betulkan', phone: '+6281200000031' },
  keeper: { email: 'dewi.restricts.e2e@example.com', fullName: 'Dewi Batasi', phone: '+6281200000032' },
  chooser: { email: 'eka.withdraws.e2e@example.com', fullName: 'Eka Tarik', phone: '+6281200000033' },
  mover: { email: 'gita.moves.e2e@example.com', fullName: 'Gita Pindah', phone: '+6281200000035' },
  asker: { email: 'hana.asks-support.e2e@example.com', fullName: 'Hana Telepon', phone: '+6281200000036' },
  bystander: { email: 'fajar.bystander.e2e@example.test', fullName: 'Fajar Lain', phone: '+6281200000034' },
};
type Who = keyof typeof subjects;

let system: LocalSystem;
let dataDir: string;
let local: LocalApi;
const customerIds = {} as Record<Who, string>;

async function item(table: string, customerId: string): Promise<Record<string, unknown>> {
  const out = await system.clients.dynamodb.send(
    new GetCommand({ TableName: table, Key: { customerId }, ConsistentRead: true }),
  );
  return out.Item ?? {};
}

async function ordersOf(customerId: string): Promise<Record<string, unknown>[]> {
  const out = await system.clients.dynamodb.send(
    new QueryCommand({
      TableName: 'impor-orders',
      IndexName: 'byCustomer',
      KeyConditionExpression: 'customerId = :c',
      ExpressionAttributeValues: { ':c': customerId },
    }),
  );
  return (out.Items ?? []).sort((a, b) => String(a.orderId).localeCompare(String(b.orderId)));
}

/** Every consent on, so "off" is the request's doing. */
async function consentAllOn(customerId: string): Promise<void> {
  const fields = [
    'emailOptIn',
    'whatsappOptIn',
    'smsOptIn',
    'advertisingCookies',
    'analyticsCookies',
    'personalisedRecommendations',
  ];
  await system.clients.dynamodb.send(
    new UpdateCommand({
      TableName: 'impor-marketing-preferences',
      Key: { customerId },
      UpdateExpression: `SET ${fields.map((f) => `${f} = :on`).join(', ')}`,
      ExpressionAttributeValues: { ':on': true },
    }),
  );
}

async function run(type: string, who: Who, extra: Record<string, unknown> = {}) {
  const { requestId, statusToken } = await local.submitVerified(type, subjects[who].email, extra);
  await local.until(requestId, statusToken, 'completed', 90_000);
  const mails = await local.emailsFor(subjects[who].email, requestId);
  return { requestId, confirmation: mails[mails.length - 1] };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-change-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 3 });
  local = new LocalApi(system);
  const { plantSubject } = await import('../../infra/local/demo-data');
  for (const who of Object.keys(subjects) as Who[]) {
    await plantSubject(system.clients, system.dataMap, { ...subjects[who], records: 3 });
    customerIds[who] = await local.customerIdOf(subjects[who].email);
    await consentAllOn(customerIds[who]);
  }
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a correction', () => {
  it('changes the account, leaves shipped orders as they were, tells the logistics partner, and a fresh export shows it', async () => {
    const ordersBefore = await ordersOf(customerIds.fixer);
    const address = 'Jl. Kebon Sirih No. 12, Jakarta Pusat 10340';

    const { requestId, confirmation } = await run('rectify', 'fixer', {
      corrections: { phone: '0812-9999 0031', address },
    });

    const customer = await item('impor-customers', customerIds.fixer);
    expect(customer.phone).toBe('+6281299990031');
    expect(customer.businessAddress).toBe(address);
    expect(customer.fullName).toBe(subjects.fixer.fullName);
    expect(await ordersOf(customerIds.fixer)).toEqual(ordersBefore);
    expect((await item('impor-customers', customerIds.bystander)).phone).toBe(subjects.bystander.phone);

    // The person is told what changed and what was kept, and why, in both languages.
    expect(confirmation?.subject).toBe('Your data has been corrected / Data Anda telah dibetulkan');
    expect(confirmation?.body.text).toContain('to correct your phone number, address is done');
    expect(confirmation?.body.text).toMatch(
      /Kept as they were: Import orders.*record of a completed transaction/,
    );
    expect(confirmation?.body.text).toContain('Dibetulkan di:');

    // The logistics partner got the corrected values; the payment gateway does not take corrections.
    const told = local.receivedBy('logistics', requestId);
    expect(told[0]?.request?.corrections).toEqual({ phone: '+6281299990031', address });
    expect(local.receivedBy('payments', requestId)).toEqual([]);

    // Neither value reaches the audit trail or the finished ledger entry.
    const { readChainPorts } = await import('../../functions/aws/composition-root');
    const { readChain } = await import('../../functions/core/audit/trail');
    const chain = await readChain(readChainPorts(), requestId);
    expect(chain.verdict.intact).toBe(true);
    expect(chain.entries.map((e) => e.kind)).toContain('store_changed');
    expect(JSON.stringify(chain.entries)).not.toMatch(/99990031|Kebon Sirih/);
    const { zip, requestId: accessId } = await local.accessExport(subjects.fixer.email);
    // The access package's history covers the person's requests: the correction and this access.
    const record = JSON.parse((await zip.file('processing-record.json')?.async('string')) ?? '{}') as {
      history: { requestId: string; kind: string }[];
    };
    const historyOf = (id: string) => record.history.filter((h) => h.requestId === id).map((h) => h.kind);
    expect(historyOf(requestId)).toEqual(
      expect.arrayContaining(['received', 'verified', 'store_changed', 'completed']),
    );
    expect(historyOf(accessId)).toEqual(expect.arrayContaining(['received', 'verified', 'store_exported']));
    const exported = JSON.parse((await zip.file('stores/customers.json')?.async('string')) ?? '[]');
    expect(JSON.stringify(exported)).toContain('+6281299990031');
    expect(JSON.stringify(await local.ledgerEntry(requestId))).not.toMatch(/99990031|Kebon Sirih/);
    // What was asked for stays as keyed hashes only.
    expect(Object.keys((await local.ledgerEntry(requestId)).correctionHashes as object).sort()).toEqual([
      'address',
      'phone',
    ]);
  });
});

describe('a correction of the email address', () => {
  it('changes nothing until the new address is proven with its own code, then moves the account to it', async () => {
    const newAddress = 'gita.new-home.e2e@example.com';
    const submitted = await local.submit('rectify', subjects.mover.email, {
      corrections: { email: newAddress },
    });
    const first = await local.verificationEmail(subjects.mover.email, submitted.requestId);
    const toNew = (await local.emailsFor(newAddress, submitted.requestId)) as SesEmail[];
    expect(toNew.map((m) => m.subject)).toEqual([
      'Confirm your new email address / Konfirmasi alamat email baru Anda',
    ]);
    const newCode = /Code for the new address: ([0-9]{6})/.exec(textOf(toNew[0] as SesEmail))?.[1] as string;
    const verify = (body: Record<string, string>) =>
      local.postJson(`/requests/${submitted.requestId}/verify`, body, {
        authorization: `Bearer ${submitted.statusToken}`,
      });

    // The current address's code alone is not enough; a wrong new-address code counts as a wrong code.
    const without = await verify({ code: codeIn(first) });
    expect(without.status).toBe(400);
    expect(((await without.json()) as { message: string }).message).toContain('newAddressCode');
    const wrong = await verify({
      code: codeIn(first),
      newAddressCode: newCode === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(403);
    expect((await item('impor-customers', customerIds.mover)).email).toBe(subjects.mover.email);

    expect((await verify({ code: codeIn(first), newAddressCode: newCode })).status).toBe(200);
    await local.until(submitted.requestId, submitted.statusToken, 'completed', 90_000);
    expect((await item('impor-customers', customerIds.mover)).email).toBe(newAddress);
    expect(await local.customerIdOf(newAddress)).toBe(customerIds.mover);
    const mails = await local.emailsFor(subjects.mover.email, submitted.requestId);
    expect(textOf(mails[mails.length - 1] as SesEmail)).toContain('to correct your email address is done');
  });
});

describe('a restriction and lifting it', () => {
  it('flags both demo stores, answers isRestricted and stops marketing; lifting clears it', async () => {
    const { isRestricted, isSuppressed } = await import('../../functions/aws/suppression');
    const { requestId, confirmation } = await run('restrict', 'keeper');

    for (const table of ['impor-customers', 'impor-marketing-preferences']) {
      const flagged = await item(table, customerIds.keeper);
      expect(flagged.processingRestricted).toBe(true);
      expect(flagged.restrictionRequestId).toBe(requestId);
      expect(Number.isNaN(Date.parse(String(flagged.restrictedAt)))).toBe(false);
      expect((await item(table, customerIds.bystander)).processingRestricted).toBeUndefined();
    }
    // Kept, not erased; marketing stops while restricted.
    expect((await item('impor-customers', customerIds.keeper)).email).toBe(subjects.keeper.email);
    expect(await isRestricted(subjects.keeper.email)).toBe(true);
    expect(await isSuppressed(subjects.keeper.email)).toBe(true);
    expect(await isRestricted(subjects.bystander.email)).toBe(false);
    expect(confirmation?.subject).toBe(
      'Processing of your data is restricted / Pemrosesan data Anda dibatasi',
    );
    // Both processors handle restrictions and were told.
    expect(local.receivedBy('logistics', requestId)[0]?.request?.type).toBe('restrict');
    expect(local.receivedBy('payments', requestId)[0]?.request?.type).toBe('restrict');

    const lifted = await run('lift_restriction', 'keeper');
    for (const table of ['impor-customers', 'impor-marketing-preferences']) {
      const cleared = await item(table, customerIds.keeper);
      expect(cleared.processingRestricted).toBe(false);
      expect(cleared.restrictionRequestId).toBe(lifted.requestId);
    }
    expect(await isRestricted(subjects.keeper.email)).toBe(false);
    expect(await isSuppressed(subjects.keeper.email)).toBe(false);
    expect(lifted.confirmation?.subject).toBe(
      'The restriction of your data is lifted / Pembatasan data Anda dicabut',
    );
  });
});

describe('support lifting a restriction', () => {
  it('keeps only the address while the restriction stands, lifts it on support’s word with a reason, tells the person, then drops the address', async () => {
    const { isRestricted } = await import('../../functions/aws/suppression');
    const { requestId } = await run('restrict', 'asker');
    expect((await local.ledgerEntry(requestId)).contact).toEqual({ email: subjects.asker.email });

    const lift = await runSupport(
      dataDir,
      'lift',
      requestId,
      '--reason',
      'asked by phone, ticket 4411',
      '--json',
    );
    expect(lift.code).toBe(0);
    const { liftRequestId } = lift.json() as { liftRequestId: string };
    const done = await poll(
      async () => ((await local.ledgerEntry(liftRequestId))?.status === 'completed' ? true : undefined),
      60_000,
      'the lift to complete',
    );
    expect(done).toBe(true);
    expect((await item('impor-customers', customerIds.asker)).processingRestricted).toBe(false);
    expect(await isRestricted(subjects.asker.email)).toBe(false);
    const history = (await local.ledgerEntry(liftRequestId)).history as { status: string; note?: string }[];
    expect(history.find((h) => h.status === 'verified')?.note).toMatch(/lifted by support .*ticket 4411/);
    const told = await local.emailsFor(subjects.asker.email, liftRequestId);
    expect(told.map((m) => m.subject)).toEqual([
      'The restriction of your data is lifted / Pembatasan data Anda dicabut',
    ]);
    expect((await local.ledgerEntry(requestId)).contact).toBeUndefined();

    // Once lifted, there is nothing left to lift.
    const again = await runSupport(dataDir, 'lift', requestId, '--reason', 'asked twice');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/no longer stands/);
  });
});

describe('a withdrawal of consent', () => {
  it('turns off only the purposes named: analytics leaves marketing on, then marketing leaves personalisation on', async () => {
    const { isWithdrawn, isSuppressed } = await import('../../functions/aws/suppression');
    const first = await run('withdraw_consent', 'chooser', { purposes: ['analytics'] });
    let prefs = await item('impor-marketing-preferences', customerIds.chooser);
    expect(prefs.analyticsCookies).toBe(false);
    expect(prefs.analyticsConsentWithdrawnRequestId).toBe(first.requestId);
    expect(prefs.personalisedRecommendations).toBe(true);
    expect(prefs.emailOptIn).toBe(true);
    expect(await isWithdrawn(subjects.chooser.email, 'analytics')).toBe(true);
    expect(await isWithdrawn(subjects.chooser.email, 'marketing')).toBe(false);
    expect(first.confirmation?.body.text).toContain('to withdraw your consent to analytics is done');
    // No partner handles a withdrawal: their Map runs over none, and every data store is still visited.
    const entry = await local.ledgerEntry(first.requestId);
    const dataStores = system.dataMap.stores.filter((s) => s.kind !== 'processor').map((s) => s.id);
    expect(Object.keys(entry.stores as object).sort()).toEqual([...dataStores].sort());
    for (const processorId of system.processors.ids())
      expect(local.receivedBy(processorId, first.requestId)).toEqual([]);

    await run('withdraw_consent', 'chooser', { purposes: ['marketing'] });
    prefs = await item('impor-marketing-preferences', customerIds.chooser);
    for (const f of ['emailOptIn', 'whatsappOptIn', 'smsOptIn', 'advertisingCookies'])
      expect(prefs[f]).toBe(false);
    expect(prefs.analyticsCookies).toBe(false);
    expect(prefs.personalisedRecommendations).toBe(true);
    expect(await isWithdrawn(subjects.chooser.email, 'marketing')).toBe(true);
    expect(await isWithdrawn(subjects.chooser.email, 'personalisation')).toBe(false);
    expect(await isSuppressed(subjects.chooser.email)).toBe(true);
    expect((await item('impor-marketing-preferences', customerIds.bystander)).analyticsCookies).toBe(true);
  });
});

describe('bad change requests', () => {
  it.each([
    [
      'a field that is not rectifiable',
      { type: 'rectify', corrections: { npwp: '123' } },
      'corrections.npwp',
    ],
    ['an empty correction', { type: 'rectify', corrections: {} }, 'corrections'],
    ['a phone that is no phone', { type: 'rectify', corrections: { phone: '12' } }, 'corrections.phone'],
    ['a correction without corrections', { type: 'rectify' }, 'corrections'],
    ['an unknown purpose', { type: 'withdraw_consent', purposes: ['profiling'] }, 'purposes.0'],
    ['no purpose at all', { type: 'withdraw_consent', purposes: [] }, 'purposes'],
    [
      'corrections on an access request',
      { type: 'access', corrections: { phone: '+6281234567890' } },
      'corrections',
    ],
  ])('answers 400 naming the field for %s', async (_, body, field) => {
    const res = await local.postJson('/requests', { email: subjects.bystander.email, ...body });
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { fields: Record<string, string> };
    expect(Object.keys(answer.fields)).toContain(field);
  });
});
