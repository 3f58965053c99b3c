/**
 * The whole system on this machine: emulators, resources created from the
 * same definitions the CDK uses, the workflow runner behind a Step Functions
 * endpoint, and the API, with the real handlers loaded after the environment
 * they read is in place.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV, type EnvKey } from '../../functions/aws/config';
import { keyFromText } from '../../functions/aws/secrets';
import {
  bindStores,
  type DataMap,
  isDataStore,
  isProcessor,
  type ProcessorStore,
  parseDataMap,
} from '../../functions/core/data-map';
import { certificateHtmlKey, certificateJsonKey } from '../../functions/core/export/keys';
import { RequestId } from '../../functions/core/request';
import {
  deploymentEnvironment,
  EVENTS,
  type EventName,
  type RateLimitSetting,
} from '../../functions/deployment';
import {
  AUDIT_TABLE,
  createTableInput,
  DEMO_TABLES,
  IDEMPOTENCY_TABLE,
  LEDGER_TABLE,
  RATE_LIMIT_TABLE,
  SUPPRESSION_TABLE,
  type TableDefinition,
} from '../definitions/tables';
import { localConsole } from './console-page';
import { DEMO_DATA_MAP_FILE } from './demo-data-map';
import { emulatorEnvironment, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from './emulators';
import {
  FAULT_SERVICES,
  type FaultProxy,
  type FaultRates,
  type FaultService,
  parseFaults,
  seededRandom,
  startFaultProxy,
} from './faults';
import { loadHandlers } from './handlers';
import { type HttpHandlers, loadHttpHandlers, startHttpServer } from './http-server';
import type { ProcessorRole } from './processors/holdings';
import {
  type ProcessorSimulators,
  type SimulatedProcessor,
  startProcessorSimulators,
  webhookPath,
} from './processors/simulators';
import { startSfnEndpoint } from './sfn-endpoint';
import {
  type ExecutionRecord,
  LOCAL_STATE_MACHINE_ARN,
  loadTaskHandlers,
  type TaskHandlers,
  WorkflowRunner,
} from './workflow-runner';

export const LEDGER_TABLE_NAME = 'dsr-ledger';
export const RATE_LIMIT_TABLE_NAME = 'dsr-rate-limits';
export const IDEMPOTENCY_TABLE_NAME = 'dsr-idempotency';
/** Opted-out subjects by keyed hash (and one-click token markers). */
export const SUPPRESSION_TABLE_NAME = 'dsr-suppression';
/** The requests' audit hash chains (owner: audit); the audit bucket has the same name in S3. */
/** Where the local runtime writes its functions' environment (for the support CLI). */
export const FUNCTION_ENVIRONMENT_FILE = 'environment.json';
export const AUDIT_TABLE_NAME = 'dsr-audit';
/**
 * Raises every rate-limit budget of the local runtime (tests: they submit and verify many
 * requests from 127.0.0.1; a person experimenting). Unset, `npm start` enforces the same
 * budgets as a deployment (the functions' defaults, e.g. 20 submissions per IP per 10 minutes).
 */
export const LOCAL_RATE_LIMIT_VARIABLE = 'DSR_LOCAL_RATE_LIMIT';
export const EXPORT_BUCKET_NAME = 'dsr-exports';
/** Certificates of erasure; a plain local bucket (Object Lock exists only in the CDK stack). */
export const AUDIT_BUCKET_NAME = 'dsr-audit';
/** A delete's grace period on this machine, unless the functions' grace-period variable or the option says otherwise. */
export const LOCAL_DELETE_GRACE_SECONDS = 30;
/** The processor simulators' port for `npm start`, unless PROCESSOR_PORT says otherwise. */
export const LOCAL_PROCESSOR_PORT = 3100;
/** Where escalations about processors that did not acknowledge go (the local mailbox shows them). */
export const LOCAL_SUPPORT_EMAIL = 'support@impor.in.example';
const SEEDED_MARKER = 'seeded.json';

