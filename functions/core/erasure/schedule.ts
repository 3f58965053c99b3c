/** ScheduleErasure: a verified delete's grace period, with a cancel link emailed to the subject. */
import { auditEmailSent, auditVerified } from '../audit/events';
import { cappedGraceSeconds, DEFAULT_DEADLINE_MARGIN_SECONDS } from '../clocks';
import { type HashPurpose, keyedHash, randomToken } from '../crypto';
import { erasureScheduledMail } from '../emails';
import { contactOf } from '../ledger-record';
import type { AuditTrail, Clock, Log, Mailer, OutcomeMailLedger, RequestLedger } from '../ports';
import { type ClockStartPorts, startClockAtVerification } from '../requests/clock-start';

// The cancel link's token purpose; the cast goes once `HashPurpose` lists 'cancel-token'.
const CANCEL_TOKEN_PURPOSE = 'cancel-token' satisfies HashPurpose;

/** What the workflow waits on: the grace period's end (and the seconds left, for the log and the email). */
export interface ErasureSchedule {
  readonly requestId: string;
  readonly graceSeconds: number;
  /** RFC 3339, whole seconds: the Wait state's `TimestampPath`. */
  readonly graceEndsAt: string;
}

/** What ScheduleErasure needs from outside. */
export interface ScheduleErasurePorts {
  readonly ledger: Pick<RequestLedger, 'require' | 'advance' | 'schedule'> & OutcomeMailLedger;
  readonly hashingKey: () => Promise<Buffer>;
  readonly mailer: Mailer;
  readonly log: Log;
  readonly clock?: Clock;
  /** setting `publicUrl` (no trailing slash) and setting `deleteGraceSeconds`. */
  readonly settings: {
    readonly publicUrl: string;
    readonly graceSeconds: number;
    /** Seconds before the due time by which every wait must end (default 6 h). */
    readonly deadlineMarginSeconds?: number;
  };
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
  /** Starting the respond clock at verification, where the deployment chose it. */
  readonly clockStart?: ClockStartPorts;
}

/** The configured grace period, capped (for requests with clocks) so the erasure fits before the deadline. */
function graceFor(
  record: { readonly dueAt: string; readonly clocks?: unknown },
  settings: ScheduleErasurePorts['settings'],
  now: Date,
): number {
  if (!record.clocks) return settings.graceSeconds;
  return cappedGraceSeconds({
    wanted: settings.graceSeconds,
    dueAt: record.dueAt,
    now,
    marginSeconds: settings.deadlineMarginSeconds ?? DEFAULT_DEADLINE_MARGIN_SECONDS,
  });
}

/**
 * Starts a verified delete's grace period (`scheduled`, with the hash of a
 * fresh cancel token) and emails the cancel link and when erasure starts.
 * Returns when the grace period ends, which the ASL's Wait state reads. A retry
 * on a scheduled request mints a new token and emails again (only the newest
 * link works), keeping the original end of the grace period.
 */
export async function scheduleErasure(
  ports: ScheduleErasurePorts,
  input: { readonly requestId: string },
): Promise<ErasureSchedule> {
  const { requestId } = input;
  const { ledger, settings } = ports;
  const read = await ledger.require(requestId);
  if (read.status === 'pending_verification') {
    // As in PlanStores: the workflow resumed, so the verify endpoint's own ledger write may have been lost.
    await ledger.advance(requestId, 'verify', { note: 'recorded by the workflow' });
  }
  await auditVerified(ports.auditTrail, read);
  // A retry after the cancel link went out keeps that link working and sends nothing more.
  if (read.outcomeMailAt && read.erasureSchedule) {
    const left = Math.ceil((Date.parse(read.erasureSchedule.graceEndsAt) - Date.now()) / 1000);
    ports.log.info('erasure already scheduled and mailed', { requestId });
    await auditEmailSent(ports.auditTrail, requestId, 'erasure-scheduled');
    return {
      requestId,
      graceSeconds: Math.max(0, left),
      graceEndsAt: waitUntil(read.erasureSchedule.graceEndsAt),
    };
  }
  const token = randomToken();
  const now = (ports.clock ?? (() => new Date()))();
  // Before the grace period is capped by the due time: where chosen, the clock starts at verification.
  const verified = read.status === 'pending_verification' ? await ledger.require(requestId) : read;
  const record = await startClockAtVerification(ports.clockStart, verified, now);
  const schedule = await ledger.schedule(
    requestId,
    {
      graceEndsAt: new Date(now.getTime() + graceFor(record, settings, now) * 1000).toISOString(),
      cancelTokenHash: keyedHash(await ports.hashingKey(), CANCEL_TOKEN_PURPOSE, token),
    },
    now,
  );
  const startsAt = new Date(schedule.graceEndsAt);
  const graceSeconds = Math.max(0, Math.ceil((startsAt.getTime() - now.getTime()) / 1000));
  const link = `${settings.publicUrl}/requests/${encodeURIComponent(requestId)}/cancel?token=${encodeURIComponent(token)}`;
  const mail = erasureScheduledMail(record.locale, { requestId, link, startsAt, graceSeconds });
  // Claimed before it goes (released if the send fails): the cancel link is mailed once.
  const at = now.toISOString();
  if (await ledger.claimOutcomeMail(requestId, at)) {
    try {
      await ports.mailer.send({ to: contactOf(record).email, ...mail });
    } catch (error) {
      await ledger.releaseOutcomeMail(requestId, at);
      throw error;
    }
  }
  ports.log.info('erasure scheduled', { requestId, graceSeconds });
  await auditEmailSent(ports.auditTrail, requestId, 'erasure-scheduled');
  return { requestId, graceSeconds, graceEndsAt: waitUntil(schedule.graceEndsAt) };
}

/** The end of the grace period as the Wait state reads it: whole seconds, rounded up, RFC 3339. */
function waitUntil(graceEndsAt: string): string {
  return new Date(Math.ceil(Date.parse(graceEndsAt) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
