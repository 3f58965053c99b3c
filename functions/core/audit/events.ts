/**
 * The events other use cases record, one function each, so their edits stay
 * one line: the event id (what makes a retried task append nothing new), the
 * kind, and details that are ids and counts only. Emails are recorded by
 * template id, never by content or recipient.
 */
import { createHash } from 'node:crypto';
import type { AuditTrail } from '../ports';
import { eventIdPart, recordAudit } from './trail';

type Audit = AuditTrail | undefined;

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The email templates the audit trail names (ids, not content). */
export type EmailTemplateId =
  | 'verification'
  | 'verification-resent'
  | 'export-ready'
  | 'erasure-scheduled'
  | 'erasure-certificate'
  | 'opt-out-confirmed'
  | 'change-confirmed'
  | 'support-processor-escalation'
  | 'verification-expired'
  | 'verification-rejected';

/** The request was received (recorded from the ledger entry by the workflow's first step). */
export const auditReceived = (
  audit: Audit,
  record: {
    readonly requestId: string;
    readonly type: string;
    readonly jurisdiction: string;
    readonly locale: string;
    readonly receivedAt: string;
  },
) =>
  recordAudit(audit, record.requestId, {
    eventId: 'received',
    kind: 'received',
    ...(Number.isNaN(Date.parse(record.receivedAt)) ? {} : { at: new Date(record.receivedAt) }),
    // Only what the entry has (an entry from an older version may lack a field).
    details: Object.fromEntries(
      Object.entries({ type: record.type, jurisdiction: record.jurisdiction, locale: record.locale }).filter(
        ([, v]) => typeof v === 'string',
      ),
    ),
  });

/** A verification code (and link) went out; `token` tells one sending from another (a task token, never stored). */
export async function auditCodeSent(
  audit: Audit,
  requestId: string,
  token: string,
  template: EmailTemplateId,
  at: Date,
): Promise<void> {
  // One after the other: the chain's order is the order things happened.
  await recordAudit(audit, requestId, { eventId: `code-sent:${eventIdPart(token)}`, kind: 'code_sent', at });
  await auditEmailSent(audit, requestId, template, `${template}:${eventIdPart(token)}`, at);
}

/** The person proved their address (`at`: when the ledger recorded it, else now). */
export const auditVerified = (
  audit: Audit,
  record: {
    readonly requestId: string;
    readonly history: readonly { readonly status: string; readonly at: string }[];
  },
) => {
  const at = record.history.find((h) => h.status === 'verified')?.at;
  return recordAudit(audit, record.requestId, {
    eventId: 'verified',
    kind: 'verified',
    ...(at ? { at: new Date(at) } : {}),
  });
};

/** The stores and processors the request visits. */
export const auditPlanned = (audit: Audit, requestId: string, storeIds: readonly string[]) =>
  recordAudit(audit, requestId, { eventId: 'planned', kind: 'planned', details: { stores: [...storeIds] } });

/** One store's outcome, with its counts (records exported, erased, updated, kept, remaining). */
export const auditStore = (
  audit: Audit,
  requestId: string,
  storeId: string,
  kind:
    | 'store_exported'
    | 'store_erased'
    | 'store_erasure_verified'
    | 'store_opted_out'
    | 'store_changed'
    | 'store_failed',
  counts: Readonly<Record<string, number | string>>,
) =>
  recordAudit(audit, requestId, {
    eventId: `store:${storeId}:${kind}`,
    kind,
    details: { storeId, ...counts },
  });

/** A processor was called (`attempt`: how many deliveries it took) or answered. */
export const auditProcessor = (
  audit: Audit,
  requestId: string,
  processorId: string,
  kind: 'processor_called' | 'processor_acknowledged' | 'processor_escalated',
  details: Readonly<Record<string, number | string | boolean>> = {},
) =>
  recordAudit(audit, requestId, {
    eventId: `processor:${processorId}:${kind}`,
    kind,
    details: { processorId, ...details },
  });

/** An email went out: which template, never its content or recipient. */
export const auditEmailSent = (
  audit: Audit,
  requestId: string,
  template: EmailTemplateId,
  eventId: string = template,
  at?: Date,
) =>
  recordAudit(audit, requestId, {
    eventId: `email:${eventId}`,
    kind: 'email_sent',
    ...(at ? { at } : {}),
    details: { template },
  });

/** Any other one-off step of the request (package built, certificate issued, suppression recorded). */
export const auditStep = (
  audit: Audit,
  requestId: string,
  kind:
    | 'package_built'
    | 'certificate_issued'
    | 'suppression_recorded'
    | 'suppressed'
    | 'preferences_recorded'
    | 'change_confirmed',
  details: Readonly<Record<string, number | string | boolean>> = {},
) => recordAudit(audit, requestId, { eventId: kind, kind, details });

/** The request's end (completed, failed with its error class, expired, rejected, cancelled). */
export const auditOutcome = (
  audit: Audit,
  requestId: string,
  outcome: 'completed' | 'failed' | 'expired' | 'rejected' | 'cancelled',
  error?: string,
) =>
  recordAudit(audit, requestId, {
    eventId: `outcome:${outcome}`,
    kind: outcome,
    // An error class name only (the cause may hold anything), reduced to id characters.
    details: error ? { error: error.replace(/[^A-Za-z0-9._:#/-]/g, '_').slice(0, 128) } : {},
  });

/**
 * A support action or a deadline extension (for the support-actions and clock owners to call). The
 * actor and the free-text reason stay in the ledger; the chain holds their SHA-256, which binds it
 * to them without copying text that may name a person. `actionId` makes a retried action append once.
 */
export const auditSupportAction = (
  audit: Audit,
  requestId: string,
  action: {
    readonly actionId: string;
    readonly kind: 'support_action' | 'deadline_extended';
    /** e.g. `retry`, `complete`, `fail`, `extend`, `cancel`. */
    readonly name: string;
    readonly actor: string;
    readonly reason: string;
    readonly at?: Date;
  },
) =>
  recordAudit(audit, requestId, {
    eventId: `support:${action.actionId}`,
    kind: action.kind,
    ...(action.at ? { at: action.at } : {}),
    details: {
      action: action.name,
      actorSha256: sha256Hex(action.actor),
      reasonSha256: sha256Hex(action.reason),
    },
  });