export interface LocalSystemOptions {
  readonly dataDir: string;
  /** API and form; 0 = any free port. */
  readonly port: number;
  /** SES mailbox page and `/store`; 0 = any free port. */
  readonly sesPort: number;
  readonly sfnPort?: number;
  /** Demo customers seeded on first start. */
  readonly demoCustomers: number;
  /** false = skip seeding the demo population. */
  readonly seed?: boolean;
  /** Replace the real handlers (tests). */
  readonly handlers?: { readonly tasks?: TaskHandlers; readonly http?: HttpHandlers };
  /** Shorten Task timeouts, e.g. `{ RequestVerification: 5 }` (tests). */
  readonly taskTimeoutOverrides?: Readonly<Record<string, number>>;
  readonly retryIntervalMs?: number;
  /** Grace period of delete requests in seconds (tests: short); default the environment's, else 30. */
  readonly deleteGraceSeconds?: number;
  /** Rate-limit budgets (tests of the limits); unset ones come from the environment, else the deployment's defaults. */
  readonly rateLimits?: LocalRateLimits;
  /**
   * The processor simulators' port; default PROCESSOR_PORT, else 0 = any free port, so test
   * files running side by side never collide (`npm start` passes 3100).
   */
  readonly processorPort?: number;
  /** Replaces every processor's `acknowledgeWithinSeconds` (tests of escalation: a few seconds). */
  readonly processorAckSeconds?: number;
  /** Jurisdictions whose respond clock starts at verification (`EU`); default the environment's, else none. */
  readonly clockStartAtVerification?: string;
  /** Replaces every processor's retry base delay in ms (tests: small, so retries take no time). */
  readonly processorRetryBaseDelayMs?: number;
  readonly log?: (line: string) => void;
  /**
   * Fails this fraction of the functions' calls per service the way the service
   * fails (see `faults.ts`); default `DSR_FAULTS`, else none. Seeded by `faultSeed`, else `DSR_FAULT_SEED`, else 1.
   */
  readonly faults?: FaultRates;
  readonly faultSeed?: number;
}

/** Budgets per window (the windows themselves come from the environment or the functions' defaults). */
export interface LocalRateLimits {
  readonly submitPerIp?: number;
  /** Verified requests per person and type (unverified ones never count). */
  readonly submitPerSubject?: number;
  /** Verify, cancel and resend attempts per client IP. */
  readonly verifyPerIp?: number;
  /** Code attempts per person (keyed hash) and type across requests. */
  readonly verifyPerSubject?: number;
}

/**
 * Rate-limit budgets: the option, else the function's own variable, else
 * `DSR_LOCAL_RATE_LIMIT`, else none (the functions' defaults: the deployment's numbers).
 */
function rateLimitValues(limits: LocalRateLimits = {}): Partial<Record<RateLimitSetting, string>> {
  const raised = process.env[LOCAL_RATE_LIMIT_VARIABLE];
  const pick = (setting: RateLimitSetting, value: number | undefined) => {
    const name = ENV[setting];
    const given = value ?? (process.env[name] || raised ? Number(process.env[name] || raised) : undefined);
    if (given === undefined) return {};
    if (!Number.isInteger(given) || given < 1) throw new Error(`${name} must be a whole number, 1 or more`);
    return { [setting]: String(given) };
  };
  return {
    ...pick('limitSubmitPerIp', limits.submitPerIp),
    ...pick('limitSubmitPerSubject', limits.submitPerSubject),
    ...pick('limitVerifyPerIp', limits.verifyPerIp),
    ...pick('limitVerifyPerSubject', limits.verifyPerSubject),
  };
}

export interface LocalSystemUrls {
  readonly api: string;
  readonly form: string;
  readonly health: string;
  readonly executions: string;
  /** `<certificates>/<requestId>` (HTML) or `<requestId>.json`: a delete's certificate of erasure. */
  readonly certificates: string;
  readonly mailbox: string;
  readonly mailboxJson: string;
  readonly dynamodb: string;
  readonly s3: string;
  readonly ses: string;
  readonly sfn: string;
  /** The processor simulators: `GET <processors>/processors`, `<processors>/processors/<id>/received`. */
  readonly processors: string;
}

