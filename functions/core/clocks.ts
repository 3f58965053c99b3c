/**
 * The law's clocks, per jurisdiction and request type, in hours. Plain rules,
 * no I/O: the submit use case records them on the ledger entry, the workflow's
 * waits are bounded by them, the deadline watch reads them, and support's
 * extension is checked here.
 *
 * Dates are computed in UTC (calendar days, business days and month ends); the
 * holiday list is the deployment's (`DSR_HOLIDAYS`), as `YYYY-MM-DD` days.
 */
import type { Jurisdiction, RequestType } from './request';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** Which clock: `respond` is the answer the law requires; `confirm` is a receipt confirmation (CCPA only). */
export type ClockName = 'respond' | 'confirm';

/** The rule behind a clock, named after its source (also shown to support). */
export type ClockRule =
  | 'uu-pdp-3x24h'
  | 'gdpr-art12-one-month'
  | 'ccpa-7021-confirm-10-business-days'
  | 'ccpa-7021-respond-45-days'
  | 'ccpa-7026-opt-out-15-business-days';

/** An extension support granted, with the reason the person was told. */
export interface ClockExtension {
  readonly at: string;
  readonly fromDueAt: string;
  readonly toDueAt: string;
  readonly reason: string;
  /** Who granted it (IAM identity in AWS, `--actor` or the OS user locally). */
  readonly actor: string;
}

/** One clock of a request, as recorded on its ledger entry. */
export interface DeadlineClock {
  readonly rule: ClockRule;
  /** When it started: the request's receipt. */
  readonly startedAt: string;
  /** When it runs out (after any extension). */
  readonly dueAt: string;
  readonly extensions?: readonly ClockExtension[];
  /** When the request answered it (its terminal status; for `confirm`, receipt was confirmed). */
  readonly metAt?: string;
}

export type RequestClocks = Partial<Record<ClockName, DeadlineClock>> & { readonly respond: DeadlineClock };

/** The deployment's calendar: public holidays skipped by business-day clocks. */
export interface ClockCalendar {
  /** `YYYY-MM-DD` days that are not business days (besides Saturdays and Sundays). */
  readonly holidays?: ReadonlySet<string> | readonly string[];
}

/** How long before a due time every wait in the workflow must end (default 6 h). */
export const DEFAULT_DEADLINE_MARGIN_SECONDS = 6 * 3600;

/**
 * Adds calendar months the GDPR way (Art. 12(3), with Regulation 1182/71 Art. 3(2)(c)):
 * the same day of the target month, or that month's last day when it has no such day
 * (31 January + 1 month = 28 or 29 February). The time of day is kept.
 */
