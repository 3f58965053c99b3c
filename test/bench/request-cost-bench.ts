/**
 * What one request of each type costs in AWS, measured on the local system:
 * a seeded demo customer submits, verifies with the emailed code and (access)
 * downloads the package, as a person would; the workflow runs the real ASL
 * with the real handlers on the emulators. Counted per request: state
 * transitions (from the execution's events), Lambda invocations and their
 * handler durations (tasks and API routes, timed around each handler), API
 * Gateway requests, DynamoDB request units, S3 requests and SES messages
 * (from the SDK calls, see sdk-meter.ts). Priced with aws-prices.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DEPLOYMENT, type EntryName, HTTP_FUNCTIONS, TASKS } from '../../functions/deployment';
import { type HttpHandler, type HttpHandlers, loadHttpHandlers } from '../../infra/local/http-server';
import { LOCAL_RATE_LIMIT_VARIABLE, type LocalSystem, startLocalSystem } from '../../infra/local/system';
import { loadTaskHandlers, type TaskHandler, type TaskHandlers } from '../../infra/local/workflow-runner';
import { costOf, type RequestCost, type RequestUsage } from './aws-prices';
import { DYNAMODB_READS, DYNAMODB_WRITES, type Meter, merged, startMetering, total } from './sdk-meter';

/** The request types the bench drives end to end with a seeded customer (a lift needs a restriction first). */
export const COSTED_TYPES = [
  'access',
  'delete',
  'opt_out',
  'rectify',
  'restrict',
  'withdraw_consent',
] as const;
export type CostedType = (typeof COSTED_TYPES)[number];

/** What the form adds for a type: a new postal address (no second code), one purpose. */
const FIELDS: Partial<Record<CostedType, object>> = {
  rectify: { corrections: { address: 'Jl. Cikini Raya No. 7, Jakarta 10330' } },
  withdraw_consent: { purposes: ['analytics'] },
};

/** One Lambda function's invocations during a request. */
export interface Invocations {
  readonly name: EntryName;
  readonly memoryMb: number;
  readonly count: number;
  readonly totalMs: number;
}

export interface RequestCostBench {
  readonly type: CostedType;
  readonly status: string;
  readonly wallMs: number;
  /** State transitions as Step Functions Standard bills them: states entered, plus retries. */
  readonly transitions: number;
  readonly retries: number;
  /** Task states entered, from the execution's events (should equal the task invocations). */
  readonly taskStates: number;
  readonly invocations: readonly Invocations[];
  readonly usage: RequestUsage;
  readonly cost: RequestCost;
  /**
   * The part of `cost` that grows with the subject's data: DynamoDB units and
   * S3 requests on the data map's own tables and buckets (its queries,
   * reads, deletes and rewrites). Everything else is per request.
   */
  readonly storeIo: RequestCost;
  /** `cost.total` less `storeIo.total`: what the issue's $0.001 goal prices. */
  readonly costExcludingStoreIo: number;
  /** Every SDK call by service and operation, for reading the figures. */
  readonly meter: Meter;
  /** The same calls on the data map's tables and buckets only. */
  readonly storeMeter: Meter;
  /** Calls and DynamoDB units by table or bucket, for reading where the fixed cost goes. */
  readonly byResource: Readonly<Record<string, { calls: number; units: number }>>;
}

interface Timed {
  count: number;
  totalMs: number;
}

/** Handlers that load the real ones on first call (the environment is set by then) and time each call. */
function timedHandlers(timings: Map<EntryName, Timed>) {
  const time = async <T>(name: EntryName, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await call();
    } finally {
      const t = timings.get(name) ?? { count: 0, totalMs: 0 };
      t.count += 1;
      t.totalMs += performance.now() - started;
      timings.set(name, t);
    }
  };
  let tasks: Promise<TaskHandlers> | undefined;
  let http: Promise<HttpHandlers> | undefined;
  const taskHandlers = Object.fromEntries(
    (Object.keys(TASKS) as (keyof typeof TASKS)[]).map((name) => {
      const handler: TaskHandler = async (payload: unknown, context: Context) => {
        tasks ??= loadTaskHandlers();
        const real = (await tasks)[name];
        return time(name, () => real(payload, context));
      };
      return [name, handler];
    }),
  ) as TaskHandlers;
  const httpHandlers = Object.fromEntries(
    (Object.keys(HTTP_FUNCTIONS) as (keyof typeof HTTP_FUNCTIONS)[]).map((name) => {
      const handler: HttpHandler = async (event, context) => {
        http ??= loadHttpHandlers();
        const real = (await http)[name];
        return time(name, () => real(event, context));
      };
      return [name, handler];
    }),
  ) as HttpHandlers;
  return { tasks: taskHandlers, http: httpHandlers };
}