/** Where things a person may want to look at live on disk. */
export interface LocalSystemPaths {
  /** s3rver's directory of the audit bucket: `certificates/<requestId>/certificate.{json,html}` (s3rver adds `._S3rver_object`). */
  readonly certificates: string;
}

export interface LocalSystem {
  readonly urls: LocalSystemUrls;
  readonly dataMap: DataMap;
  readonly paths: LocalSystemPaths;
  /** The delete grace period in effect, in seconds. */
  readonly deleteGraceSeconds: number;
  readonly runner: WorkflowRunner;
  /** SDK clients pointed at the emulators (for seeding and tests). */
  readonly clients: { readonly dynamodb: DynamoDBDocumentClient; readonly s3: S3Client };
  /** The demo processors every processor of the data map is bound to. */
  readonly processors: ProcessorSimulators;
  /** `<dataDir>/processor-secrets`: each processor's HMAC secret as `<id>.key` (hex). */
  readonly processorSecretsDir: string;
  /** Whether this start seeded the demo population. */
  readonly seeded: boolean;
  /**
   * Hands an SES event (as EventBridge delivers a bounce or complaint) to the MailFeedback function,
   * as the stack's rule does: the SES emulator never bounces, so tests and demos bring their own.
   */
  deliverMailEvent(event: unknown): Promise<unknown>;
  /** Calls passed on and failed by each fault proxy (empty without fault injection). */
  readonly faults: Readonly<Partial<Record<FaultService, FaultProxy['counts']>>>;
  stop(): Promise<void>;
}

/** This machine's tables, by the registry's environment key that names them (definitions shared with the CDK). */
const LOCAL_TABLES = {
  ledgerTable: { name: LEDGER_TABLE_NAME, definition: LEDGER_TABLE },
  rateLimitTable: { name: RATE_LIMIT_TABLE_NAME, definition: RATE_LIMIT_TABLE },
  idempotencyTable: { name: IDEMPOTENCY_TABLE_NAME, definition: IDEMPOTENCY_TABLE },
  suppressionTable: { name: SUPPRESSION_TABLE_NAME, definition: SUPPRESSION_TABLE },
  auditTable: { name: AUDIT_TABLE_NAME, definition: AUDIT_TABLE },
} as const satisfies Partial<Record<EnvKey, { name: string; definition: TableDefinition }>>;
/** This machine's buckets, likewise. */
const LOCAL_BUCKETS = {
  exportBucket: EXPORT_BUCKET_NAME,
  auditBucket: AUDIT_BUCKET_NAME,
} as const satisfies Partial<Record<EnvKey, string>>;

/** The local names of the tables and buckets, as values of the registry's environment. */
function localResourceNames(): Partial<Record<EnvKey, string>> {
  return {
    ...Object.fromEntries(Object.entries(LOCAL_TABLES).map(([key, table]) => [key, table.name])),
    ...LOCAL_BUCKETS,
  };
}

