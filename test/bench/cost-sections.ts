/**
 * The `functions` and `cost` sections of `npm run bench`: they print their
 * tables and return the figures the results file keeps.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PRICE_REGION, PRICES, PRICES_TAKEN } from './aws-prices';
import { benchFunctions, type FunctionBench, type FunctionRounds } from './functions-bench';
import { COSTED_TYPES, type CostedType, type RequestCostBench } from './request-cost-bench';
import type { BenchSummary } from './results';

const kb = (bytes: number) => `${Math.round(bytes / 1024)}`;
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '-');
const pad = (s: string | number, n: number) => String(s).padEnd(n);
const usd = (n: number) => n.toFixed(7);

/** Prints one line per function (bundle against its floor) and what fills the furthest ones. */
export async function functionsSection(
  rounds: FunctionRounds,
): Promise<{ summary: BenchSummary; details: FunctionBench[] }> {
  const results = await benchFunctions(rounds);
  console.log(
    `functions (each registry entry bundled as the CDK does; floor = only the SDK clients its access needs, same options; require() in a fresh node, each just after its floor, ${results[0]?.rounds ?? 0} rounds: median and min wall ms, median CPU ms)`,
  );
  console.log(
    `${pad('function', 24)}${pad('MB', 6)}${pad('KiB', 7)}${pad('init ms', 9)}${pad('min', 6)}${pad('cpu', 6)}${pad('floor KiB', 11)}${pad('floor ms', 10)}${pad('min', 6)}${pad('cpu', 6)}${pad('×size', 7)}${pad('×init', 7)}${pad('×min', 7)}${pad('×cpu', 7)}floor clients`,
  );
  for (const f of results) {
    // A function that needs no SDK client has an empty floor: no ratio means anything there.
    const [bytesRatio, msRatio, minRatio, cpuRatio] =
      f.clients.length > 0
        ? [
            ratio(f.bytes, f.floorBytes),
            ratio(f.initMs, f.floorMs),
            ratio(f.initMinMs, f.floorMinMs),
            ratio(f.initCpuMs, f.floorCpuMs),
          ]
        : ['-', '-', '-', '-'];
    console.log(
      `${pad(f.name, 24)}${pad(f.memoryMb, 6)}${pad(kb(f.bytes), 7)}${pad(f.initMs.toFixed(0), 9)}${pad(f.initMinMs.toFixed(0), 6)}${pad(f.initCpuMs.toFixed(0), 6)}${pad(kb(f.floorBytes), 11)}${pad(f.floorMs.toFixed(0), 10)}${pad(f.floorMinMs.toFixed(0), 6)}${pad(f.floorCpuMs.toFixed(0), 6)}${pad(bytesRatio, 7)}${pad(msRatio, 7)}${pad(minRatio, 7)}${pad(cpuRatio, 7)}${f.clients.join(' ') || '(none: no SDK)'}`,
    );
  }
  const beyondAccess = results.flatMap((f) => {
    const extra = f.bundledClients.filter((c) => !f.clients.includes(c));
    return extra.length > 0 ? [`${f.name} (${extra.join(' ')})`] : [];
  });
  console.log(`SDK clients bundled beyond a function's access: ${beyondAccess.join(', ') || 'none'}`);
  console.log('furthest from the floor in load time, and what they hold beyond it (KiB):');
  const furthest = [...results]
    .filter((f) => f.clients.length > 0)
    .sort((a, b) => b.initMs / b.floorMs - a.initMs / a.floorMs)
    .slice(0, 4);
  for (const f of [...furthest, ...results.filter((r) => r.clients.length === 0)]) {
    console.log(`  ${pad(f.name, 22)}${f.overFloor.map((t) => `${t.input} ${kb(t.bytes)}`).join(', ')}`);
  }
  return {
    summary: {
      functions: results.map((f) => ({
        name: f.name,
        bytes: f.bytes,
        initMs: f.initMs,
        floorBytes: f.floorBytes,
        floorMs: f.floorMs,
      })),
    },
    details: results,
  };
}

