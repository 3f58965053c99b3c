/**
 * One-click unsubscribe end to end on this machine: the real endpoint, the
 * real ASL in the local interpreter, the emulators, over HTTP as a mail client
 * (RFC 8058) and a person with a browser would use it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { BY_SUBJECT_INDEX } from '../../functions/aws/ledger';
import { keyFromText } from '../../functions/aws/secrets';
import { isSuppressed } from '../../functions/aws/suppression';
import { keyedHash } from '../../functions/core/crypto';
import type { LedgerRecord } from '../../functions/core/ledger-record';
import { createUnsubscribeToken, usedTokenKey } from '../../functions/core/opt-out/unsubscribe-token';
import { subjectLookupForm } from '../../functions/core/request';
import {
  LEDGER_TABLE_NAME,
  type LocalSystem,
  SUPPRESSION_TABLE_NAME,
  startLocalSystem,
} from '../../infra/local/system';
import { LocalApi, poll } from '../support/local-api';

jest.setTimeout(120_000);

const subject = { email: 'sinta.unsubscribe.e2e@example.com', fullName: 'Sinta Testcase' };

let system: LocalSystem;
let dataDir: string;
let api: string;
let local: LocalApi;
let key: Buffer;

const inAMonth = () => new Date(Date.now() + 30 * 24 * 3600_000);

/** What a mail client sends for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. */
const oneClick = (token: string) =>
  fetch(`${api}/unsubscribe?token=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });

/** The subject's opt-out requests in the ledger (by keyed hash, as support would look them up). */
async function optOutsOf(email: string): Promise<LedgerRecord[]> {
  const out = await system.clients.dynamodb.send(
    new QueryCommand({
      TableName: LEDGER_TABLE_NAME,
      IndexName: BY_SUBJECT_INDEX,
      KeyConditionExpression: 'subjectHash = :h',
      ExpressionAttributeValues: { ':h': keyedHash(key, 'subject', subjectLookupForm(email)) },
    }),
  );
  const ids = ((out.Items ?? []) as LedgerRecord[])
    .filter((i) => i.type === 'opt_out')
    .map((i) => i.requestId);
  const records = await Promise.all(
    ids.map((requestId) =>
      system.clients.dynamodb.send(
        new GetCommand({ TableName: LEDGER_TABLE_NAME, Key: { requestId }, ConsistentRead: true }),
      ),
    ),
  );
  return records.map((r) => r.Item as LedgerRecord);
}

async function marketingPreferencesOf(customerId: string): Promise<Record<string, unknown> | undefined> {
  const store = system.dataMap.stores.find((s) => s.id === 'marketing-preferences');
  if (store?.kind !== 'dynamodb') throw new Error('the demo data map has no marketing-preferences table');
  const out = await system.clients.dynamodb.send(
    new GetCommand({ TableName: store.table, Key: { customerId }, ConsistentRead: true }),
  );
  return out.Item;
}

let customerId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-unsubscribe-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 0, seed: false });
  api = system.urls.api;
  local = new LocalApi(system);
  key = keyFromText(await readFile(path.join(dataDir, 'secret.key'), 'utf8'));
  const { plantSubject } = await import('../../infra/local/demo-data');
  const planted = await plantSubject(system.clients, system.dataMap, subject);
  expect(planted['marketing-preferences']).toBeGreaterThan(0);
  customerId = await local.customerIdOf(subjectLookupForm(subject.email));
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('one-click unsubscribe on the local system', () => {
  it('shows a confirmation page on GET and unsubscribes no one by it', async () => {
    const token = createUnsubscribeToken(key, subject.email, inAMonth());

    const res = await fetch(`${api}/unsubscribe?token=${encodeURIComponent(token)}`);

    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<form method="post" action="unsubscribe\?token=/);
    expect(await optOutsOf(subject.email)).toEqual([]);
    expect(await isSuppressed(subject.email)).toBe(false);
  });

  it('refuses a tampered link with 400 and an expired one with 410, starting nothing', async () => {
    const token = createUnsubscribeToken(key, subject.email, inAMonth());
    const expired = createUnsubscribeToken(key, subject.email, new Date(Date.now() - 1000));

    const tampered = await oneClick(`${token.slice(0, -3)}abc`);
    const old = await oneClick(expired);

    expect(tampered.status).toBe(400);
    // A mail client's post tells no language: the page is in Indonesian.
    expect(await tampered.text()).toMatch(/tidak valid/);
    expect(old.status).toBe(410);
    expect(await old.text()).toMatch(/kedaluwarsa/);
    expect(await optOutsOf(subject.email)).toEqual([]);
  });

  it('opts the address out everywhere without a verification email, once per token', async () => {
    const token = createUnsubscribeToken(key, subject.email, inAMonth());

    // Act: the mail client's one-click POST, then wait for the opt-out to finish
    const res = await oneClick(token);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Anda telah berhenti berlangganan/);
    const marker = await system.clients.dynamodb.send(
      new GetCommand({ TableName: SUPPRESSION_TABLE_NAME, Key: { subjectHash: usedTokenKey(key, token) } }),
    );
    const requestId = marker.Item?.requestId as string;
    expect(requestId).toMatch(/^[0-9]{8}-opt-out-[a-z2-7]{10}$/);
    const done = await poll(
      async () => {
        const [record] = await optOutsOf(subject.email);
        return record && ['completed', 'failed'].includes(record.status) ? record : undefined;
      },
      60_000,
      'the opt-out to finish',
    );

    // Assess: one completed opt-out, verified by the token, never by a code
    expect(done).toMatchObject({ requestId, status: 'completed' });
    expect(done.history.map((h) => h.status)).toEqual([
      'pending_verification',
      'verified',
      'in_progress',
      'completed',
    ]);
    expect(done.history[1]).toMatchObject({ note: 'one-click unsubscribe' });
    expect(done.verification).toBeUndefined();
    const subjects = (await local.emailsTo(subject.email)).map((e) => e.subject);
    expect(subjects.filter((s) => /confirmation code|kode konfirmasi/i.test(s))).toEqual([]);
    expect(await isSuppressed(subject.email)).toBe(true);
    expect(await isSuppressed('someone.else@example.com')).toBe(false);
    expect(await marketingPreferencesOf(customerId)).toMatchObject({
      emailOptIn: false,
      whatsappOptIn: false,
      smsOptIn: false,
      advertisingCookies: false,
      marketingOptOutRequestId: requestId,
    });

    // Act again: the same link, by the mail client and by the page's button
    const again = await oneClick(token);
    const againJson = await fetch(`${api}/unsubscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });

    expect(again.status).toBe(200);
    expect(await again.text()).toMatch(/Anda sudah berhenti berlangganan/);
    expect(await againJson.json()).toEqual({ status: 'already_unsubscribed' });
    expect((await optOutsOf(subject.email)).map((r) => r.requestId)).toEqual([requestId]);
  });
});