/** The hashing secret: created once (32 random bytes, hex, owner-only) and kept across restarts. */
async function ensureSecretFile(file: string): Promise<void> {
  if (existsSync(file)) return;
  await writeFile(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
}

/**
 * A data dir from an older version may lack indexes added since. dynalite cannot
 * add an index to an existing table, so say plainly what to do instead of failing later.
 */
async function checkIndexes(raw: DynamoDBClient, name: string, def: TableDefinition): Promise<void> {
  const table = await raw.send(new DescribeTableCommand({ TableName: name }));
  const existing = new Set((table.Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  const missing = (def.globalSecondaryIndexes ?? []).filter((g) => !existing.has(g.indexName));
  if (missing.length > 0) {
    throw new Error(
      `the local table ${name} was created by an older version and lacks the index ${missing.map((g) => g.indexName).join(', ')}; stop, remove the local data directory (.local) and start again`,
    );
  }
}

/**
 * Creates what the system needs on the emulators from the CDK's own definitions:
 * the ledger and guard tables, the exports and audit buckets, and every data
 * store of the map (buckets versioned, as in AWS). Existing ones are kept.
 */
export async function createResources(
  clients: LocalSystem['clients'],
  raw: DynamoDBClient,
  dataMap: DataMap,
): Promise<void> {
  const read = new Set(Object.keys(deploymentEnvironment(localResourceNames())));
  const tables: [string, TableDefinition][] = Object.entries(LOCAL_TABLES)
    .filter(([key]) => read.has(ENV[key as keyof typeof LOCAL_TABLES]))
    .map(([, table]) => [table.name, table.definition]);
  const buckets = new Set<string>(
    Object.entries(LOCAL_BUCKETS)
      .filter(([key]) => read.has(ENV[key as keyof typeof LOCAL_BUCKETS]))
      .map(([, name]) => name),
  );
  // The data map's buckets are versioned, as in AWS: erasure must remove old versions too.
  const versioned = new Set<string>();
  for (const store of dataMap.stores.filter(isDataStore)) {
    if (store.kind === 'dynamodb') {
      const def = DEMO_TABLES[store.id];
      if (!def) throw new Error(`no table definition for demo store ${store.id}`);
      tables.push([store.table, def]);
    } else {
      buckets.add(store.bucket);
      versioned.add(store.bucket);
    }
  }
  for (const [name, def] of tables) {
    try {
      await raw.send(new CreateTableCommand(createTableInput(name, def)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await checkIndexes(raw, name, def);
    }
  }
  for (const bucket of buckets) {
    try {
      await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (!(error instanceof BucketAlreadyOwnedByYou) && name !== 'BucketAlreadyExists') throw error;
    }
  }
  for (const bucket of versioned) {
    await clients.s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
}

function executionView(e: ExecutionRecord, withEvents: boolean) {
  return {
    name: e.name,
    executionArn: e.executionArn,
    status: e.status,
    startDate: e.startDate.toISOString(),
    stopDate: e.stopDate?.toISOString(),
    error: e.error,
    ...(withEvents
      ? {
          events: e.events.map((event) => ({
            type: event.type,
            timestamp: new Date(event.timestamp).toISOString(),
            ...('state' in event ? { state: event.state.name } : {}),
            ...('Error' in event ? { error: event.Error } : {}),
          })),
        }
      : {}),
  };
}

/**
 * `GET /local/executions/<name>`: what support would see in the console (no
 * inputs or outputs). No listing: on the API's port it would hand every
 * request id to anyone; the list is ListExecutions on the local SFN endpoint.
 */
function inspection(runner: WorkflowRunner) {
  return (req: IncomingMessage, url: URL, res: ServerResponse): boolean => {
    const match = /^\/local\/executions\/([A-Za-z0-9_-]+)\/?$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) return false;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body, null, 2));
    };
    try {
      send(200, executionView(runner.describe(match[1] ?? ''), true));
    } catch {
      send(404, { message: 'execution not found' });
    }
    return true;
  };
}

/**
 * `GET /local/certificates/<requestId>[.json]`: the certificate of erasure from
 * the audit bucket, readable in a browser (in AWS it sits in the Object Lock bucket).
 */
function certificates(s3: S3Client) {
  return (req: IncomingMessage, url: URL, res: ServerResponse): boolean => {
    const match = /^\/local\/certificates\/([^/.]+)(\.json)?\/?$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) return false;
    const id = RequestId.safeParse(match[1]);
    const fail = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message }));
    };
    if (!id.success) {
      fail(404, 'no such certificate');
      return true;
    }
    const json = match[2] === '.json';
    const key = json ? certificateJsonKey(id.data) : certificateHtmlKey(id.data);
    s3.send(new GetObjectCommand({ Bucket: AUDIT_BUCKET_NAME, Key: key }))
      .then(async (out) => {
        const body = (await out.Body?.transformToString('utf8')) ?? '';
        res.writeHead(200, {
          'content-type': json ? 'application/json' : 'text/html; charset=utf-8',
          'cache-control': 'no-store',
        });
        res.end(body);
      })
      .catch((error: unknown) => {
        const name = error instanceof Error ? error.name : '';
        fail(name === 'NoSuchKey' ? 404 : 500, name === 'NoSuchKey' ? 'no such certificate' : 'read failed');
      });
    return true;
  };
}

