import { parseClockStartAtVerification, parseHolidays } from '../core/clocks';
import { bindStores, type DataMap, isProcessor, parseDataMap } from '../core/data-map';
import * as z from '../core/zod';

// Shared where fields agree: every schema object is built at each cold start, so fewer is faster.
const aName = z.optional(z.string().check(z.minLength(1)));
const aLimit = z.coerce.number().check(z.int(), z.positive(), z.lte(1_000_000));
const aWindow = z.coerce.number().check(z.int(), z.positive(), z.lte(7 * 24 * 3600));
const aFlag = z.pipe(
  z._default(z.enum(['true', 'false']), 'false'),
  z.transform((v) => v === 'true'),
);
const limit = (fallback: number) => z._default(aLimit, fallback);
const windowSeconds = (fallback: number) => z._default(aWindow, fallback);

/**
 * The name of every environment variable the functions read: the one place
 * they are written. The CDK (infra/constructs/functions.ts), the deployment
 * registry (functions/deployment.ts) and the local runtime use these names.
 */
export const ENV = {
  ledgerTable: 'DSR_LEDGER_TABLE',
  exportBucket: 'DSR_EXPORT_BUCKET',
  auditBucket: 'DSR_AUDIT_BUCKET',
  stateMachineArn: 'DSR_STATE_MACHINE_ARN',
  mailFrom: 'DSR_MAIL_FROM',
  publicUrl: 'DSR_PUBLIC_URL',
  secretArn: 'DSR_SECRET_ARN',
  secretFile: 'DSR_SECRET_FILE',
  dataMapJson: 'DSR_DATA_MAP',
  storeBindings: 'DSR_STORE_BINDINGS',
  exportLinkTtlSeconds: 'DSR_EXPORT_LINK_TTL_SECONDS',
  presignedUrlTtlSeconds: 'DSR_PRESIGNED_URL_TTL_SECONDS',
  verificationTtlSeconds: 'DSR_VERIFICATION_TTL_SECONDS',
  deleteGraceSeconds: 'DSR_DELETE_GRACE_SECONDS',
  rateLimitTable: 'DSR_RATE_LIMIT_TABLE',
  idempotencyTable: 'DSR_IDEMPOTENCY_TABLE',
  suppressionTable: 'DSR_SUPPRESSION_TABLE',
  sesContactList: 'DSR_SES_CONTACT_LIST',
  sesContactTopics: 'DSR_SES_CONTACT_TOPICS',
  sesConfigurationSet: 'DSR_SES_CONFIGURATION_SET',
  limitSubmitPerIp: 'DSR_LIMIT_SUBMIT_PER_IP',
  limitSubmitIpWindowSeconds: 'DSR_LIMIT_SUBMIT_IP_WINDOW_SECONDS',
  limitSubmitPerSubject: 'DSR_LIMIT_SUBMIT_PER_SUBJECT',
  limitSubmitSubjectWindowSeconds: 'DSR_LIMIT_SUBMIT_SUBJECT_WINDOW_SECONDS',
  limitVerifyPerIp: 'DSR_LIMIT_VERIFY_PER_IP',
  limitVerifyIpWindowSeconds: 'DSR_LIMIT_VERIFY_IP_WINDOW_SECONDS',
  limitVerifyPerSubject: 'DSR_LIMIT_VERIFY_PER_SUBJECT',
  limitVerifySubjectWindowSeconds: 'DSR_LIMIT_VERIFY_SUBJECT_WINDOW_SECONDS',
  maxResends: 'DSR_MAX_RESENDS',
  processorSecretsDir: 'DSR_PROCESSOR_SECRETS_DIR',
  allowInsecureProcessorUrls: 'DSR_ALLOW_INSECURE_PROCESSOR_URLS',
  supportEmail: 'DSR_SUPPORT_EMAIL',
  supportActorFromInput: 'DSR_SUPPORT_ACTOR_FROM_INPUT',
  processorTimeoutMs: 'DSR_PROCESSOR_TIMEOUT_MS',
  s3ForcePathStyle: 'DSR_S3_FORCE_PATH_STYLE',
  // audit (owner: audit)
  auditTable: 'DSR_AUDIT_TABLE',
  // ---- clocks (owner: clock)
  deadlineMarginSeconds: 'DSR_DEADLINE_MARGIN_SECONDS',
  holidays: 'DSR_HOLIDAYS',
  clockStartAtVerification: 'DSR_CLOCK_START_AT_VERIFICATION',
} as const;
export type EnvKey = keyof typeof ENV;
export type EnvName = (typeof ENV)[EnvKey];

/** The identifier esbuild replaces with the data map, as JSON, at bundle time (read in {@link loadConfig}). */
export const DATA_MAP_DEFINE = 'DSR_BUNDLED_DATA_MAP';