interface SesEmail {
  readonly destination: { readonly to: string[] };
  readonly body: { readonly html?: string; readonly text?: string };
}

async function emailsAbout(system: LocalSystem, email: string, requestId: string): Promise<SesEmail[]> {
  const res = await fetch(`${system.urls.ses}/store`);
  const { emails } = (await res.json()) as { emails: SesEmail[] };
  return emails.filter(
    (e) =>
      e.destination.to.some((to) => to.toLowerCase() === email.toLowerCase()) &&
      `${e.body.html ?? ''}${e.body.text ?? ''}`.includes(requestId),
  );
}

async function until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const textOf = (e: SesEmail) => `${e.body.text ?? ''}\n${(e.body.html ?? '').replace(/<[^>]+>/g, ' ')}`;

/**
 * What a person does for one request: opens the form, submits, verifies with
 * the emailed code, waits for the outcome (the execution's end, so no status
 * polling is counted), reads the status page once and, for access, downloads
 * the package. Returns the request id, its final status, and S3 GETs made
 * outside the SDK (the presigned download).
 */
async function personRequests(
  system: LocalSystem,
  type: CostedType,
  email: string,
): Promise<{ requestId: string; status: string; presignedGets: number }> {
  const api = system.urls.api;
  await (await fetch(`${api}/`)).arrayBuffer();
  const submitted = await fetch(`${api}/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type, email, ...FIELDS[type] }),
  });
  if (submitted.status !== 202) throw new Error(`submit answered ${submitted.status}`);
  const { requestId, statusToken } = (await submitted.json()) as { requestId: string; statusToken: string };
  const verification = await until(
    async () => (await emailsAbout(system, email, requestId))[0],
    'the verification email',
  );
  const code = /(?<![\d-])(\d{6})(?![\d-])/.exec(textOf(verification))?.[1];
  if (!code) throw new Error('no code in the verification email');
  const verified = await fetch(`${api}/requests/${requestId}/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${statusToken}` },
    body: JSON.stringify({ code }),
  });
  if (verified.status !== 200) throw new Error(`verify answered ${verified.status}`);
  await system.runner.waitFor(requestId);
  const page = await fetch(`${api}/requests/${requestId}`, {
    headers: { authorization: `Bearer ${statusToken}` },
  });
  const { status } = (await page.json()) as { status: string };
  let presignedGets = 0;
  if (type === 'access' && status === 'completed') {
    const emails = await emailsAbout(system, email, requestId);
    const all = emails.map((e) => `${e.body.html ?? ''} ${e.body.text ?? ''}`).join(' ');
    const link = /https?:\/\/[^"'\s<>]+\/export\?token=[^"'\s<>]+/.exec(all)?.[0]?.replace(/&amp;/g, '&');
    if (!link) throw new Error('no export link in the emails');
    const redirect = await fetch(link, { redirect: 'manual' });
    const location = redirect.headers.get('location');
    if (redirect.status !== 302 || !location) throw new Error(`export link answered ${redirect.status}`);
    await (await fetch(location)).arrayBuffer();
    presignedGets = 1;
  }
  return { requestId, status, presignedGets };
}

/** Usage in billing units from what was counted. */
function usageOf(
  transitions: number,
  timings: ReadonlyMap<EntryName, Timed>,
  meter: Meter,
  presignedGets: number,
): { usage: RequestUsage; invocations: Invocations[] } {
  const invocations = [...timings.entries()].map(([name, t]) => ({
    name,
    // Unset = DsrFunction's house default.
    memoryMb: DEPLOYMENT[name].memoryMb ?? 256,
    count: t.count,
    totalMs: t.totalMs,
  }));
  const ddbReads = total(meter.dynamodb, (op) => DYNAMODB_READS.has(op));
  const ddbWrites = total(meter.dynamodb, (op) => DYNAMODB_WRITES.has(op));
  const s3Writes = total(meter.s3, (op) => /^(Put|Copy|Create|Upload|Complete|List)/.test(op));
  const s3Free = total(meter.s3, (op) => /^(Delete|Abort)/.test(op));
  const s3All = total(meter.s3);
  return {
    invocations,
    usage: {
      transitions,
      // Each invocation billed on its own duration: the average per function is enough at ms rounding.
      lambda: invocations.flatMap((i) =>
        Array.from({ length: i.count }, () => ({ memoryMb: i.memoryMb, ms: i.totalMs / i.count })),
      ),
      apiRequests: invocations.filter((i) => i.name in HTTP_FUNCTIONS).reduce((sum, i) => sum + i.count, 0),
      dynamodbReadUnits: ddbReads.units + ddbReads.unreported,
      dynamodbWriteUnits: ddbWrites.units + ddbWrites.unreported,
      s3WriteOrListRequests: s3Writes.calls,
      s3ReadRequests: s3All.calls - s3Writes.calls - s3Free.calls + presignedGets,
      sesMessages: total(meter.ses, (op) => op === 'SendEmail').recipients,
      secretsManagerCalls: total(meter.secrets).calls,
    },
  };
}

/**
 * Starts the local system once (a few seeded customers, a 1-second grace
 * period), runs one request of each of `types` for a different customer, one
 * after another, and measures each; with `warmUp`, one unmeasured request of
 * each type runs first so module loading and first-call costs stay out.
 */
export async function benchRequestCosts(
  types: readonly CostedType[],
  warmUp: boolean,
): Promise<RequestCostBench[]> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-bench-cost-'));
  const previous = process.env[LOCAL_RATE_LIMIT_VARIABLE];
  process.env[LOCAL_RATE_LIMIT_VARIABLE] = '1000';
  const timings = new Map<EntryName, Timed>();
  const system = await startLocalSystem({
    dataDir,
    port: 0,
    sesPort: 0,
    demoCustomers: 2 * types.length + 1,
    deleteGraceSeconds: 1,
    handlers: timedHandlers(timings),
  });
  // The data map's own tables and buckets, as the SDK meter keys them.
  const storeResources = system.dataMap.stores.flatMap((s) =>
    s.kind === 'dynamodb' ? [`dynamodb:${s.table}`] : s.kind === 's3' ? [`s3:${s.bucket}`] : [],
  );
  try {
    const customers = system.dataMap.stores.find((s) => s.id === 'customers');
    if (customers?.kind !== 'dynamodb') throw new Error('the demo data map has no customers table');
    const scanned = await system.clients.dynamodb.send(
      new ScanCommand({ TableName: customers.table, ProjectionExpression: 'email' }),
    );
    const emails = (scanned.Items ?? []).map((i) => String(i.email));
    if (emails.length < 2 * types.length) throw new Error('too few seeded customers');
    if (warmUp) {
      for (const [i, type] of types.entries())
        await personRequests(system, type, emails[types.length + i] ?? '');
    }
    const results: RequestCostBench[] = [];
    for (const [i, type] of types.entries()) {
      timings.clear();
      const stop = startMetering();
      const started = performance.now();
      let outcome: Awaited<ReturnType<typeof personRequests>>;
      let metered: ReturnType<typeof stop>;
      try {
        outcome = await personRequests(system, type, emails[i] ?? '');
      } finally {
        metered = stop();
      }
      const meter = metered.all;
      const storeMeter = merged(storeResources.flatMap((r) => metered.byResource[r] ?? []));
      const wallMs = performance.now() - started;
      const events = system.runner.describe(outcome.requestId).events;
      const entered = events.filter((e) => e.type === 'StateEntered');
      const retries = events.filter((e) => e.type === 'StateRetried').length;
      const transitions = entered.length + retries;
      const { usage, invocations } = usageOf(transitions, timings, meter, outcome.presignedGets);
      const cost = costOf(usage);
      const storeIo = costOf(usageOf(0, new Map(), storeMeter, 0).usage);
      results.push({
        type,
        status: outcome.status,
        wallMs,
        transitions,
        retries,
        taskStates: entered.filter((e) => 'state' in e && e.state.type === 'Task').length,
        invocations,
        usage,
        cost,
        storeIo,
        costExcludingStoreIo: cost.total - storeIo.total,
        meter,
        storeMeter,
        byResource: Object.fromEntries(
          Object.entries(metered.byResource).map(([resource, m]) => {
            const all = [total(m.dynamodb), total(m.s3)];
            return [
              resource,
              {
                calls: all.reduce((n, c) => n + c.calls, 0),
                units: all.reduce((n, c) => n + c.units + c.unreported, 0),
              },
            ];
          }),
        ),
      });
    }
    return results;
  } finally {
    await system.stop();
    if (previous === undefined) delete process.env[LOCAL_RATE_LIMIT_VARIABLE];
    else process.env[LOCAL_RATE_LIMIT_VARIABLE] = previous;
    await rm(dataDir, { recursive: true, force: true });
  }
}