/** Which demo processor simulates a processor: the payment gateway for payment processors, else the logistics company. */
function roleOf(store: ProcessorStore): ProcessorRole {
  return /pay/i.test(`${store.id} ${store.name}`) ? 'payments' : 'logistics';
}

/**
 * The data map the functions get (in their environment): the configured one, with the
 * tests' shorter processor deadlines and retry delays when asked for.
 */
function localDataMapJson(
  raw: unknown,
  options: Pick<LocalSystemOptions, 'processorAckSeconds' | 'processorRetryBaseDelayMs'>,
): unknown {
  const { processorAckSeconds: ack, processorRetryBaseDelayMs: delay } = options;
  if (ack === undefined && delay === undefined) return raw;
  const map = raw as { stores: Record<string, unknown>[] };
  return {
    ...map,
    stores: map.stores.map((store) => {
      if (store.kind !== 'processor') return store;
      const retry = (store.retry as { attempts?: number } | undefined) ?? {};
      return {
        ...store,
        ...(ack !== undefined ? { acknowledgeWithinSeconds: ack } : {}),
        ...(delay !== undefined ? { retry: { attempts: retry.attempts ?? 4, baseDelayMs: delay } } : {}),
      };
    }),
  };
}

/** Each processor's shared HMAC secret: created once per processor (32 random bytes, hex, owner-only). */
async function ensureProcessorSecrets(dir: string, processors: readonly ProcessorStore[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const p of processors) await ensureSecretFile(path.join(dir, `${p.id}.key`));
}