/** Which request types to cost: `BENCH_COST_TYPES` (comma-separated), default every type the bench drives. */
function costedTypes(): CostedType[] {
  const raw = process.env.BENCH_COST_TYPES;
  if (!raw) return [...COSTED_TYPES];
  const types = raw.split(',').map((t) => t.trim());
  const unknown = types.filter((t) => !(COSTED_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) throw new Error(`BENCH_COST_TYPES: unknown ${unknown.join(', ')}`);
  return types as CostedType[];
}

/** Runs the cost bench in a fresh process (see request-cost-child.ts), its output passed through. */
async function inChildProcess(types: readonly CostedType[], warmUp: boolean): Promise<RequestCostBench[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dsr-bench-cost-out-'));
  try {
    const out = path.join(dir, 'cost.json');
    const child = path.join(__dirname, 'request-cost-child.ts');
    const run = promisify(execFile);
    const { stderr } = await run(
      process.execPath,
      ['--import', 'tsx', child, out, types.join(','), warmUp ? '1' : '0'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    if (stderr.trim()) console.error(stderr.trim());
    return JSON.parse(await readFile(out, 'utf8')) as RequestCostBench[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Prints transitions, invocations and the priced usage of one request of each type. */
export async function costSection(
  warmUp: boolean,
): Promise<{ summary: BenchSummary; details: RequestCostBench[] }> {
  const results = await inChildProcess(costedTypes(), warmUp);
  console.log(
    `cost per request (local system, one seeded customer per type${warmUp ? ', after one warm-up request of each type' : ''}; ${PRICE_REGION} list prices of ${PRICES_TAKEN}, see docs/PERFORMANCE.md)`,
  );
  console.log(
    `${pad('type', 17)}${pad('status', 11)}${pad('transitions', 13)}${pad('λ calls', 9)}${pad('λ GB-s', 9)}${pad('API', 5)}${pad('DDB RRU', 9)}${pad('DDB WRU', 9)}${pad('S3 put/list', 13)}${pad('S3 get', 8)}${pad('emails', 8)}${pad('USD', 11)}USD less store I/O`,
  );
  for (const r of results) {
    const u = r.usage;
    const gbs = u.lambda.reduce((s, i) => s + (i.memoryMb / 1024) * (Math.ceil(i.ms) / 1000), 0);
    console.log(
      `${pad(r.type, 17)}${pad(r.status, 11)}${pad(`${r.transitions}${r.retries ? ` (${r.retries} retries)` : ''}`, 13)}${pad(u.lambda.length, 9)}${pad(gbs.toFixed(3), 9)}${pad(u.apiRequests, 5)}${pad(u.dynamodbReadUnits, 9)}${pad(u.dynamodbWriteUnits, 9)}${pad(u.s3WriteOrListRequests, 13)}${pad(u.s3ReadRequests, 8)}${pad(u.sesMessages, 8)}${pad(usd(r.cost.total), 11)}${usd(r.costExcludingStoreIo)}`,
    );
  }
  console.log('USD by line:');
  for (const r of results) {
    const c = r.cost;
    console.log(
      `  ${pad(r.type, 17)}Step Functions ${usd(c.stepFunctions)}  Lambda ${usd(c.lambdaDuration + c.lambdaRequests)}  API Gateway ${usd(c.apiGateway)}  DynamoDB ${usd(c.dynamodb)} (stores ${usd(r.storeIo.dynamodb)})  S3 ${usd(c.s3)} (stores ${usd(r.storeIo.s3)})  SES ${usd(c.ses)}  Secrets ${usd(c.secretsManager)}`,
    );
  }
  console.log('Lambda invocations (count × mean handler ms @ MB):');
  for (const r of results) {
    console.log(
      `  ${pad(r.type, 17)}${r.invocations.map((i) => `${i.name} ${i.count}×${(i.totalMs / i.count).toFixed(0)}@${i.memoryMb}`).join(', ')}`,
    );
  }
  // The goal leaves out what grows with the data: the I/O on the data map's own stores.
  const over = results.filter((r) => r.transitions > 45 || r.costExcludingStoreIo > 0.001);
  const overWithData = results.filter((r) => r.cost.total > 0.001).map((r) => r.type);
  const sfnBudget = Math.floor(0.001 / PRICES.sfnTransition);
  console.log(
    `goal ≤ 45 transitions and ≤ $0.001 less store I/O: ${over.length === 0 ? 'met by every type' : `not met by ${over.map((r) => r.type).join(', ')}`} (with store I/O over $0.001: ${overWithData.join(', ') || 'none'}; $0.001 buys ${sfnBudget} transitions alone at this price)`,
  );
  return {
    summary: {
      transitions: Object.fromEntries(results.map((r) => [r.type, r.transitions])),
      costPerRequestUsd: Object.fromEntries(results.map((r) => [r.type, r.costExcludingStoreIo])),
      costWithStoreIoUsd: Object.fromEntries(results.map((r) => [r.type, r.cost.total])),
    },
    details: results,
  };
}
