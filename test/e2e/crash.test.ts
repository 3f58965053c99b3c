/**
 * `kill -9` of `npm start` with requests at every kind of point — waiting for
 * the code, in the grace period of a delete (one to run, one to cancel),
 * waiting for a partner's callback, and in the middle of an access request's
 * store Map — then `npm start` again on the same data directory: each request
 * goes on from where it was and ends as it would have, and nothing happens
 * twice (emails, exports, partner deliveries).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildSystem } from '../support/child-system';
import { codeIn, linkIn, poll, type SesEmail, sleep } from '../support/local-api';

jest.setTimeout(300_000);

const GRACE_SECONDS = 45;
const ENV = {
  DSR_DELETE_GRACE_SECONDS: String(GRACE_SECONDS),
  DSR_DEMO_CUSTOMERS: '0',
  DSR_PROCESSOR_ACK_SECONDS: '600',
};
const email = (who: string) => `crash.${who}.e2e@example.com`;

let dataDir: string;
let before: ChildSystem;
let after: ChildSystem;

interface Request {
  readonly requestId: string;
  readonly statusToken: string;
  readonly who: string;
}

async function submit(system: ChildSystem, type: string, who: string): Promise<Request> {
  const res = await fetch(`${system.endpoints.api}/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type, email: email(who) }),
  });
  expect(res.status).toBe(202);
  const { requestId, statusToken } = (await res.json()) as Request;
  return { requestId, statusToken, who };
}

async function firstEmail(system: ChildSystem, requestId: string): Promise<SesEmail> {
  return poll(async () => (await system.emailsAbout(requestId))[0], 30_000, `an email about ${requestId}`);
}

async function verify(system: ChildSystem, request: Request, code: string): Promise<void> {
  const res = await fetch(`${system.endpoints.api}/requests/${request.requestId}/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${request.statusToken}` },
    body: JSON.stringify({ code }),
  });
  expect(res.status).toBe(200);
}

async function status(system: ChildSystem, request: Request): Promise<Record<string, unknown>> {
  const res = await fetch(`${system.endpoints.api}/requests/${request.requestId}`, {
    headers: { authorization: `Bearer ${request.statusToken}` },
  });
  return (await res.json()) as Record<string, unknown>;
}

async function until(system: ChildSystem, request: Request, wanted: string[], ms = 90_000) {
  return poll(
    async () => {
      const s = await status(system, request);
      return wanted.includes(String(s.status)) ? s : undefined;
    },
    ms,
    `${request.requestId} to be ${wanted.join(' or ')}`,
  );
}

async function behave(system: ChildSystem, partner: string, change: object): Promise<void> {
  const res = await fetch(`${system.endpoints.processors}/partners/${partner}/behaviour`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(change),
  });
  expect(res.status).toBe(200);
}

async function received(system: ChildSystem, partner: string, requestId: string) {
  const res = await fetch(`${system.endpoints.processors}/partners/${partner}/received`);
  const body = (await res.json()) as {
    received: { idempotencyKey: string; duplicate: boolean; request: { requestId: string } | null }[];
  };
  return body.received.filter((r) => r.request?.requestId === requestId);
}

/** The stores whose ExportStore result the request's journal holds. */
async function exportsJournaled(requestId: string): Promise<string[]> {
  const text = await readFile(path.join(dataDir, 'executions', `${requestId}.jsonl`), 'utf8');
  return text.split('\n').flatMap((line) => {
    const entry = line
      ? (JSON.parse(line) as {
          kind: string;
          step?: string;
          outcome?: { output?: { Payload?: { storeId?: string } } };
        })
      : undefined;
    const storeId =
      entry?.kind === 'outcome' && entry.step?.startsWith('ExportStore:')
        ? entry.outcome?.output?.Payload?.storeId
        : undefined;
    return storeId ? [storeId] : [];
  });
}

/** The same link on the restarted API (its port is new). */
const onApi = (system: ChildSystem, link: string) => {
  const url = new URL(link);
  return new URL(`${url.pathname}${url.search}`, system.endpoints.api);
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-crash-'));
});

