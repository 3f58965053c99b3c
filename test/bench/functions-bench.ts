/**
 * Cold-start cost of every deployable entry against its floor. Each entry of
 * `functions/deployment.ts` is bundled the way the CDK's NodejsFunction
 * bundles it (infra/constructs/dsr-function.ts: esbuild, node24, cjs, ES module
 * builds first, minify, source map beside it, SDK bundled, data map defined), and so is its floor: a
 * bundle of only the `@aws-sdk/client-*` packages the entry's declared access
 * needs (the registry's `access`: what it may touch in AWS, not what its bundle
 * happens to import). Each bundle is then loaded with `require` in a fresh
 * `node`, just after its floor, several rounds (more while a time budget lasts), and the
 * medians and minimums kept.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { DATA_MAP_DEFINE } from '../../functions/aws/config';
import { type Access, DEPLOYMENT, type EntryName } from '../../functions/deployment';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** One entry's bundle and its floor, measured in the same run. */
export interface FunctionBench {
  readonly name: EntryName;
  readonly memoryMb: number;
  /** Bytes of the minified `index.js` (the source map ships beside it and is not loaded). */
  readonly bytes: number;
  /** Median ms of `require('index.js')` in a fresh node. */
  readonly initMs: number;
  /** The fastest of those loads: the least disturbed by other work on the machine. */
  readonly initMinMs: number;
  /** Median CPU ms of the process during those loads (not inflated by waiting for a core). */
  readonly initCpuMs: number;
  /** The SDK client packages its declared access needs (the floor's), e.g. `client-dynamodb`. */
  readonly clients: readonly string[];
  /** The SDK client packages its bundle holds. */
  readonly bundledClients: readonly string[];
  readonly floorBytes: number;
  /** Median ms of the floor's `require`, over the loads made just before this function's. */
  readonly floorMs: number;
  /** The fastest of those floor loads. */
  readonly floorMinMs: number;
  /** Median CPU ms of those floor loads. */
  readonly floorCpuMs: number;
  /** Loads of each (rounds run). */
  readonly rounds: number;
  /**
   * What the bundle holds beyond its floor, biggest first: output bytes by npm
   * package (or project folder for our code), less that package's bytes in the floor.
   */
  readonly overFloor: readonly { readonly input: string; readonly bytes: number }[];
}

/** The options `DsrFunction`'s `bundling` gives the CDK, which runs esbuild with them (see aws-lambda-nodejs). */
const CDK_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  external: [],
  metafile: true,
  logLevel: 'silent',
  absWorkingDir: REPO_ROOT,
} as const satisfies BuildOptions;

type SdkClient =
  | 'client-dynamodb'
  | 'client-s3'
  | 'client-secrets-manager'
  | 'client-sesv2'
  | 'client-sfn'
  | 'client-ssm';

/**
 * The SDK clients an access needs in AWS. Exhaustive, so a new access must say.
 * Store access reaches every kind of store the data map holds.
 */
function clientsFor(storeKinds: ReadonlySet<string>): Record<Access, readonly SdkClient[]> {
  const stores: SdkClient[] = [
    ...(storeKinds.has('dynamodb') ? (['client-dynamodb'] as const) : []),
    ...(storeKinds.has('s3') ? (['client-s3'] as const) : []),
  ];
  return {
    'ledger:read': ['client-dynamodb'],
    'ledger:write': ['client-dynamodb'],
    'secret:read': ['client-secrets-manager'],
    'mail:send': ['client-sesv2'],
    'exports:read': ['client-s3'],
    'certificates:read': ['client-s3'],
    'exports:write': ['client-s3'],
    'stores:read': stores,
    'stores:write': stores,
    'audit:write': ['client-s3'],
    'stores:consent': ['client-dynamodb'],
    'stores:change': ['client-dynamodb'],
    'suppression:write': ['client-dynamodb'],
    'contacts:write': ['client-sesv2'],
    'processors:secret': ['client-secrets-manager'],
    'workflow:start': ['client-sfn'],
    'workflow:callback': ['client-sfn'],
    'limits:write': ['client-dynamodb'],
    'idempotency:write': ['client-dynamodb'],
    'mail:support': [],
    'audit:append': ['client-dynamodb'],
    'audit:heads': ['client-dynamodb', 'client-s3'],
    'automation:caller': ['client-ssm'],
  };
}

/** `client-x` for an input path inside `@aws-sdk/client-x`, else undefined. */
const clientPackageOf = (input: string): string | undefined =>
  /(?:^|\/)node_modules\/@aws-sdk\/(client-[^/]+)\//.exec(input)?.[1];

/** What a bundle input belongs to: its npm package, or the project folder it lives in. */
function ownerOf(input: string): string {
  const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (pkg?.[1]) return pkg[1];
  return input.split('/').slice(0, 2).join('/');
}

/** Output bytes of one bundle by owner (package or project folder), biggest first. */
function bytesByOwner(output: Metafile['outputs'][string]): { input: string; bytes: number }[] {
  const byOwner = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const owner = ownerOf(input);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + bytesInOutput);
  }
  return [...byOwner.entries()].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * ms to `require` the bundle, timed inside a fresh node (process start-up excluded): the wall time,
 * and the CPU time of the process meanwhile, which waiting for a core on a busy machine does not inflate.
 */
