/**
 * No personal data in logs: one full access request on the local system with
 * every byte of log output captured (Powertools writes JSON lines to stdout;
 * console methods and the local runtime's own log too). The subject's email,
 * name, phone, verification code, link tokens and the pre-signed URL appear
 * nowhere, while the request id does (so the capture demonstrably works).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalSystem } from '../../infra/local/system';
import { LocalApi, poll, sleep } from '../support/local-api';

jest.setTimeout(120_000);

// Every level, so nothing is hidden by the test default (SILENT); read when the handlers load.
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';

const subject = {
  email: 'Sari.Wulandari.LogPrivacy@example.com',
  fullName: 'Sari Wulandari Logprivacy',
  phone: '+6281277770042',
};

const captured: string[] = [];
const restores: (() => void)[] = [];

/** Captures (and silences) process stdout/stderr writes and every console method until `release`. */
function captureAllOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
    restores.push(() => {
      stream.write = original;
    });
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
    restores.push(() => spy.mockRestore());
  }
}

function release(): void {
  for (const restore of restores.splice(0).reverse()) restore();
}

let system: LocalSystem;
let dataDir: string;
let local: LocalApi;

beforeAll(async () => {
  captureAllOutput();
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-logs-'));
  const { startLocalSystem } = await import('../../infra/local/system');
  system = await startLocalSystem({
    dataDir,
    port: 0,
    sesPort: 0,
    demoCustomers: 5,
    log: (line) => captured.push(line),
  });
  local = new LocalApi(system);
  const { plantSubject } = await import('../../infra/local/demo-data');
  await plantSubject(system.clients, system.dataMap, subject);
});

afterAll(async () => {
  await system?.stop();
  release();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the logs of a full access request', () => {
  it("never contain the subject's email, name, phone, code, link tokens or the pre-signed URL", async () => {
    // Act: submit with every contact field, verify by code, download through the emailed link
    const submitted = await local.postJson('/requests', { type: 'access', ...subject });
    expect(submitted.status).toBe(202);
    const { requestId, statusToken } = (await submitted.json()) as { requestId: string; statusToken: string };
    const verification = await local.verificationEmail(subject.email, requestId);
    const text = verification.body.text ?? '';
    const code = /Confirmation code: (\d{6})/.exec(text)?.[1];
    const linkToken = /verify\?token=([^\s]+)/.exec(text)?.[1];
    expect(code).toBeDefined();
    expect(linkToken).toBeDefined();

    // A wrong code first, so the failure path logs too.
    const wrong = code === '000000' ? '111111' : '000000';
    const bearer = { authorization: `Bearer ${statusToken}` };
    expect((await local.postJson(`/requests/${requestId}/verify`, { code: wrong }, bearer)).status).toBe(403);
    const verified = await local.postJson(`/requests/${requestId}/verify`, { code }, bearer);
    expect(verified.status).toBe(200);

    const ready = await poll(
      async () => {
        const mails = await local.emailsFor(subject.email, requestId);
        return mails.length >= 2 ? mails[1] : undefined;
      },
      60_000,
      'the export email',
    );
    const exportLink = /https?:\/\/\S+\/export\?token=\S+/.exec(ready?.body.text ?? '')?.[0];
    expect(exportLink).toBeDefined();
    const exportToken = new URL(exportLink as string).searchParams.get('token') as string;
    const redirect = await fetch(exportLink as string, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const presigned = redirect.headers.get('location') as string;
    const download = await fetch(presigned);
    expect(download.status).toBe(200);
    await download.arrayBuffer();
    // Let trailing log lines (the completion, minimisation) land.
    await sleep(500);

    // Assess
    const all = captured.join('\n');
    expect(all).toContain(requestId);
    const lower = all.toLowerCase();
    const secrets: Record<string, string> = {
      email: subject.email.toLowerCase(),
      'email local part': subject.email.split('@')[0]?.toLowerCase() as string,
      'full name': subject.fullName.toLowerCase(),
      'family name': 'logprivacy',
      phone: subject.phone,
      'phone without +62': subject.phone.slice(3),
      'link token': decodeURIComponent(linkToken as string).toLowerCase(),
      'status token': statusToken.toLowerCase(),
      'export token': exportToken.toLowerCase(),
      'pre-signed URL': presigned.toLowerCase(),
      'pre-signed URL query': new URL(presigned).search.slice(1).toLowerCase(),
      'pre-signed signature': (new URL(presigned).searchParams.get('X-Amz-Signature') ?? '').toLowerCase(),
    };
    for (const [what, secret] of Object.entries(secrets)) {
      expect(secret.length).toBeGreaterThan(5);
      if (lower.includes(secret)) throw new Error(`the logs contain the ${what}`);
    }
    expect(new RegExp(`(?<![0-9])${code}(?![0-9])`).test(all)).toBe(false);
    // Nor does the execution's journal on disk (the workflow's state carries ids, counts and keys only).
    const journal = (
      await readFile(path.join(dataDir, 'executions', `${requestId}.jsonl`), 'utf8')
    ).toLowerCase();
    expect(journal).toContain('"kind":"ended"');
    for (const [what, secret] of Object.entries(secrets)) {
      if (journal.includes(secret)) throw new Error(`the execution journal contains the ${what}`);
    }
    expect(new RegExp(`(?<![0-9])${code}(?![0-9])`).test(journal)).toBe(false);
  });
});

describe('the logs of a correction', () => {
  it('never contain the corrected values, old or new, nor the new address or its code', async () => {
    const corrections = {
      email: 'sari.pindahan.logprivacy@example.com',
      phone: '+6281399990077',
      address: 'Jl. Rahasia Sekali No. 77, Bandung 40115',
      companyName: 'PT Sangat Pribadi Logprivacy',
    };
    const submitted = await local.postJson('/requests', {
      type: 'rectify',
      email: subject.email,
      corrections,
    });
    expect(submitted.status).toBe(202);
    const { requestId, statusToken } = (await submitted.json()) as { requestId: string; statusToken: string };
    const code = /Confirmation code: (\d{6})/.exec(
      (await local.verificationEmail(subject.email, requestId)).body.text ?? '',
    )?.[1];
    const toNew = await poll(
      async () => (await local.emailsFor(corrections.email, requestId))[0],
      20_000,
      'the new address email',
    );
    const newAddressCode = /Code for the new address: (\d{6})/.exec(toNew.body.text ?? '')?.[1];
    const bearer = { authorization: `Bearer ${statusToken}` };
    const verified = await local.postJson(`/requests/${requestId}/verify`, { code, newAddressCode }, bearer);
    expect(verified.status).toBe(200);
    await local.until(requestId, statusToken, 'completed');
    await sleep(500);

    const lower = captured.join('\n').toLowerCase();
    expect(lower).toContain(requestId);
    for (const [what, value] of Object.entries({
      ...corrections,
      'old phone': subject.phone,
    })) {
      if (lower.includes(value.toLowerCase())) throw new Error(`the logs contain the ${what}`);
    }
    // Six digits alone, not inside a hash or a longer number.
    expect(new RegExp(`(?<![0-9a-f])${newAddressCode}(?![0-9a-f])`).test(lower)).toBe(false);
  });
});
