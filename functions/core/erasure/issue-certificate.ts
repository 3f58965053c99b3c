/** IssueCertificate: the certificate of erasure stored, recorded in the ledger and summarised to the subject. */
import { auditEmailSent, auditStep } from '../audit/events';
import type { DataMap } from '../data-map';
import { contactOf } from '../ledger-record';
import type {
  AuditTrail,
  Clock,
  Log,
  Mailer,
  OutcomeMailLedger,
  RequestLedger,
  RetentionLedger,
} from '../ports';
import { type CertificateStorage, issueCertificate, retentionOf } from './certificate';
import { erasureSummaryMail } from './certificate-mail';

/** What IssueCertificate needs from outside. */
export interface IssueCertificatePorts extends CertificateStorage {
  readonly ledger: Pick<RequestLedger, 'require'> &
    Pick<RetentionLedger, 'setCertificate'> &
    OutcomeMailLedger;
  readonly dataMap: DataMap;
  readonly mailer: Mailer;
  readonly log: Log;
  readonly clock?: Clock;
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
}

/**
 * IssueCertificate: writes the certificate of erasure (JSON + HTML, keyed
 * subject hash only; data stores and the processors told) to the audit bucket,
 * records it and what is retained in the ledger, and emails the subject a
 * bilingual summary that says which processors confirmed and which support follows up.
 */
export async function issueRequestCertificate(
  ports: IssueCertificatePorts,
  input: { readonly requestId: string },
): Promise<{ jsonKey: string; htmlKey: string }> {
  const { requestId } = input;
  const { ledger } = ports;
  const record = await ledger.require(requestId);
  // A retry re-issues the same document: same issue time as the one already recorded.
  const issuedAt = record.certificate
    ? new Date(record.certificate.issuedAt)
    : (ports.clock ?? (() => new Date()))();
  const { certificate, jsonKey, htmlKey } = await issueCertificate(ports, {
    record,
    dataMap: ports.dataMap,
    issuedAt,
  });
  await ledger.setCertificate(
    requestId,
    { jsonKey, htmlKey, issuedAt: certificate.issuedAt },
    retentionOf(record, certificate),
  );
  await auditStep(ports.auditTrail, requestId, 'certificate_issued', { ...certificate.totals });
  const mail = erasureSummaryMail(record.locale, certificate);
  // Claimed before it goes (released if the send fails): a retry after the send mails nothing more.
  const at = certificate.issuedAt;
  if (await ledger.claimOutcomeMail(requestId, at, 'certificate')) {
    try {
      await ports.mailer.send({ to: contactOf(record).email, ...mail });
    } catch (error) {
      await ledger.releaseOutcomeMail(requestId, at, 'certificate');
      throw error;
    }
  }
  ports.log.info('certificate issued', {
    requestId,
    ...certificate.totals,
    processors: certificate.processors.length,
    processorsEscalated: certificate.processors.filter((p) => p.status === 'escalated').length,
  });
  await auditEmailSent(ports.auditTrail, requestId, 'erasure-certificate');
  return { jsonKey, htmlKey };
}
