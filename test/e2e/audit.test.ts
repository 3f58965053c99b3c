/**
 * End to end on this machine: an access request's audit chain on the local
 * system (table `dsr-audit`), its verification, the daily heads in the audit
 * bucket, and the person's history in the access package.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import JSZip from 'jszip';
import { DynamoAuditTrail } from '../../functions/aws/audit-trail';
import type { AuditEntry } from '../../functions/core/audit/entry';
import { readChain } from '../../functions/core/audit/trail';
import { verifyChain } from '../../functions/core/audit/verify';
import { AUDIT_TABLE_NAME, type LocalSystem, startLocalSystem } from '../../infra/local/system';
import { LocalApi, linkIn, poll, type SesEmail } from '../support/local-api';

jest.setTimeout(180_000);

const subject = {
  email: 'audit.trail.e2e@example.com',
  fullName: 'Audit Trail Testcase',
  phone: '+6281200000077',
};

let system: LocalSystem;
let dataDir: string;
let local: LocalApi;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-audit-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 5 });
  local = new LocalApi(system);
  const { plantSubject } = await import('../../infra/local/demo-data');
  await plantSubject(system.clients, system.dataMap, subject);
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const positionOf = (chain: readonly AuditEntry[], kind: string) => chain.findIndex((e) => e.kind === kind);

describe('the audit trail of an access request on the local system', () => {
  let requestId: string;
  let chain: AuditEntry[];
  const trail = () => new DynamoAuditTrail(system.clients.dynamodb, AUDIT_TABLE_NAME);

  it('records every event in order, as a chain that verifies, with no personal data', async () => {
    // Act
    const submitted = await local.submitVerified('access', subject.email);
    requestId = submitted.requestId;
    await local.until(requestId, submitted.statusToken, 'completed');
    // The status moves first (so contact data is minimised at once); the audit line follows it.
    chain = await poll(
      async () => {
        const entries = await trail().read(requestId);
        return entries.at(-1)?.kind === 'completed' ? entries : undefined;
      },
      10_000,
      'the completed audit entry',
    );

    // Assess: the chain is intact and the events come in the order they happened
    expect(verifyChain(chain)).toMatchObject({ intact: true, length: chain.length });
    const kinds = chain.map((e) => e.kind);
    expect(kinds.slice(0, 5)).toEqual(['received', 'code_sent', 'email_sent', 'verified', 'planned']);
    expect(kinds.at(-1)).toBe('completed');
    const dataStores = system.dataMap.stores.filter((s) => s.kind !== 'processor').map((s) => s.id);
    const exported = chain.filter((e) => e.kind === 'store_exported').map((e) => e.details.storeId);
    expect([...exported].sort()).toEqual(expect.arrayContaining([...dataStores].sort()));
    for (const entry of chain.filter((e) => e.kind === 'store_exported')) {
      expect(typeof entry.details.records).toBe('number');
      expect(chain.indexOf(entry)).toBeGreaterThan(positionOf(chain, 'planned'));
      expect(chain.indexOf(entry)).toBeLessThan(positionOf(chain, 'package_built'));
    }
    const emails = chain.filter((e) => e.kind === 'email_sent').map((e) => e.details.template);
    expect(emails).toEqual(['verification', 'export-ready']);
    expect(positionOf(chain, 'package_built')).toBeLessThan(
      chain.findIndex((e) => e.details.template === 'export-ready'),
    );
    const text = JSON.stringify(chain);
    for (const value of Object.values(subject)) expect(text).not.toContain(value);
  });

  it("puts the person's own request history into the access package's processing record", async () => {
    const emails = await local.emailsFor(subject.email, requestId);
    const link = linkIn(emails.at(-1) as SesEmail, 'export');
    const redirect = await fetch(link, { redirect: 'manual' });
    const download = await fetch(redirect.headers.get('location') as string);
    const zip = await JSZip.loadAsync(Buffer.from(await download.arrayBuffer()));
    const record = JSON.parse((await zip.file('processing-record.json')?.async('string')) ?? '{}');
    const history = record.history as { kind: string; hash: string }[];
    expect(history.slice(0, 4).map((h) => h.kind)).toEqual([
      'received',
      'code_sent',
      'email_sent',
      'verified',
    ]);
    // Each line carries its chain hash, so the person's copy can be checked against the trail.
    expect(history[0]?.hash).toBe(chain[0]?.hash);
  });

  it('finds a changed entry, and a chain cut short after its head was written to the audit bucket', async () => {
    // Prepare: the daily job writes today's heads (the same handler EventBridge runs in AWS).
    const { handler } = await import('../../functions/jobs/audit-chain-heads');
    const written = await handler();
    expect(written.chains).toBeGreaterThan(0);
    const { readChainPorts } = await import('../../functions/aws/composition-root');
    expect((await readChain(readChainPorts(), requestId)).verdict.intact).toBe(true);

    // Act: someone with table rights rewrites a count (no condition), then removes the last entry.
    const target = chain.find((e) => e.kind === 'store_exported') as AuditEntry;
    await system.clients.dynamodb.send(
      new PutCommand({
        TableName: AUDIT_TABLE_NAME,
        Item: { ...target, details: { ...target.details, records: 0 }, day: target.at.slice(0, 10) },
      }),
    );
    const changed = await readChain(readChainPorts(), requestId);
    expect(changed.verdict).toMatchObject({ intact: false, reason: 'changed', position: target.sequence });

    await system.clients.dynamodb.send(
      new PutCommand({ TableName: AUDIT_TABLE_NAME, Item: { ...target, day: target.at.slice(0, 10) } }),
    );
    const last = chain.at(-1) as AuditEntry;
    await system.clients.dynamodb.send(
      new DeleteCommand({ TableName: AUDIT_TABLE_NAME, Key: { requestId, sequence: last.sequence } }),
    );
    const cut = await readChain(readChainPorts(), requestId);
    expect(verifyChain(cut.entries).intact).toBe(true);
    expect(cut.verdict).toMatchObject({ intact: false, reason: 'truncated' });
  });
});
