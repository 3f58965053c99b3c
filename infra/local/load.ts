/**
 * The load test (`npm run load`): a local system of its own (loopback only,
 * bounded in requests, concurrency and time) driven as clients would drive it —
 * submit, read the code from the mailbox, verify, wait — for a mix of request
 * types, with canary subjects nobody asks about. It counts what must be zero:
 * requests lost (never ended), anything done twice (an email, a processor
 * notice), and leaks (another subject's data in an export).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import JSZip from 'jszip';
import { z } from 'zod';
import type { FaultRates } from './faults';
import { LEDGER_TABLE_NAME, type LocalSystem, startLocalSystem } from './system';

export const LOAD_TYPES = ['access', 'delete', 'opt_out', 'rectify', 'restrict', 'withdraw_consent'] as const;
export type LoadType = (typeof LOAD_TYPES)[number];
export type LoadMix = Partial<Record<LoadType, number>>;

export const MAX_REQUESTS = 1000;
export const MAX_CONCURRENCY = 50;

export interface LoadOptions {
  readonly requests: number;
  readonly concurrency: number;
  /** Weights per type; default access 60, delete 20, opt-out 20. */
  readonly mix?: LoadMix;
  readonly faults?: FaultRates;
  /** How long one request may take to end before it counts as lost; default 3 minutes. */
  readonly requestTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface LoadSummary {
  readonly requests: number;
  readonly completed: number;
  readonly needsAttention: number;
  readonly failed: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly leaks: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly throughputPerMin: number;
  readonly peakRssMiB: number;
}