export function addCalendarMonths(from: Date, months: number): Date {
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(from.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(
      year,
      month,
      day,
      from.getUTCHours(),
      from.getUTCMinutes(),
      from.getUTCSeconds(),
      from.getUTCMilliseconds(),
    ),
  );
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** True for Monday to Friday that are not on the holiday list. */
export function isBusinessDay(day: Date, calendar: ClockCalendar = {}): boolean {
  const weekday = day.getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  const holidays = calendar.holidays;
  if (!holidays) return true;
  const key = isoDay(day);
  return holidays instanceof Set ? !holidays.has(key) : !(holidays as readonly string[]).includes(key);
}

/**
 * `days` business days after `from`, at the same time of day: each following
 * day counts only when it is a business day (weekends and holidays are skipped).
 * A request received on a Saturday therefore has Monday as its first business day.
 */
export function addBusinessDays(from: Date, days: number, calendar: ClockCalendar = {}): Date {
  let at = from;
  let counted = 0;
  while (counted < days) {
    at = new Date(at.getTime() + DAY_MS);
    if (isBusinessDay(at, calendar)) counted += 1;
  }
  return at;
}

const addDays = (from: Date, days: number) => new Date(from.getTime() + days * DAY_MS);
const addHours = (from: Date, hours: number) => new Date(from.getTime() + hours * HOUR_MS);

const clock = (rule: ClockRule, startedAt: Date, dueAt: Date): DeadlineClock => ({
  rule,
  startedAt: startedAt.toISOString(),
  dueAt: dueAt.toISOString(),
});

/**
 * The clocks a request starts with at receipt.
 *
 * - ID, UU PDP No. 27/2022: 3×24 hours for access (Art. 32), correction (Art. 30),
 *   restriction (Art. 41) and withdrawal of consent, which includes a marketing
 *   opt-out; deletion also 3×24 hours (the implementing regulation's draft extends
 *   the rule to deletion; the strict reading is taken).
 * - EU, GDPR Art. 12(3): one calendar month from receipt ({@link addCalendarMonths}).
 * - US-CA, CCPA regulations (11 CCR): confirm receipt within 10 business days and
 *   respond within 45 calendar days (§7021(a),(b)); an opt-out of sale/sharing
 *   within 15 business days (§7026(f)). Business days skip weekends and `calendar.holidays`.
 */
export function clocksFor(
  jurisdiction: Jurisdiction,
  type: RequestType,
  receivedAt: Date,
  calendar: ClockCalendar = {},
): RequestClocks {
  switch (jurisdiction) {
    case 'ID':
      return { respond: clock('uu-pdp-3x24h', receivedAt, addHours(receivedAt, 72)) };
    case 'EU':
      return { respond: clock('gdpr-art12-one-month', receivedAt, addCalendarMonths(receivedAt, 1)) };
    case 'US-CA': {
      const confirm = {
        ...clock('ccpa-7021-confirm-10-business-days', receivedAt, addBusinessDays(receivedAt, 10, calendar)),
        // The answer to the submission and the verification email confirm receipt at once.
        metAt: receivedAt.toISOString(),
      };
      const respond =
        type === 'opt_out'
          ? clock('ccpa-7026-opt-out-15-business-days', receivedAt, addBusinessDays(receivedAt, 15, calendar))
          : clock('ccpa-7021-respond-45-days', receivedAt, addDays(receivedAt, 45));
      return { confirm, respond };
    }
  }
}

// ---- Starting the clock at verification (a deployment's choice, where the law allows it)

/**
 * Whether the respond clock may start when the person is verified instead of
 * at receipt, per jurisdiction: `true`, or why not.
 * - EU: the controller cannot act on a request from someone it cannot identify
 *   (GDPR Art. 11(2), 12(2) and 12(6)); regulators such as the UK ICO count the
 *   month from receipt of the information needed to confirm identity. A
 *   deployment opts in where its lead authority reads it so.
 * - US-CA: never; CCPA regulations §7021(b) start the 45 days on receipt,
 *   regardless of the time needed to verify.
 * - ID: never; UU PDP's 3×24 hours are read strictly, from the request.
 */
export const START_AT_VERIFICATION: Readonly<Record<Jurisdiction, true | string>> = {
  EU: true,
  'US-CA': 'CCPA regulations §7021(b) count from receipt, regardless of the time needed to verify',
  ID: 'UU PDP No. 27/2022 counts 3×24 hours from the request (the strict reading)',
};

/** The deployment's `DSR_CLOCK_START_AT_VERIFICATION` (`EU`), refusing a jurisdiction whose law does not allow it. */
export function parseClockStartAtVerification(raw: string | undefined): ReadonlySet<Jurisdiction> {
  const chosen = (raw ?? '')
    .split(',')
    .map((j) => j.trim())
    .filter((j) => j.length > 0);
  for (const j of chosen) {
    const allowed = START_AT_VERIFICATION[j as Jurisdiction];
    if (allowed === undefined) throw new Error(`"${j}" is not a jurisdiction (ID, EU, US-CA)`);
    if (allowed !== true) throw new Error(`the ${j} clock cannot start at verification: ${allowed}`);
  }
  return new Set(chosen as Jurisdiction[]);
}

/**
 * The respond clock started again at `verifiedAt`, or undefined when it stays:
 * the jurisdiction is not chosen, or the clock already moved (restarted or extended).
 */
export function respondClockFromVerification(
  record: {
    readonly jurisdiction: Jurisdiction;
    readonly type: RequestType;
    readonly receivedAt: string;
    readonly clocks?: RequestClocks;
  },
  verifiedAt: Date,
  chosen: ReadonlySet<Jurisdiction>,
  calendar: ClockCalendar = {},
): DeadlineClock | undefined {
  const respond = record.clocks?.respond;
  if (!respond || !chosen.has(record.jurisdiction) || START_AT_VERIFICATION[record.jurisdiction] !== true)
    return undefined;
  if (respond.startedAt !== record.receivedAt || respond.extensions?.length) return undefined;
  return clocksFor(record.jurisdiction, record.type, verifiedAt, calendar).respond;
}

// ---- Extensions (support's DSR-ExtendDeadline)

/** Why an extension is refused; the message is what support reads. */
export class ExtensionRefusedError extends Error {
  override readonly name = 'ExtensionRefused';
  constructor(
    readonly reason:
      | 'not_allowed_by_law'
      | 'already_extended'
      | 'too_late'
      | 'reason_required'
      | 'request_finished',
    message: string,
  ) {
    super(message);
  }
}

/** The extended `respond` clock, or `ExtensionRefused` naming the law's limit. */
export function extendDeadline(
  jurisdiction: Jurisdiction,
  respond: DeadlineClock,
  args: { readonly now: Date; readonly reason: string; readonly actor: string },
): DeadlineClock {
  const reason = args.reason.trim();
  if (reason.length === 0) {
    throw new ExtensionRefusedError('reason_required', 'an extension needs a reason the person is told');
  }
  if (jurisdiction === 'ID' || respond.rule === 'uu-pdp-3x24h') {
    throw new ExtensionRefusedError(
      'not_allowed_by_law',
      'UU PDP No. 27/2022 gives 3×24 hours with no extension: an Indonesian request cannot be extended',
    );
  }
  if (respond.rule === 'ccpa-7026-opt-out-15-business-days') {
    throw new ExtensionRefusedError(
      'not_allowed_by_law',
      'CCPA regulations §7026 give 15 business days for an opt-out of sale/sharing, with no extension',
    );
  }
  if ((respond.extensions ?? []).length > 0) {
    throw new ExtensionRefusedError(
      'already_extended',
      `the deadline was already extended once (to ${respond.dueAt}); the law allows one extension`,
    );
  }
  const due = new Date(respond.dueAt);
  // GDPR: the person must be told within the first month; CCPA: notice within the first 45 days.
  if (args.now.getTime() > due.getTime()) {
    throw new ExtensionRefusedError(
      'too_late',
      `the deadline (${respond.dueAt}) has passed: an extension must be notified before it`,
    );
  }
  const toDueAt =
    respond.rule === 'gdpr-art12-one-month'
      ? // GDPR Art. 12(3): "may be extended by two further months" — counted from the original due date.
        addCalendarMonths(due, 2)
      : // CCPA regs §7021(b): "an additional 45 calendar days … once".
        addDays(due, 45);
  const extension: ClockExtension = {
    at: args.now.toISOString(),
    fromDueAt: respond.dueAt,
    toDueAt: toDueAt.toISOString(),
    reason,
    actor: args.actor,
  };
  return { ...respond, dueAt: toDueAt.toISOString(), extensions: [...(respond.extensions ?? []), extension] };
}

// ---- Reading a clock

/** Where a request stands against its due time, in whole hours. */
export interface DueStanding {
  readonly state: 'due' | 'overdue';
  /** Hours left (`due`, rounded down) or hours past (`overdue`, rounded up). */
  readonly hours: number;
  /** "due in N hours" or "overdue by N hours". */
  readonly text: string;
}

const hoursText = (n: number) => `${n} hour${n === 1 ? '' : 's'}`;

/** "due in N hours" or "overdue by N hours" at `now`. */
export function dueStanding(dueAt: string, now: Date): DueStanding {
  const ms = new Date(dueAt).getTime() - now.getTime();
  if (ms >= 0) {
    const hours = Math.floor(ms / HOUR_MS);
    return { state: 'due', hours, text: `due in ${hoursText(hours)}` };
  }
  const hours = Math.ceil(-ms / HOUR_MS);
  return { state: 'overdue', hours, text: `overdue by ${hoursText(hours)}` };
}

/**
 * The longest a workflow wait may last so it ends `marginSeconds` before
 * `dueAt`: `wanted` seconds, or fewer; never less than `floorSeconds` (a Task
 * timeout must be positive; a wait already past the bound ends almost at once).
 */
export function boundedWaitSeconds(args: {
  readonly wanted: number;
  readonly dueAt: string;
  readonly now: Date;
  readonly marginSeconds: number;
  readonly floorSeconds?: number;
}): number {
  const left = Math.floor((new Date(args.dueAt).getTime() - args.now.getTime()) / 1000) - args.marginSeconds;
  return Math.max(args.floorSeconds ?? 1, Math.min(args.wanted, left));
}

/**
 * A delete's grace period, capped so the erasure fits before the deadline:
 * at most half of what is left before `dueAt − margin`, so the erasure and the
 * processors' acknowledgements get at least as long as the wait (a 72-hour
 * clock verified late gets a short grace period, not a missed deadline).
 */
export function cappedGraceSeconds(args: {
  readonly wanted: number;
  readonly dueAt: string;
  readonly now: Date;
  readonly marginSeconds: number;
}): number {
  const left = Math.floor((new Date(args.dueAt).getTime() - args.now.getTime()) / 1000) - args.marginSeconds;
  return Math.max(0, Math.min(args.wanted, Math.floor(left / 2)));
}

/** Parses the deployment's holiday list (`2026-12-25,2027-01-01`); throws naming a bad entry. */
export function parseHolidays(raw: string | undefined): ReadonlySet<string> {
  const days = (raw ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
  for (const day of days) {
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
      throw new Error(`holiday "${day}" is not a date YYYY-MM-DD`);
    }
  }
  return new Set(days);
}

// ---- On the ledger

/** The open-by-due index's key value (`deadlineWatch`): present only while the request is open. */
export const DEADLINE_WATCH_OPEN = 'open';

/** What the deadline job last told support about a request. */
export interface DeadlineNotice {
  readonly state: 'due_soon' | 'overdue';
  readonly at: string;
}

/** The ledger fields a new request gets from its clocks: `dueAt` (the respond clock), the clocks, the index key. */
export function clockFields(
  jurisdiction: Jurisdiction,
  type: RequestType,
  receivedAt: Date,
  calendar: ClockCalendar = {},
): { dueAt: string; clocks: RequestClocks; deadlineWatch: typeof DEADLINE_WATCH_OPEN } {
  const clocks = clocksFor(jurisdiction, type, receivedAt, calendar);
  return { dueAt: clocks.respond.dueAt, clocks, deadlineWatch: DEADLINE_WATCH_OPEN };
}
