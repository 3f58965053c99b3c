/**
 * Issue 18, finding 1, reproduced on the local system with production-like
 * limits: someone who knows a person's address submits for it, probes the
 * answers and tries wrong link tokens and codes. The person's own request still
 * verifies, and the person can still submit access and delete requests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { codeIn, LocalApi, linkIn, poll, type SesEmail, type Submitted } from '../support/local-api';

jest.setTimeout(180_000);

const VICTIM = 'victim.person@example.com';
let system: LocalSystem;
let local: LocalApi;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-denial-'));
  system = await startLocalSystem({
    dataDir,
    port: 0,
    sesPort: 0,
    demoCustomers: 0,
    // The production defaults per person; per IP stays generous (every call here comes from 127.0.0.1).
    rateLimits: { submitPerSubject: 5, verifyPerSubject: 10 },
  });
  local = new LocalApi(system);
});
afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const verify = (requestId: string, body: unknown, headers: Record<string, string> = {}) =>
  local.postJson(`/requests/${requestId}/verify`, body, headers);
/** The newest email to the victim about `requestId`, once there are at least `count`. */
const latestMail = async (requestId: string, count = 1): Promise<SesEmail> =>
  poll(
    async () => {
      const mails = await local.emailsFor(VICTIM, requestId);
      return mails.length >= count ? mails[mails.length - 1] : undefined;
    },
    30_000,
    `email ${count} about ${requestId}`,
  );
const wrongCodeFor = (mail: SesEmail) => (codeIn(mail) === '000000' ? '111111' : '000000');

describe('someone who only knows an address (issue 18, finding 1)', () => {
  it("cannot learn the person's open request, reject it, or use up the person's budgets", async () => {
    // Prepare: the victim asks for a copy of their data with the form's JSON calls.
    const own = await local.submit('access', VICTIM);
    await latestMail(own.requestId);

    // Act 1: the attacker submits for the victim's address, four times, in another spelling.
    const probes: Submitted[] = [];
    for (let i = 0; i < 4; i++) probes.push(await local.submit('access', 'Victim.Person@EXAMPLE.com'));
    // Assess 1: answers shaped like a first submission, never the victim's request.
    for (const p of probes) {
      expect(p).toEqual({
        requestId: expect.stringMatching(/^[0-9]{8}-access-[a-z2-7]{10}$/),
        status: 'pending_verification',
        statusToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      expect(p.requestId).not.toBe(own.requestId);
      // A code sent with such an answer is pointed at the email; it touches nothing.
      const res = await verify(p.requestId, { code: '123456' }, bearer(p.statusToken));
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ error: 'use_link' });
    }

    // Act 2: the attacker learns the id anyway (e.g. from a leak) and tries wrong links and codes.
    const linkAttempts = [];
    for (let i = 0; i < 10; i++)
      linkAttempts.push((await verify(own.requestId, { token: `${i}`.padEnd(43, 'x') })).status);
    const codeAttempts = [];
    for (let i = 0; i < 6; i++) {
      codeAttempts.push((await verify(own.requestId, { code: '000000' })).status);
      codeAttempts.push(
        (await verify(own.requestId, { code: '000000' }, bearer(probes[0]?.statusToken ?? ''))).status,
      );
    }
    // Assess 2: refused, never counted.
    expect(new Set(linkAttempts)).toEqual(new Set([403]));
    expect(new Set(codeAttempts)).toEqual(new Set([401]));
    const entry = await local.ledgerEntry(own.requestId);
    expect(entry).toMatchObject({ status: 'pending_verification', verification: { attempts: 0 } });

    // Assess 3: the victim's latest email (re-sent by the repeats) verifies their own request, by code.
    const latest = await latestMail(own.requestId, 2);
    const verified = await verify(own.requestId, { code: codeIn(latest) }, bearer(own.statusToken));
    expect(verified.status).toBe(200);
    await local.until(own.requestId, own.statusToken, 'completed', 60_000);

    // Act 4: the attacker creates delete requests for the victim and burns each with wrong codes.
    for (let round = 0; round < 2; round++) {
      const burnt = await local.submit('delete', VICTIM);
      const wrong = wrongCodeFor(await latestMail(burnt.requestId));
      for (let i = 0; i < 5; i++) await verify(burnt.requestId, { code: wrong }, bearer(burnt.statusToken));
      await local.until(burnt.requestId, burnt.statusToken, 'rejected', 20_000);
    }
    // Three more access submissions (the old shared budget was 5 an hour): the first opens a request
    // for the victim's address (its token goes to the attacker), the others are repeats.
    const opened = await local.submit('access', VICTIM);
    await latestMail(opened.requestId);
    for (let i = 0; i < 2; i++) await local.submit('access', VICTIM);

    // Assess 4: the victim can still submit a delete, and confirm it with the emailed link even though
    // the attacker's wrong codes used up the day's code budget for deletes.
    const ownDelete = await local.submit('delete', VICTIM);
    expect((await local.statusOf(ownDelete.requestId, ownDelete.statusToken)).status).toBe(
      'pending_verification',
    );
    const deleteMail = await latestMail(ownDelete.requestId);
    const limited = await verify(
      ownDelete.requestId,
      { code: codeIn(deleteMail) },
      bearer(ownDelete.statusToken),
    );
    expect(limited.status).toBe(429);
    const link = linkIn(deleteMail, `requests/${ownDelete.requestId}/verify`);
    const token = new URL(link).searchParams.get('token');
    expect((await verify(ownDelete.requestId, { token })).status).toBe(200);

    // Assess 5: the attacker's access submissions above opened a request for the victim's address. The
    // victim's own submission gets the same answer shape and an email with that request's link, which works.
    const before = (await local.emailsFor(VICTIM, opened.requestId)).length;
    const again = await local.submit('access', VICTIM);
    expect(Object.keys(again).sort()).toEqual(['requestId', 'status', 'statusToken']);
    expect(again.requestId).not.toBe(opened.requestId);
    const fresh = await latestMail(opened.requestId, before + 1);
    const openLink = new URL(linkIn(fresh, 'verify'));
    expect((await verify(opened.requestId, { token: openLink.searchParams.get('token') })).status).toBe(200);
  });
});
