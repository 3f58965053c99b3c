import { z } from 'zod';
import { bindStores, type DataMap, isProcessor, parseDataMap } from '../core/data-map';

const limit = (fallback: number) => z.coerce.number().int().positive().max(1_000_000).default(fallback);
const windowSeconds = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600)
    .default(fallback);

/**
 * Environment of every function, validated once per cold start. The CDK sets
 * these in AWS; the local runtime sets them before loading any handler.
 */
const Env = z.object({
  DSR_LEDGER_TABLE: z.string().min(1),
  DSR_EXPORT_BUCKET: z.string().min(1),
  /** Certificates of erasure (Object Lock in AWS); only the certificate task writes here. */
  DSR_AUDIT_BUCKET: z.string().min(1).optional(),
  DSR_STATE_MACHINE_ARN: z.string().min(1),
  /** Verified SES identity the emails come from. */
  DSR_MAIL_FROM: z.string().min(3),
  /** Base URL of the API, for links in emails (no trailing slash). */
  DSR_PUBLIC_URL: z.url(),
  /** Where the hashing secret lives: a Secrets Manager secret (AWS) or a file (local). */
  DSR_SECRET_ARN: z.string().optional(),
  DSR_SECRET_FILE: z.string().optional(),
  /** The data map as JSON (inlined at bundle time in AWS, set by the local runtime). */
  DSR_DATA_MAP: z.string().min(2),
  /** Optional JSON `{ storeId: tableOrBucketName }` binding stores to this deployment's resources. */
  DSR_STORE_BINDINGS: z.string().optional(),
  DSR_EXPORT_LINK_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  DSR_PRESIGNED_URL_TTL_SECONDS: z.coerce.number().int().positive().max(300).default(300),
  DSR_VERIFICATION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60),
  /** How long a verified delete waits, cancellable, before anything is erased (24 h; 30 s locally). */
  DSR_DELETE_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .nonnegative()
    .max(30 * 24 * 3600)
    .default(24 * 3600),
  /** Rate-limit counters (`RATE_LIMIT_TABLE`); needed by the functions that limit (submit, verify, cancel, resend). */
  DSR_RATE_LIMIT_TABLE: z.string().min(1).optional(),
  /** Powertools idempotency records for `Idempotency-Key` on `POST /requests` (`IDEMPOTENCY_TABLE`). */
  DSR_IDEMPOTENCY_TABLE: z.string().min(1).optional(),
  /** Suppression list (`SUPPRESSION_TABLE`): keyed hashes of opted-out subjects; read by sign-up and import flows. */
  DSR_SUPPRESSION_TABLE: z.string().min(1).optional(),
  /** SES v2 contact list whose topic preferences an opt-out sets to OPT_OUT; unset = no contact list (local). */
  DSR_SES_CONTACT_LIST: z.string().min(1).optional(),
  /** Comma-separated topic names of that list; unset = every topic the list defines. */
  DSR_SES_CONTACT_TOPICS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    ),
  /** Submissions per client IP per window (default 20 per 10 minutes). */
  DSR_LIMIT_SUBMIT_PER_IP: limit(20),
  DSR_LIMIT_SUBMIT_IP_WINDOW_SECONDS: windowSeconds(600),
  /** Submissions per subject (keyed hash of the email) per window (default 5 per hour). */
  DSR_LIMIT_SUBMIT_PER_SUBJECT: limit(5),
  DSR_LIMIT_SUBMIT_SUBJECT_WINDOW_SECONDS: windowSeconds(3600),
  /** Verify, cancel and resend attempts per client IP per window (default 30 per 10 minutes), on top of 5 wrong codes per request. */
  DSR_LIMIT_VERIFY_PER_IP: limit(30),
  DSR_LIMIT_VERIFY_IP_WINDOW_SECONDS: windowSeconds(600),
  /**
   * Code attempts per subject (keyed hash) per window, across all of its requests (default 10 per
   * day): many IPs each opening requests for one address still get only a handful of guesses a day.
   */
  DSR_LIMIT_VERIFY_PER_SUBJECT: limit(10),
  DSR_LIMIT_VERIFY_SUBJECT_WINDOW_SECONDS: windowSeconds(24 * 3600),
  /** Verification emails a request may ask to be sent again. */
  DSR_MAX_RESENDS: z.coerce.number().int().nonnegative().max(20).default(3),
  /** Local only: directory of `<processorId>.key` files holding each processor's HMAC secret. */
  DSR_PROCESSOR_SECRETS_DIR: z.string().min(1).optional(),
  /** `true` only in the local runtime, whose processor simulators listen on plain http. */
  DSR_ALLOW_INSECURE_PROCESSOR_URLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Where processor escalations are emailed; unset = log line and alarm only. */
  DSR_SUPPORT_EMAIL: z.email().optional(),
  /** Per-attempt timeout of a call to a processor's webhook. */
  DSR_PROCESSOR_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Set by the local runtime: S3 path-style addressing for the emulator. */
  DSR_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export type Config = z.infer<typeof Env> & { readonly dataMap: DataMap };

let cached: Config | undefined;

/** Validated configuration; throws naming every missing or bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (cached && env === process.env) return cached;
  // In AWS the data map is inlined at bundle time (esbuild `define` of this exact expression).
  const result = Env.safeParse({ ...env, DSR_DATA_MAP: env.DSR_DATA_MAP ?? process.env.DSR_DATA_MAP });
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`configuration is invalid: ${problems}`);
  }
  const bindings = result.data.DSR_STORE_BINDINGS
    ? z.record(z.string(), z.string()).parse(JSON.parse(result.data.DSR_STORE_BINDINGS))
    : {};
  const dataMap = bindStores(parseDataMap(JSON.parse(result.data.DSR_DATA_MAP), 'DSR_DATA_MAP'), bindings);
  if (!result.data.DSR_ALLOW_INSECURE_PROCESSOR_URLS) assertHttpsProcessors(dataMap);
  const config = { ...result.data, dataMap };
  if (env === process.env) cached = config;
  return config;
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
