/**
 * The CDK app entry: the only place that reads context and environment.
 * `npx cdk synth -c demoStores=true -c mailFrom=privacy@example.com` etc.
 */
import fs from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { z } from 'zod';
import { commaSeparatedList, parsedWith } from '../functions/aws/config';
import { parseClockStartAtVerification, parseHolidays } from '../functions/core/clocks';
import { parseDataMap } from '../functions/core/data-map';
import { RATE_LIMIT_KEYS, type RateLimitSettings } from './constructs/functions';
import { DsrWorkflowStack, type DsrWorkflowStackProps } from './stack';
import { TRIAL_AUDIT_LOCK, trialDataMap } from './trial';

const ROOT = path.resolve(__dirname, '..');

/** Context values arrive as strings from `-c key=value` and as JSON values from cdk.json. */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false);
/** A WAF rate-based rule's limit: requests per client IP per 5 minutes (WAF accepts 10 and up). */
const wafLimit = z.coerce.number().int().min(10).max(2_000_000_000);
const positive = z.coerce.number().int().positive().optional();
/** Text the functions parse again at cold start: checked here so synth fails first, passed on as written. */
const checkedText = (parse: (raw: string | undefined) => unknown) =>
  z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const checked = parsedWith(parse).safeParse(v);
      if (!checked.success)
        for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    });

const Context = z.object({
  /**
   * A trial: demo stores, the data map without processors, and certificates locked for a day in
   * GOVERNANCE mode instead of COMPLIANCE for `auditRetentionDays` (see infra/trial.ts).
   */
  trial: flag,
  demoStores: flag,
  dataMap: z.string().min(1).default('config/impor-in.data-map.json'),
  mailFrom: z.string().min(3).default('privacy@impor.in'),
  publicBaseUrl: z.url().optional(),
  sesIdentity: z.string().min(3).optional(),
  /** The SES identity exists already in this region: use it by name, never create (or delete) it. */
  sesIdentityExists: flag,
  /** Where processor escalations and every alarm are emailed; unset = logged and alarmed, nobody subscribed. */
  supportEmail: z.email().optional(),
  /** SES v2 contact list (its name) whose topic preferences opt-outs set to OPT_OUT; unset = none. */
  sesContactList: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  /** Comma-separated topics of that list to opt out of; unset = every topic the list defines. */
  sesContactTopics: commaSeparatedList,
  /** Create that contact list (with those topics), kept on delete; SES allows one per account and region. */
  createSesContactList: flag,
  /** Certificates of erasure stay locked this long; 3653 days = the 10-year tax retention they prove. */
  auditRetentionDays: z.coerce.number().int().min(1).max(36500).default(3653),
  /** A verified delete waits this long, cancellable, before erasure starts (max 30 days, as the functions accept). */
  deleteGraceSeconds: z.coerce
    .number()
    .int()
    .nonnegative()
    .max(30 * 24 * 3600)
    .default(24 * 3600),
  /**
   * WAF: POSTs (submit, verify, resend, cancel) per client IP per 5 minutes. Far above the
   * application's own limits (20 submissions and 30 verification attempts per 10 minutes), so only floods hit it.
   */
  wafRateLimitPer5Min: wafLimit.default(300),
  /** WAF: requests of any method per client IP per 5 minutes; the status page polls every 2 s (150 per 5 min). */
  wafRequestLimitPer5Min: wafLimit.default(1500),
  /** The application's rate limits (functions/deployment.ts RATE_LIMIT_SETTINGS); unset = the functions' defaults. */
  ...(Object.fromEntries(RATE_LIMIT_KEYS.map((k) => [k, positive])) as Record<
    (typeof RATE_LIMIT_KEYS)[number],
    typeof positive
  >),
  /** 0 turns resending off; the functions accept at most 20. */
  maxResends: z.coerce.number().int().nonnegative().max(20).optional(),
  /**
   * Jurisdictions whose respond clock starts at verification instead of receipt (only `EU` is
   * allowed: core/clocks.ts START_AT_VERIFICATION); synth refuses any other.
   */
  clockStartAtVerification: checkedText(parseClockStartAtVerification),
  /** Public holidays (`YYYY-MM-DD`, comma-separated) that business-day clocks skip. */
  holidays: checkedText(parseHolidays),
  /** How long before a due time every workflow wait ends (default 6 h). */
  deadlineMarginSeconds: z.coerce
    .number()
    .int()
    .nonnegative()
    .max(7 * 24 * 3600)
    .optional(),
  /** Set the account-and-region API Gateway CloudWatch role (retained); needed once where no REST API logs yet. */
  manageApiGatewayAccount: flag,
  stackName: z.string().min(1).default('DsrWorkflowStack'),
  /**
   * The app's own region (cdk.json context, default Jakarta), never the CLI profile's default: where
   * Indonesians' personal data lives is a decision, not an accident of someone's AWS config.
   */
  region: z.string().min(1).default('ap-southeast-3'),
});
export type DsrContext = z.infer<typeof Context>;

