/** SendExportLink: the emailed link to the export zip, through the API (never a pre-signed URL). */
import { auditEmailSent } from '../audit/events';
import { keyedHash, randomToken } from '../crypto';
import { exportReadyMail } from '../emails';
import { contactOf } from '../ledger-record';
import type { AuditTrail, Clock, Log, Mailer, OutcomeMailLedger, RequestLedger } from '../ports';
import { completeRequest, type OutcomePorts } from '../requests/outcome';

/** What SendExportLink needs from outside. */
export interface ExportLinkPorts {
  readonly ledger: Pick<RequestLedger, 'require' | 'setExportInfo'> &
    OutcomeMailLedger &
    OutcomePorts['ledger'];
  readonly hashingKey: () => Promise<Buffer>;
  readonly mailer: Mailer;
  readonly log: Log;
  readonly clock?: Clock;
  /** setting `publicUrl` (no trailing slash) and setting `exportLinkTtlSeconds`. */
  readonly settings: { readonly publicUrl: string; readonly linkTtlSeconds: number };
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
}

/** Records found across the plan's stores, from the ledger's per-store progress; undefined if any count is missing. */
function recordsFound(stores: Record<string, { readonly records?: number }> | undefined): number | undefined {
  const counts = Object.values(stores ?? {}).map((s) => s.records);
  if (counts.length === 0 || counts.some((n) => typeof n !== 'number')) return undefined;
  return (counts as number[]).reduce((sum, n) => sum + n, 0);
}

/**
 * Mints an expiring download token, stores its hash, emails a link to the API.
 * A subject we hold nothing about is told so plainly, through the same steps
 * and the same kind of email. Sent once: the email is claimed in the ledger
 * before it goes (released if the send fails), so a retry after it went out
 * neither mails again nor replaces the token the emailed link carries.
 * Ends by completing the request (the same write as RecordOutcome's), so a
 * retry after a failed completion only completes.
 */
export async function sendExportLink(
  ports: ExportLinkPorts,
  input: { readonly requestId: string; readonly key: string },
): Promise<{ requestId: string }> {
  const { requestId, key } = input;
  const { ledger, settings } = ports;
  const record = await ledger.require(requestId);
  // Completed (and minimised) by an earlier attempt whose end failed: only the completion is left.
  if (record.status === 'completed') return complete(ports, requestId);
  if (record.outcomeMailAt) {
    ports.log.info('export link already sent', { requestId });
    await auditEmailSent(ports.auditTrail, requestId, 'export-ready');
    return complete(ports, requestId);
  }
  const token = randomToken();
  const now = (ports.clock ?? (() => new Date()))();
  await ledger.setExportInfo(requestId, {
    key,
    tokenHash: keyedHash(await ports.hashingKey(), 'export-token', token),
    expiresAt: new Date(now.getTime() + settings.linkTtlSeconds * 1000).toISOString(),
    downloads: 0,
  });
  const link = `${settings.publicUrl}/requests/${encodeURIComponent(requestId)}/export?token=${encodeURIComponent(token)}`;
  const mail = exportReadyMail(record.locale, {
    requestId,
    link,
    days: Math.max(1, Math.round(settings.linkTtlSeconds / 86400)),
    records: recordsFound(record.stores),
  });
  const at = now.toISOString();
  if (!(await ledger.claimOutcomeMail(requestId, at))) return complete(ports, requestId);
  try {
    await ports.mailer.send({ to: contactOf(record).email, ...mail });
  } catch (error) {
    await ledger.releaseOutcomeMail(requestId, at);
    throw error;
  }
  ports.log.info('export link sent', { requestId });
  await auditEmailSent(ports.auditTrail, requestId, 'export-ready');
  return complete(ports, requestId);
}

async function complete(ports: ExportLinkPorts, requestId: string): Promise<{ requestId: string }> {
  await completeRequest(ports, requestId);
  return { requestId };
}