/** Defined only in a bundle: the data map infra/app.ts validated at synth (undeclared unbundled). */
declare const DSR_BUNDLED_DATA_MAP: string;

/** `a, b,,c` → `['a', 'b', 'c']`; unset → `[]`. */
/** An optional text setting read by a core parser; the parser's error becomes the setting's issue. */
export const parsedWith = <T>(parse: (raw: string | undefined) => T) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((v, ctx) => {
      try {
        return parse(v);
      } catch (error) {
        ctx.issues.push({ code: 'custom', message: (error as Error).message, input: v });
        return z.NEVER;
      }
    }),
  );

export const commaSeparatedList = z.pipe(
  z.optional(z.string()),
  z.transform((v) =>
    (v ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t.length > 0),
  ),
);

/**
 * Environment of every function, validated once per cold start. The CDK sets
 * these in AWS; the local runtime sets them before loading any handler.
 */
const Env = z.object({
  [ENV.ledgerTable]: z.string().check(z.minLength(1)),
  [ENV.exportBucket]: z.string().check(z.minLength(1)),
  /** Certificates of erasure (Object Lock in AWS); only the certificate task writes here. */
  [ENV.auditBucket]: aName,
  [ENV.stateMachineArn]: z.string().check(z.minLength(1)),
  /** Verified SES identity the emails come from. */
  [ENV.mailFrom]: z.string().check(z.minLength(3)),
  /** Base URL of the API, for links in emails (no trailing slash). */
  [ENV.publicUrl]: z.url(),
  /** Where the hashing secret lives: a Secrets Manager secret (AWS) or a file (local). */
  [ENV.secretArn]: z.optional(z.string()),
  [ENV.secretFile]: z.optional(z.string()),
  /** The data map as JSON, set by the local runtime (in AWS it is inlined at bundle time instead). */
  [ENV.dataMapJson]: z.optional(z.string().check(z.minLength(2))),
  /** Optional JSON `{ storeId: tableOrBucketName }` binding stores to this deployment's resources. */
  [ENV.storeBindings]: z.optional(z.string()),
  [ENV.exportLinkTtlSeconds]: z._default(z.coerce.number().check(z.int(), z.positive()), 7 * 24 * 3600),
  [ENV.presignedUrlTtlSeconds]: z._default(z.coerce.number().check(z.int(), z.positive(), z.lte(300)), 300),
  [ENV.verificationTtlSeconds]: z._default(z.coerce.number().check(z.int(), z.positive()), 15 * 60),
  /** How long a verified delete waits, cancellable, before anything is erased (24 h; 30 s locally). */
  [ENV.deleteGraceSeconds]: z._default(
    z.coerce.number().check(z.int(), z.nonnegative(), z.lte(30 * 24 * 3600)),
    24 * 3600,
  ),
  /** Rate-limit counters (`RATE_LIMIT_TABLE`); needed by the functions that limit (submit, verify, cancel, resend). */
  [ENV.rateLimitTable]: aName,
  /** Powertools idempotency records for `Idempotency-Key` on `POST /requests` (`IDEMPOTENCY_TABLE`). */
  [ENV.idempotencyTable]: aName,
  /** Suppression list (`SUPPRESSION_TABLE`): keyed hashes of opted-out subjects; read by sign-up and import flows. */
  [ENV.suppressionTable]: aName,
  /** SES v2 contact list whose topic preferences an opt-out sets to OPT_OUT; unset = no contact list (local). */
  [ENV.sesContactList]: aName,
  /** Comma-separated topic names of that list; unset = every topic the list defines. */
  [ENV.sesContactTopics]: commaSeparatedList,
  /** SES configuration set every send names (its bounce and complaint events); unset = none (local). */
  [ENV.sesConfigurationSet]: aName,
  /** Submissions per client IP per window (default 20 per 10 minutes). */
  [ENV.limitSubmitPerIp]: limit(20),
  [ENV.limitSubmitIpWindowSeconds]: windowSeconds(600),
  /** Verified requests per subject (keyed hash of the email) and type per window (default 5 per hour); a new request beyond them is refused. */
  [ENV.limitSubmitPerSubject]: limit(5),
  [ENV.limitSubmitSubjectWindowSeconds]: windowSeconds(3600),
  /** Verify, cancel and resend attempts per client IP per window (default 30 per 10 minutes), on top of 5 wrong codes per request. */
  [ENV.limitVerifyPerIp]: limit(30),
  [ENV.limitVerifyIpWindowSeconds]: windowSeconds(600),
  /**
   * Code attempts per subject (keyed hash) and request type per window, across its requests (default
   * 10 per day): many IPs each opening requests for one address still get only a handful of guesses a day.
   */
  [ENV.limitVerifyPerSubject]: limit(10),
  [ENV.limitVerifySubjectWindowSeconds]: windowSeconds(24 * 3600),
  /** Verification emails a request may ask to be sent again. */
  [ENV.maxResends]: z._default(z.coerce.number().check(z.int(), z.nonnegative(), z.lte(20)), 3),
  /** Local only: directory of `<processorId>.key` files holding each processor's HMAC secret. */
  [ENV.processorSecretsDir]: aName,
  /** `true` only in the local runtime, whose processor simulators listen on plain http. */
  [ENV.allowInsecureProcessorUrls]: aFlag,
  /** `true` only in the local runtime: a support action's actor is the `--actor` (or OS user) it passes. */
  [ENV.supportActorFromInput]: aFlag,
  /** Where processor escalations are emailed; unset = log line and alarm only. */
  [ENV.supportEmail]: z.optional(z.email()),
  /** Per-attempt timeout of a call to a processor's webhook. */
  [ENV.processorTimeoutMs]: z._default(z.coerce.number().check(z.int(), z.gte(100), z.lte(120_000)), 10_000),
  /** The audit trail's table (`AUDIT_TABLE`); only functions that append to or read the chains have it. */
  [ENV.auditTable]: aName,
  /** Set by the local runtime: S3 path-style addressing for the emulator. */
  [ENV.s3ForcePathStyle]: aFlag,
  /** How long before a request's due time every workflow wait must end (default 6 h). */
  [ENV.deadlineMarginSeconds]: z._default(
    z.coerce.number().check(z.int(), z.nonnegative(), z.lte(7 * 24 * 3600)),
    6 * 3600,
  ),
  /** Jurisdictions whose respond clock starts at verification (only where the law allows it: `EU`). */
  [ENV.clockStartAtVerification]: parsedWith(parseClockStartAtVerification),
  /** Public holidays the business-day clocks skip (US-CA), comma-separated `YYYY-MM-DD`. */
  [ENV.holidays]: parsedWith(parseHolidays),
});
type Parsed = z.infer<typeof Env>;
/** The same settings under their names in code (the keys of {@link ENV}), e.g. `config.ledgerTable`. */
export type Settings = { readonly [K in EnvKey]: Parsed[(typeof ENV)[K]] };
/** Settings by their names in code (`config.ledgerTable`), and the data map. */
export type Config = Settings & { readonly dataMap: DataMap };