/**
 * Reads the app's context, builds the stack and applies the cdk-nag packs.
 * `overrides` is for tests (e.g. stub handler entries); the CLI passes none.
 */
export function buildApp(app: App, overrides: Partial<DsrWorkflowStackProps> = {}): DsrWorkflowStack {
  const read = (key: string): unknown => {
    const value: unknown = app.node.tryGetContext(key);
    return value === '' ? undefined : value;
  };
  const ctx = Context.parse({
    trial: read('trial'),
    demoStores: read('demoStores'),
    dataMap: read('dataMap'),
    mailFrom: read('mailFrom'),
    publicBaseUrl: read('publicBaseUrl'),
    sesIdentity: read('sesIdentity'),
    sesIdentityExists: read('sesIdentityExists'),
    supportEmail: read('supportEmail'),
    sesContactList: read('sesContactList'),
    sesContactTopics: read('sesContactTopics'),
    createSesContactList: read('createSesContactList'),
    auditRetentionDays: read('auditRetentionDays'),
    deleteGraceSeconds: read('deleteGraceSeconds'),
    wafRateLimitPer5Min: read('wafRateLimitPer5Min'),
    wafRequestLimitPer5Min: read('wafRequestLimitPer5Min'),
    ...Object.fromEntries(RATE_LIMIT_KEYS.map((k) => [k, read(k)])),
    clockStartAtVerification: read('clockStartAtVerification'),
    holidays: read('holidays'),
    deadlineMarginSeconds: read('deadlineMarginSeconds'),
    manageApiGatewayAccount: read('manageApiGatewayAccount'),
    stackName: read('stackName'),
    region: read('region'),
  });
  if (ctx.createSesContactList && !ctx.sesContactList) {
    throw new Error('createSesContactList=true needs sesContactList=<name> (the list to create)');
  }
  const dataMapPath = path.resolve(ROOT, ctx.dataMap);
  const configured = parseDataMap(JSON.parse(fs.readFileSync(dataMapPath, 'utf8')), ctx.dataMap);
  const dataMap = ctx.trial ? trialDataMap(configured) : configured;
  // Where the data may live is the data map's decision; the app's region must honour it.
  if (dataMap.regions && !dataMap.regions.includes(ctx.region)) {
    throw new Error(
      `${ctx.dataMap} allows the personal data to live only in ${dataMap.regions.join(', ')}; region ${ctx.region} is refused (set -c region=… or the data map's "regions")`,
    );
  }
  const rateLimits: RateLimitSettings = Object.fromEntries(
    RATE_LIMIT_KEYS.flatMap((k) => {
      const value = ctx[k];
      return value === undefined ? [] : [[k, value]];
    }),
  );
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const stack = new DsrWorkflowStack(app, ctx.stackName, {
    env: { region: ctx.region, ...(account ? { account } : {}) },
    description: 'Data-subject request workflow (access, delete, opt-out)',
    dataMap,
    demoStores: ctx.demoStores || ctx.trial,
    mailFrom: ctx.mailFrom,
    auditRetentionDays: ctx.trial ? TRIAL_AUDIT_LOCK.days : ctx.auditRetentionDays,
    auditLockMode: ctx.trial ? TRIAL_AUDIT_LOCK.mode : 'COMPLIANCE',
    deleteGraceSeconds: ctx.deleteGraceSeconds,
    wafWriteLimitPer5Min: ctx.wafRateLimitPer5Min,
    wafRequestLimitPer5Min: ctx.wafRequestLimitPer5Min,
    rateLimits,
    manageApiGatewayAccount: ctx.manageApiGatewayAccount,
    clockSettings: {
      ...(ctx.clockStartAtVerification ? { clockStartAtVerification: ctx.clockStartAtVerification } : {}),
      ...(ctx.holidays ? { holidays: ctx.holidays } : {}),
      ...(ctx.deadlineMarginSeconds !== undefined
        ? { deadlineMarginSeconds: String(ctx.deadlineMarginSeconds) }
        : {}),
    },
    ...(ctx.publicBaseUrl ? { publicBaseUrl: ctx.publicBaseUrl } : {}),
    ...(ctx.sesIdentity ? { sesIdentity: ctx.sesIdentity } : {}),
    sesIdentityExists: ctx.sesIdentityExists,
    ...(ctx.supportEmail ? { supportEmail: ctx.supportEmail } : {}),
    ...(ctx.sesContactList ? { sesContactList: ctx.sesContactList } : {}),
    ...(ctx.sesContactTopics.length > 0 ? { sesContactTopics: ctx.sesContactTopics } : {}),
    createSesContactList: ctx.createSesContactList,
    ...overrides,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return stack;
}

if (require.main === module) {
  buildApp(new App());
}