afterAll(async () => {
  await before?.kill();
  await after?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a killed npm start, started again', () => {
  it('resumes every open request where it was and does nothing twice', async () => {
    before = await ChildSystem.start(dataDir, ENV);
    const { plantSubject } = await import('../../infra/local/demo-data');
    for (const who of ['code', 'grace', 'cancel', 'callback', 'map'])
      await plantSubject(before.running.clients, before.running.dataMap, { email: email(who), records: 2 });

    // Waiting for its code.
    const waiting = await submit(before, 'access', 'code');
    const code = codeIn(await firstEmail(before, waiting.requestId));

    // Two deletes in their grace period: one will run, one will be cancelled.
    const grace = await submit(before, 'delete', 'grace');
    await verify(before, grace, codeIn(await firstEmail(before, grace.requestId)));
    const cancel = await submit(before, 'delete', 'cancel');
    await verify(before, cancel, codeIn(await firstEmail(before, cancel.requestId)));
    await until(before, grace, ['scheduled']);
    await until(before, cancel, ['scheduled']);
    const cancelMail = await poll(
      async () =>
        (await before.emailsAbout(cancel.requestId)).find((e) => /\/cancel\?token=/.test(e.body.text ?? '')),
      30_000,
      'the cancel link',
    );
    const graceEndsAt = Date.now() + GRACE_SECONDS * 1000;

    // Waiting for the payment partner's callback (it answered 202 and calls back much later).
    await behave(before, 'payments', { ackDelayMs: 600_000 });
    const callback = await submit(before, 'opt_out', 'callback');
    await verify(before, callback, codeIn(await firstEmail(before, callback.requestId)));
    await poll(
      async () => (await received(before, 'payments', callback.requestId))[0],
      30_000,
      'payments told',
    );

    // In the middle of the export Map: the logistics partner takes its time to answer.
    await behave(before, 'logistics', { delayMs: 8000 });
    const map = await submit(before, 'access', 'map');
    await verify(before, map, codeIn(await firstEmail(before, map.requestId)));
    await poll(
      async () => {
        const stores = ((await status(before, map)).stores ?? []) as { storeId: string; status: string }[];
        return stores.some((s) => s.status === 'completed') &&
          stores.some((s) => s.storeId === 'logistics' && s.status !== 'completed')
          ? true
          : undefined;
      },
      30_000,
      'the export Map under way',
    );

    await before.kill();
    const journaledAtKill = await exportsJournaled(map.requestId);
    after = await ChildSystem.start(dataDir, ENV);
    expect(after.output.some((l) => /resumed \d+ open execution/.test(l))).toBe(true);

    // The code mailed before the crash still works, and the request completes.
    await verify(after, waiting, code);
    // The cancel link mailed before the crash still cancels.
    const link = onApi(after, linkIn(cancelMail, 'cancel'));
    const cancelled = await fetch(link.origin + link.pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: link.searchParams.get('token') }),
    });
    expect(cancelled.status).toBe(200);

    for (const request of [waiting, callback, map])
      expect({
        request: request.who,
        status: (await until(after, request, ['completed', 'needs_attention', 'failed'])).status,
      }).toEqual({
        request: request.who,
        status: 'completed',
      });
    expect((await until(after, cancel, ['cancelled', 'completed'])).status).toBe('cancelled');
    // The delete keeps the time its email gave: not erased before it, and done soon after.
    expect(
      (await until(after, grace, ['completed', 'needs_attention', 'failed'], GRACE_SECONDS * 1000 + 60_000))
        .status,
    ).toBe('completed');
    const erasedAt = Date.now();
    expect(erasedAt).toBeGreaterThanOrEqual(graceEndsAt - 2000);

    // Nothing twice: each email once, each store exported once, each partner told once per key.
    for (const request of [waiting, grace, cancel, callback, map]) {
      const subjects = (await after.emailsAbout(request.requestId)).map((e) => e.subject);
      expect({
        request: request.who,
        duplicates: subjects.filter((s, i) => subjects.indexOf(s) !== i),
      }).toEqual({
        request: request.who,
        duplicates: [],
      });
    }
    // A store whose export the journal had recorded is not exported again; one still running at the kill may be.
    const exportedAfter = after.logged('store exported').filter((l) => l.requestId === map.requestId);
    expect(before.logged('store exported').some((l) => l.requestId === map.requestId)).toBe(true);
    expect(exportedAfter.filter((l) => journaledAtKill.includes(String(l.storeId)))).toEqual([]);
    const packaged = [...before.logged('export packaged'), ...after.logged('export packaged')];
    expect(packaged.filter((l) => l.requestId === map.requestId)).toHaveLength(1);
    for (const [partner, request] of [
      ['payments', callback],
      ['logistics', callback],
      ['logistics', map],
      ['logistics', grace],
    ] as const) {
      const deliveries = await received(after, partner, request.requestId);
      expect({
        partner,
        request: request.who,
        keys: new Set(deliveries.map((d) => d.idempotencyKey)).size,
      }).toEqual({
        partner,
        request: request.who,
        keys: 1,
      });
      expect(deliveries.filter((d) => !d.duplicate)).toHaveLength(1);
    }
    // The cancelled delete told no partner.
    expect(await received(after, 'logistics', cancel.requestId)).toEqual([]);
    await sleep(0);
  });
});
