/**
 * End to end on this machine: support's deadline and audit commands
 * (`npm run support -- list|due|extend|audit`) against the running local system.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditTrail } from '../../functions/aws/audit-trail';
import { AUDIT_TABLE_NAME, type LocalSystem, startLocalSystem } from '../../infra/local/system';
import { LocalApi, poll, type Submitted, textOf } from '../support/local-api';
import { runSupport } from '../support/support-cli';

jest.setTimeout(180_000);

let system: LocalSystem;
let dataDir: string;
let local: LocalApi;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-support-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 3 });
  local = new LocalApi(system);
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const support = (...args: string[]) => runSupport(dataDir, ...args);

async function submitIn(jurisdiction: string, email: string): Promise<Submitted> {
  const res = await local.postJson('/requests', { type: 'access', email, jurisdiction });
  expect(res.status).toBe(202);
  return (await res.json()) as Submitted;
}

describe('support deadline commands', () => {
  let indonesian: Submitted;
  let european: Submitted;
  const europeanEmail = 'eu.extend.e2e@example.com';

  beforeAll(async () => {
    indonesian = await submitIn('ID', 'id.extend.e2e@example.com');
    european = await submitIn('EU', europeanEmail);
  });

  it('lists open requests earliest due first, and shows the Indonesian one due within 72 hours', async () => {
    const listed = await support('list', '--json');
    expect(listed.code).toBe(0);
    const rows = listed.json() as { requestId: string; standing: { text: string } }[];
    const ids = rows.map((r) => r.requestId);
    expect(rows.find((r) => r.requestId === indonesian.requestId)?.standing.text).toMatch(
      /^due in 7[01] hours$/,
    );
    expect(ids.indexOf(indonesian.requestId)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(indonesian.requestId)).toBeLessThan(ids.indexOf(european.requestId));

    const due = await support('due', '--due-within', '72h', '--json');
    expect(due.code).toBe(0);
    const soon = (due.json() as { dueSoon: unknown }).dueSoon as {
      requestId: string;
      standing: { text: string };
    }[];
    expect(soon.map((r) => r.requestId)).toContain(indonesian.requestId);
    expect(soon.map((r) => r.requestId)).not.toContain(european.requestId);
    expect(soon.find((r) => r.requestId === indonesian.requestId)?.standing.text).toMatch(
      /^due in 7[01] hours$/,
    );

    const bad = await support('due', '--due-within', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--due-within takes hours/);
  });

  it('refuses to extend an Indonesian request, citing UU PDP, and changes nothing', async () => {
    const before = await local.ledgerEntry(indonesian.requestId);
    const refused = await support('extend', indonesian.requestId, '--reason', 'many stores');
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/UU PDP/);
    expect((await local.ledgerEntry(indonesian.requestId)).dueAt).toBe(before.dueAt);
  });

  it('extends a European request once by two months and tells the person why', async () => {
    const before = (await local.ledgerEntry(european.requestId)).dueAt as string;
    const noReason = await support('extend', european.requestId);
    expect(noReason.code).toBe(2);

    const extended = await support('extend', european.requestId, '--reason', 'a processor needs more time');
    expect(extended.code).toBe(0);
    const result = extended.json() as { fromDueAt: string; toDueAt: string };
    expect(result.fromDueAt).toBe(before);
    const expected = new Date(before);
    expected.setUTCMonth(expected.getUTCMonth() + 2);
    expect(Math.abs(new Date(result.toDueAt).getTime() - expected.getTime())).toBeLessThan(4 * 86_400_000);
    expect((await local.ledgerEntry(european.requestId)).dueAt).toBe(result.toDueAt);
    const mail = await poll(
      async () =>
        (await local.emailsFor(europeanEmail, european.requestId)).find((e) =>
          textOf(e).includes('a processor needs more time'),
        ),
      10_000,
      'the extension email',
    );
    expect(mail).toBeDefined();

    const trail = await new DynamoAuditTrail(system.clients.dynamodb, AUDIT_TABLE_NAME).read(
      european.requestId,
    );
    const extension = trail.find((e) => e.kind === 'deadline_extended');
    expect(extension?.details).toMatchObject({ action: 'extend' });
    expect(JSON.stringify(extension)).not.toContain('processor needs');

    const again = await support('extend', european.requestId, '--reason', 'still waiting');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/one extension/);
  });
});

describe('support audit command', () => {
  it('exits 0 for an intact chain and 3 once its last entry is removed; 2 for an unknown id', async () => {
    const email = 'audit.cli.e2e@example.com';
    const submitted = await submitIn('ID', email);
    await local.verificationEmail(email, submitted.requestId);

    const intact = await support('audit', submitted.requestId, '--json');
    expect(intact.code).toBe(0);
    const report = intact.json() as {
      entries: { kind: string; sequence: number }[];
      verdict: { intact: boolean };
    };
    expect(report.verdict.intact).toBe(true);
    expect(report.entries.map((e) => e.kind).slice(0, 2)).toEqual(['received', 'code_sent']);
    expect(intact.last).not.toContain(email);

    const trail = new DynamoAuditTrail(system.clients.dynamodb, AUDIT_TABLE_NAME);
    const { handler } = await import('../../functions/jobs/audit-chain-heads');
    await handler();
    const last = (await trail.read(submitted.requestId)).at(-1);
    await system.clients.dynamodb.send(
      new DeleteCommand({
        TableName: AUDIT_TABLE_NAME,
        Key: { requestId: submitted.requestId, sequence: last?.sequence },
      }),
    );
    const cut = await support('audit', submitted.requestId);
    expect(cut.code).toBe(3);
    expect(cut.last).toMatch(/chain broken.*truncated/);

    expect((await support('audit', 'req_doesnotexist00000000000')).code).toBe(2);
  });
});