let cached: Config | undefined;

/** Validated configuration; throws naming every missing or bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (cached && env === process.env) return cached;
  const result = Env.safeParse(env);
  if (!result.success) throw invalid(result.error.issues);
  const bindings = result.data.DSR_STORE_BINDINGS
    ? z.parse(z.record(z.string(), z.string()), JSON.parse(result.data.DSR_STORE_BINDINGS))
    : {};
  // A bundle trusts the map synth validated and inlined (esbuild then drops the data map's schemas);
  // unbundled (the local runtime, tests) the environment's map is validated here.
  const dataMap = bindStores(
    typeof DSR_BUNDLED_DATA_MAP === 'string'
      ? (JSON.parse(DSR_BUNDLED_DATA_MAP) as DataMap)
      : parseDataMap(JSON.parse(environmentDataMap(result.data.DSR_DATA_MAP)), ENV.dataMapJson),
    bindings,
  );
  if (!result.data.DSR_ALLOW_INSECURE_PROCESSOR_URLS) assertHttpsProcessors(dataMap);
  const data = result.data as Record<string, unknown>;
  const settings = Object.fromEntries(
    Object.entries(ENV).map(([key, name]) => [key, data[name]]),
  ) as Settings;
  const config: Config = { ...settings, dataMap };
  if (env === process.env) cached = config;
  return config;
}

function invalid(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Error {
  const problems = issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  return new Error(`configuration is invalid: ${problems}`);
}

/** The data map's JSON from the environment, where an unbundled function must find it. */
function environmentDataMap(json: string | undefined): string {
  if (json === undefined)
    throw invalid([
      { path: [ENV.dataMapJson], message: 'Invalid input: expected string, received undefined' },
    ]);
  return json;
}

/** A cheap early failure at cold start; the processor client checks every URL again before calling it. */
function assertHttpsProcessors(dataMap: DataMap): void {
  for (const store of dataMap.stores.filter(isProcessor)) {
    if (new URL(store.endpoint).protocol !== 'https:') {
      throw new Error(
        `configuration is invalid: processor ${store.id} has a non-https endpoint (only the local runtime may allow that)`,
      );
    }
  }
}

/** For tests that change the environment between cases. */
export function resetConfigCache(): void {
  cached = undefined;
}