async function loadMs(file: string): Promise<{ wall: number; cpu: number }> {
  const script = `const c=process.cpuUsage(),t=performance.now();require(${JSON.stringify(file)});const w=performance.now()-t,u=process.cpuUsage(c);process.stdout.write(w+' '+(u.user+u.system)/1000)`;
  // Bare environment: module load must not depend on the function's variables (those are read per invocation).
  const { stdout } = await run(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'ap-southeast-3' },
  });
  const [wall, cpu] = stdout.split(' ').map(Number);
  return { wall: wall ?? Number.NaN, cpu: cpu ?? Number.NaN };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** How many rounds of loads to run: at least `min`, at most `max`, past `min` only while `budgetMs` lasts. */
export interface FunctionRounds {
  readonly min: number;
  readonly max: number;
  readonly budgetMs: number;
}

/**
 * Bundles every entry and its floor, then loads each in fresh processes, round
 * after round (entries and floors interleaved per round, so load on the shared
 * machine hits both alike), and returns medians and minimums.
 */
export async function benchFunctions(rounds: FunctionRounds): Promise<FunctionBench[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dsr-bench-functions-'));
  try {
    const dataMap = loadDemoDataMap();
    const define = { [DATA_MAP_DEFINE]: JSON.stringify(JSON.stringify(dataMap)) };
    const names = Object.keys(DEPLOYMENT) as EntryName[];
    // One esbuild call for every entry: each output is still a whole bundle (no splitting), and inputs parse once.
    const result = await build({
      ...CDK_BUILD_OPTIONS,
      define,
      outdir: dir,
      entryPoints: Object.fromEntries(names.map((name) => [`${name}/index`, DEPLOYMENT[name].entry])),
    });
    const meta = result.metafile;
    const needs = clientsFor(new Set(dataMap.stores.map((s) => s.kind)));
    const built = await Promise.all(
      names.map(async (name) => {
        const outfile = path.join(dir, name, 'index.js');
        const output = Object.entries(meta.outputs).find(
          ([file]) => path.resolve(REPO_ROOT, file) === outfile,
        )?.[1];
        if (!output) throw new Error(`esbuild wrote no bundle for ${name}`);
        const owners = bytesByOwner(output);
        return {
          name,
          outfile,
          bytes: (await stat(outfile)).size,
          clients: [...new Set(DEPLOYMENT[name].access.flatMap((a) => needs[a]))].sort(),
          bundledClients: owners.flatMap((o) => clientPackageOf(`node_modules/${o.input}/`) ?? []).sort(),
          owners,
        };
      }),
    );
    // One floor per distinct set of clients, built with the same options.
    const floors = new Map<string, { outfile: string; bytes: number; owners: Map<string, number> }>();
    for (const key of new Set(built.map((b) => b.clients.join('+')))) {
      const outfile = path.join(dir, `floor-${key || 'none'}`, 'index.js');
      // Re-exports keep each client package whole in the bundle (every command), whatever a function imports.
      const contents = (key ? key.split('+') : [])
        .map((c, i) => `export * as c${i} from '@aws-sdk/${c}';`)
        .join('\n');
      const floor = await build({
        ...CDK_BUILD_OPTIONS,
        define,
        outfile,
        stdin: { contents, resolveDir: REPO_ROOT, sourcefile: 'floor.js' },
      });
      const output = Object.values(floor.metafile.outputs).find((o) => o.entryPoint !== undefined);
      const owners = new Map((output ? bytesByOwner(output) : []).map((o) => [o.input, o.bytes]));
      floors.set(key, { outfile, bytes: (await stat(outfile)).size, owners });
    }
    // Round by round, each floor is loaded and then, at once, the functions measured against it; a
    // function's floorMs is the median of the loads next to its own, so a burst of other work on the
    // shared machine tends to hit a function and its floor alike (and no load is added for it).
    const times = new Map<string, { fn: number[]; floor: number[]; fnCpu: number[]; floorCpu: number[] }>();
    const started = performance.now();
    let ran = 0;
    // More rounds steady the medians; the budget keeps a loaded machine from stretching the whole bench.
    while (ran < rounds.min || (ran < rounds.max && performance.now() - started < rounds.budgetMs)) {
      ran++;
      for (const [key, floor] of floors) {
        const floorLoad = await loadMs(floor.outfile);
        for (const b of built.filter((x) => x.clients.join('+') === key)) {
          const pair = times.get(b.name) ?? { fn: [], floor: [], fnCpu: [], floorCpu: [] };
          const load = await loadMs(b.outfile);
          pair.fn.push(load.wall);
          pair.fnCpu.push(load.cpu);
          pair.floor.push(floorLoad.wall);
          pair.floorCpu.push(floorLoad.cpu);
          times.set(b.name, pair);
        }
      }
    }
    return built.map((b): FunctionBench => {
      const floor = floors.get(b.clients.join('+'));
      if (!floor) throw new Error(`no floor built for ${b.name}`);
      return {
        name: b.name,
        // Unset = DsrFunction's house default.
        memoryMb: DEPLOYMENT[b.name].memoryMb ?? 256,
        bytes: b.bytes,
        initMs: median(times.get(b.name)?.fn ?? []),
        initMinMs: Math.min(...(times.get(b.name)?.fn ?? [])),
        initCpuMs: median(times.get(b.name)?.fnCpu ?? []),
        clients: b.clients,
        bundledClients: b.bundledClients,
        floorBytes: floor.bytes,
        floorMs: median(times.get(b.name)?.floor ?? []),
        floorMinMs: Math.min(...(times.get(b.name)?.floor ?? [])),
        floorCpuMs: median(times.get(b.name)?.floorCpu ?? []),
        rounds: ran,
        overFloor: b.owners
          .map((o) => ({ input: o.input, bytes: o.bytes - (floor.owners.get(o.input) ?? 0) }))
          .filter((o) => o.bytes > 0)
          .sort((x, y) => y.bytes - x.bytes)
          .slice(0, 8),
      };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