/** Starts everything; see `LocalSystemOptions`. */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const secretFile = path.join(dataDir, 'secret.key');
  await ensureSecretFile(secretFile);
  const dataMapJson = localDataMapJson(JSON.parse(await readFile(DEMO_DATA_MAP_FILE, 'utf8')), options);
  const configured = parseDataMap(dataMapJson, DEMO_DATA_MAP_FILE);
  const processors = configured.stores.filter(isProcessor);
  const processorSecretsDir = path.join(dataDir, 'partner-secrets');
  await ensureProcessorSecrets(processorSecretsDir, processors);
  const processorPort =
    options.processorPort ?? (process.env.PROCESSOR_PORT ? Number(process.env.PROCESSOR_PORT) : 0);
  if (!Number.isInteger(processorPort) || processorPort < 0 || processorPort > 65535) {
    throw new Error('the partner port must be a whole number from 0 to 65535');
  }

  const emulators = await startEmulators({ dataDir, sesPort: options.sesPort });
  const stops: (() => Promise<void>)[] = [() => emulators.stop()];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  const faultRates = options.faults ?? parseFaults(process.env.DSR_FAULTS);
  const faultSeed = options.faultSeed ?? Number(process.env.DSR_FAULT_SEED ?? 1);
  const faultCounts: Partial<Record<FaultService, FaultProxy['counts']>> = {};
  /** The URL the functions use for `service`: a fault proxy in front of `url` when faults are asked for. */
  const viaFaults = async (service: FaultService, url: string): Promise<string> => {
    const rate = faultRates[service] ?? 0;
    if (rate === 0) return url;
    // One sequence per service: which of a service's calls fail does not depend on the other services' traffic.
    const random = seededRandom(faultSeed + FAULT_SERVICES.indexOf(service) * 0x9e3779b9);
    const proxy = await startFaultProxy({ service, target: url, rate, random });
    stops.push(() => proxy.stop());
    faultCounts[service] = proxy.counts;
    return proxy.url;
  };
  try {
    // The processors must listen before the env binds each processor's endpoint to them.
    let apiUrl = '';
    const secrets = new Map(
      processors.map((p) => [
        p.id,
        keyFromText(readFileSync(path.join(processorSecretsDir, `${p.id}.key`), 'utf8')),
      ]),
    );
    const simulators = await startProcessorSimulators({
      port: processorPort,
      dataDir,
      processors: processors.map((p): SimulatedProcessor => ({ id: p.id, name: p.name, role: roleOf(p) })),
      secretOf: (id) => {
        const secret = secrets.get(id);
        if (!secret) throw new Error(`no secret for partner ${id}`);
        return secret;
      },
      callbackBaseUrl: () => apiUrl,
      log,
    });
    stops.push(() => simulators.stop());
    const processorsUrl = await viaFaults('processors', simulators.url);
    const bindings = Object.fromEntries(
      processors.map((p) => [p.id, `${processorsUrl}${webhookPath(p.id)}`]),
    );
    const dataMap = bindStores(configured, bindings);

    // The SFN endpoint must exist before the env names it; the runner's handlers load afterwards.
    let runner: WorkflowRunner | undefined;
    const sfnRunner = new Proxy({} as WorkflowRunner, {
      get: (_t, prop) => {
        if (!runner) throw new Error('the workflow runner is not ready');
        const value = Reflect.get(runner, prop, runner);
        return typeof value === 'function' ? value.bind(runner) : value;
      },
    });
    const sfn = await startSfnEndpoint(sfnRunner, options.sfnPort ?? 0);
    stops.push(() => sfn.stop());

    // Reserve the API port first so the public URL (links in emails) names the real port.
    let handlers: HttpHandlers | undefined;
    let viewCertificate: ReturnType<typeof certificates> | undefined;
    let supportConsole: ReturnType<typeof localConsole> | undefined;
    const lazyHttp = new Proxy({} as HttpHandlers, {
      get: (_t, prop: string) => {
        const handler = handlers?.[prop as keyof HttpHandlers];
        if (!handler) throw new Error('the API is not ready');
        return handler;
      },
    });
    const api = await startHttpServer({
      handlers: lazyHttp,
      port: options.port,
      host: '127.0.0.1',
      extra: (req, url, res) =>
        (runner ? inspection(runner)(req, url, res) : false) ||
        (viewCertificate ? viewCertificate(req, url, res) : false) ||
        (supportConsole ? supportConsole(req, url, res) : false),
      log,
    });
    stops.push(() => api.stop());
    apiUrl = `http://localhost:${api.port}`;
    const deleteGraceSeconds =
      options.deleteGraceSeconds ??
      (process.env[ENV.deleteGraceSeconds] !== undefined && process.env[ENV.deleteGraceSeconds] !== ''
        ? Number(process.env[ENV.deleteGraceSeconds])
        : LOCAL_DELETE_GRACE_SECONDS);
    if (!Number.isInteger(deleteGraceSeconds) || deleteGraceSeconds < 0) {
      throw new Error('the delete grace period must be a whole number of seconds, 0 or more');
    }

    // This machine's values of the registry's environment (one process runs every entry) ...
    const values: Partial<Record<EnvKey, string>> = {
      ...localResourceNames(),
      ...rateLimitValues(options.rateLimits),
      deleteGraceSeconds: String(deleteGraceSeconds),
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      mailFrom: 'privacy@impor.in.example',
      publicUrl: apiUrl,
      storeBindings: JSON.stringify(bindings),
      supportEmail: LOCAL_SUPPORT_EMAIL,
      // No SSM here: a support action's actor is the CLI's --actor (or the OS user).
      supportActorFromInput: 'true',
      ...(options.clockStartAtVerification !== undefined
        ? { clockStartAtVerification: options.clockStartAtVerification }
        : {}),
    };
    const functionEnvironment = {
      ...emulatorEnvironment({
        dynamodb: await viaFaults('dynamodb', emulators.endpoints.dynamodb),
        s3: await viaFaults('s3', emulators.endpoints.s3),
        ses: await viaFaults('ses', emulators.endpoints.ses),
      }),
      ...deploymentEnvironment(values),
      AWS_ENDPOINT_URL_SFN: await viaFaults('sfn', sfn.url),
      // ... and what only the local runtime sets: the secrets as files, the map inline, plain-http processors.
      [ENV.secretFile]: secretFile,
      [ENV.dataMapJson]: JSON.stringify(dataMapJson),
      [ENV.processorSecretsDir]: processorSecretsDir,
      [ENV.allowInsecureProcessorUrls]: 'true',
    };
    Object.assign(process.env, functionEnvironment);

    const raw = new DynamoDBClient({
      endpoint: emulators.endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const clients = {
      dynamodb: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
      s3: new S3Client({
        endpoint: emulators.endpoints.s3,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
        forcePathStyle: true,
      }),
    };
    stops.push(async () => {
      clients.dynamodb.destroy();
      clients.s3.destroy();
    });
    await createResources(clients, raw, dataMap);
    viewCertificate = certificates(clients.s3);

    let seeded = false;
    const marker = path.join(dataDir, SEEDED_MARKER);
    if (options.seed !== false && !existsSync(marker)) {
      const { seedPopulation } = await import('./demo-data');
      const result = await seedPopulation(clients, dataMap, {
        customers: options.demoCustomers,
        processors: simulators,
      });
      await simulators.flush();
      await writeFile(marker, JSON.stringify({ seededAt: new Date().toISOString(), ...result }));
      seeded = true;
      log(`seeded ${result.customers} demo customers`);
    }

    // Only now, with the environment set, load the handler modules.
    const taskHandlers = options.handlers?.tasks ?? (await loadTaskHandlers());
    handlers = options.handlers?.http ?? (await loadHttpHandlers());
    const eventHandlers = await loadHandlers<EventName, (event: unknown) => Promise<unknown>>(EVENTS);
    runner = new WorkflowRunner({
      handlers: taskHandlers,
      log,
      journalDir: path.join(dataDir, 'executions'),
      ...(options.taskTimeoutOverrides ? { taskTimeoutOverrides: options.taskTimeoutOverrides } : {}),
      ...(options.retryIntervalMs !== undefined ? { retryIntervalMs: options.retryIntervalMs } : {}),
    });
    supportConsole = localConsole({
      runner,
      clients,
      auditTable: AUDIT_TABLE_NAME,
      auditBucket: AUDIT_BUCKET_NAME,
      sesUrl: emulators.endpoints.ses,
      origin: () => apiUrl,
    });
    const workflow = runner;
    stops.push(() => workflow.stop());

    const urls: LocalSystemUrls = {
      api: apiUrl,
      form: `${apiUrl}/`,
      health: `${apiUrl}/health`,
      executions: `${apiUrl}/local/executions`,
      certificates: `${apiUrl}/local/certificates`,
      mailbox: `${emulators.endpoints.ses.replace('127.0.0.1', 'localhost')}/`,
      mailboxJson: `${emulators.endpoints.ses.replace('127.0.0.1', 'localhost')}/store`,
      dynamodb: emulators.endpoints.dynamodb,
      s3: emulators.endpoints.s3,
      ses: emulators.endpoints.ses,
      sfn: sfn.url,
      processors: simulators.url.replace('127.0.0.1', 'localhost'),
    };
    await writeFile(
      path.join(dataDir, 'endpoints.json'),
      JSON.stringify(
        {
          dynamodb: urls.dynamodb,
          s3: urls.s3,
          ses: urls.ses,
          sfn: urls.sfn,
          api: urls.api,
          processors: simulators.url,
        },
        null,
        2,
      ),
    );
    // The functions' environment, so `npm run support` runs the SupportAction handler as this process does.
    await writeFile(path.join(dataDir, FUNCTION_ENVIRONMENT_FILE), JSON.stringify(functionEnvironment), {
      mode: 0o600,
    });
    const paths: LocalSystemPaths = {
      certificates: path.join(dataDir, 's3', AUDIT_BUCKET_NAME, 'certificates'),
    };
    // What a stopped or killed run left open goes on from where it was, and partners call back what they owed.
    const { resumed } = workflow.resume();
    if (resumed.length > 0) log(`resumed ${resumed.length} open execution(s) from their journals`);
    simulators.resumeCallbacks();
    return {
      urls,
      dataMap,
      paths,
      deleteGraceSeconds,
      runner: workflow,
      clients,
      processors: simulators,
      processorSecretsDir,
      seeded,
      deliverMailEvent: (event) => eventHandlers.MailFeedback(event),
      faults: faultCounts,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