const DEFAULT_MIX: LoadMix = { access: 60, delete: 20, opt_out: 20 };
const ENDED = new Set(['completed', 'needs_attention', 'failed', 'expired', 'rejected', 'cancelled']);
const Mailbox = z.object({
  emails: z.array(
    z.object({
      destination: z.object({ to: z.array(z.string()) }),
      subject: z.string(),
      body: z.object({ text: z.string().optional(), html: z.string().optional() }),
    }),
  ),
});
type Email = z.infer<typeof Mailbox>['emails'][number];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `access=60,delete=20,opt_out=20` as weights. */
export function parseMix(spec: string): LoadMix {
  const mix: LoadMix = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, weight] = part.split('=');
    if (!(LOAD_TYPES as readonly string[]).includes(name ?? '')) {
      throw new Error(`--mix: unknown type "${name}" (one of ${LOAD_TYPES.join(', ')})`);
    }
    const value = Number(weight);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--mix: ${name} needs a weight of 0 or more`);
    mix[name as LoadType] = value;
  }
  if (Object.values(mix).every((w) => !w)) throw new Error('--mix: at least one type needs a weight');
  return mix;
}

/** The type of each of `n` requests, in proportion to the weights (largest remainder), interleaved. */
export function typesFor(n: number, mix: LoadMix): LoadType[] {
  const entries = LOAD_TYPES.map((t) => [t, mix[t] ?? 0] as const).filter(([, w]) => w > 0);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  const counts = entries.map(([t, w]) => ({ t, exact: (n * w) / total, count: Math.floor((n * w) / total) }));
  let left = n - counts.reduce((sum, c) => sum + c.count, 0);
  for (const c of [...counts].sort((a, b) => b.exact - b.count - (a.exact - a.count))) {
    if (left-- <= 0) break;
    c.count += 1;
  }
  const types: LoadType[] = [];
  for (let round = 0; types.length < n; round++) for (const c of counts) if (round < c.count) types.push(c.t);
  return types;
}

const extraFor = (type: LoadType, i: number): object =>
  type === 'rectify'
    ? { corrections: { address: `Jl. Beban No. ${i + 1}, Jakarta 10110` } }
    : type === 'withdraw_consent'
      ? { purposes: ['analytics'] }
      : {};

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

async function mailbox(system: LocalSystem): Promise<Email[]> {
  return Mailbox.parse(await (await fetch(`${system.urls.ses}/store`)).json()).emails;
}

const about = (mail: Email, email: string, requestId: string) =>
  mail.destination.to.some((t) => t.toLowerCase() === email) && (mail.body.text ?? '').includes(requestId);

/** One request as a client drives it; the time from submission to its end, or undefined when it never ended. */
async function drive(
  system: LocalSystem,
  job: { readonly type: LoadType; readonly email: string; readonly index: number },
  timeoutMs: number,
): Promise<{ requestId: string; status: string; ms: number; detail?: string } | undefined> {
  const started = performance.now();
  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${system.urls.api}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      // A client that honours Retry-After (429, 503, and 409 while the same key is still in progress).
      const again = res.status >= 500 || res.headers.has('retry-after');
      if (!again || attempt === 30) return res;
      await res.arrayBuffer();
      await sleep(
        Math.min(2000, Math.max(Number(res.headers.get('retry-after') ?? 0) * 1000, 200 * attempt)),
      );
    }
  };
  const submitted = await post(
    '/requests',
    { type: job.type, email: job.email, ...extraFor(job.type, job.index) },
    { 'idempotency-key': `load-request-${String(job.index).padStart(6, '0')}` },
  );
  // Refused with a precise answer: ended, visibly (counted with the failures).
  if (submitted.status !== 202) {
    const { error } = (await submitted.json().catch(() => ({}))) as { error?: string };
    const ms = Math.round(performance.now() - started);
    return { requestId: '', status: 'refused', ms, detail: `${submitted.status} ${error ?? ''}`.trim() };
  }
  const { requestId } = (await submitted.json()) as { requestId: string };
  const deadline = Date.now() + timeoutMs;
  const statusNow = async () => {
    const out = await system.clients.dynamodb.send(
      new GetCommand({ TableName: LEDGER_TABLE_NAME, Key: { requestId }, ConsistentRead: true }),
    );
    return String(out.Item?.status ?? '');
  };
  let token: string | undefined;
  while (!token && Date.now() < deadline) {
    const mail = (await mailbox(system)).find((m) => about(m, job.email, requestId));
    token = mail
      ? decodeURIComponent(/verify\?token=([^\s"&<]+)/.exec(mail.body.text ?? '')?.[1] ?? '')
      : undefined;
    if (token) break;
    // A request that ended before its code could be mailed (the send failed past its retries) ended visibly.
    const status = await statusNow();
    if (ENDED.has(status)) return { requestId, status, ms: Math.round(performance.now() - started) };
    await sleep(250);
  }
  if (!token)
    throw Object.assign(new Error(`no verification email; the ledger says ${await statusNow()}`), {
      name: 'NoVerificationEmail',
    });
  const verified = await post(`/requests/${requestId}/verify`, { token });
  // 409: an earlier try verified it and its answer was lost ("is verified and cannot be verified again").
  if (verified.status !== 200 && verified.status !== 409)
    throw Object.assign(new Error(`verify answered ${verified.status}`), {
      name: `Verify${verified.status}`,
    });
  while (Date.now() < deadline) {
    const status = await statusNow();
    if (ENDED.has(status)) return { requestId, status, ms: Math.round(performance.now() - started) };
    await sleep(250);
  }
  throw Object.assign(new Error(`${requestId} did not end`), { name: 'NotEnded' });
}

/** Texts of every file in an export zip, downloaded as a person would (again after a 5xx); '' if it never came. */
async function zipText(link: string): Promise<string> {
  for (let attempt = 1; attempt <= 8; attempt++) {
    const redirect = await fetch(link, { redirect: 'manual' });
    const location = redirect.headers.get('location');
    const download = location ? await fetch(location) : undefined;
    if (download?.ok) {
      const archive = await JSZip.loadAsync(Buffer.from(await download.arrayBuffer()));
      const texts = await Promise.all(Object.values(archive.files).map((f) => f.async('string')));
      return texts.join('\n').toLowerCase();
    }
    await sleep(200 * attempt);
  }
  return '';
}

/** Runs the load and returns its summary; the local system it starts is stopped and removed. */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const { requests, concurrency } = options;
  if (!Number.isInteger(requests) || requests < 1 || requests > MAX_REQUESTS)
    throw new Error(`--requests must be a whole number from 1 to ${MAX_REQUESTS}`);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)
    throw new Error(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`);
  const log = options.log ?? (() => undefined);
  // Loopback only, and bounded: the abuse limits would refuse a load from one address by design.
  process.env.DSR_LOCAL_RATE_LIMIT = String(requests * 10 + 100);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-load-'));
  const system = await startLocalSystem({
    dataDir,
    port: 0,
    sesPort: 0,
    demoCustomers: 0,
    seed: false,
    deleteGraceSeconds: 1,
    retryIntervalMs: 50,
    processorRetryBaseDelayMs: 50,
    // A partner that never acknowledges is escalated within the run, not after 3 days.
    processorAckSeconds: 30,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  try {
    const { plantSubject } = await import('./demo-data');
    const types = typesFor(requests, options.mix ?? DEFAULT_MIX);
    const jobs = types.map((type, index) => ({ type, index, email: `load-${index}@load.example` }));
    const canaries = ['canary-1@canary.example', 'canary-2@canary.example'];
    log(`planting ${jobs.length} subjects and ${canaries.length} canaries`);
    for (const email of [...jobs.map((j) => j.email), ...canaries])
      await plantSubject(system.clients, system.dataMap, { email, records: 2, documents: 0 });

    log(`driving ${requests} requests, ${concurrency} at a time`);
    const started = performance.now();
    const results: (Awaited<ReturnType<typeof drive>> & { job: (typeof jobs)[number] })[] = [];
    let lost = 0;
    let next = 0;
    const timeout = options.requestTimeoutMs ?? 180_000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++] as (typeof jobs)[number];
          const result = await drive(system, job, timeout).catch((error: unknown) => {
            log(
              `request ${job.index} (${job.type}) stopped: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? ''}`,
            );
            return undefined;
          });
          if (result?.detail) log(`request ${job.index} (${job.type}) refused: ${result.detail}`);
          if (result) results.push({ ...result, job });
          else {
            lost += 1;
            log(`request ${job.index} (${job.type}) lost`);
          }
          if ((results.length + lost) % 20 === 0) log(`${results.length + lost}/${requests} ended`);
        }
      }),
    );
    const elapsedMin = (performance.now() - started) / 60_000;

    const mails = await mailbox(system);
    let duplicates = 0;
    let leaks = 0;
    for (const { requestId, job, status } of results) {
      const subjects = mails.filter((m) => about(m, job.email, requestId)).map((m) => m.subject);
      const twice = subjects.filter((s, i) => subjects.indexOf(s) !== i);
      if (twice.length > 0) log(`${requestId}: emailed twice: ${twice.join(' | ')}`);
      duplicates += twice.length;
      for (const processor of system.processors.ids()) {
        const keys = new Set(
          system.processors
            .received(processor)
            .filter((r) => r.request?.requestId === requestId)
            .map((r) => r.idempotencyKey),
        );
        if (keys.size > 1) {
          log(`${requestId}: ${processor} told under ${keys.size} idempotency keys`);
          duplicates += keys.size - 1;
        }
      }
      if (job.type === 'access' && status === 'completed') {
        const ready = mails.find(
          (m) => about(m, job.email, requestId) && /export\?token=/.test(m.body.text ?? ''),
        );
        const link = /https?:\/\/[^"'\s<>]+\/export\?token=[^"'\s<>]+/.exec(ready?.body.text ?? '')?.[0];
        const text = link ? await zipText(link) : '';
        const others = [...canaries, ...jobs.filter((j) => j.email !== job.email).map((j) => j.email)];
        // An export without the person's own account proves nothing: counted with the leaks.
        if (!text.includes(job.email) || others.some((email) => text.includes(email))) {
          log(
            `${requestId}: ${text ? 'export holds another subject, or not this one' : 'export could not be downloaded'}`,
          );
          leaks += 1;
        }
      }
    }
    const times = results.map((r) => r.ms).sort((a, b) => a - b);
    const count = (status: string) => results.filter((r) => r.status === status).length;
    return {
      requests,
      completed: count('completed'),
      needsAttention: count('needs_attention'),
      failed: count('failed') + count('expired') + count('rejected') + count('cancelled') + count('refused'),
      lost,
      duplicates,
      leaks,
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
      throughputPerMin: Math.round((results.length / Math.max(elapsedMin, 1 / 60)) * 10) / 10,
      peakRssMiB: Math.round(peakRss / 1024 / 1024),
    };
  } finally {
    clearInterval(sampler);
    await system.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
