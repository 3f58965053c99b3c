import { z } from 'zod';
import { s3Client, sesClient } from '../aws/clients';
import { config, ledgerTable } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { sendMail } from '../aws/mailer';
import { contactOf } from '../core/ledger-record';
import { issueCertificate, retentionOf } from '../erasure/certificate';
import { erasureSummaryMail } from '../erasure/certificate-mail';

const Input = z.object({ requestId: z.string().min(1) });

/** Thrown when the audit bucket is not configured: no certificate can be stored. Not retried. */
export class AuditBucketMissingError extends Error {
  override readonly name = 'AuditBucketMissing';
}

/**
 * IssueCertificate: writes the certificate of erasure (JSON + HTML, keyed
 * subject hash only; data stores and the processors told) to the audit bucket,
 * records it and what is retained in the ledger, and emails the subject a
 * bilingual summary that says which processors confirmed and which support follows up.
 */
export async function handler(event: unknown): Promise<{ jsonKey: string; htmlKey: string }> {
  const { requestId } = Input.parse(event);
  const cfg = config();
  if (!cfg.DSR_AUDIT_BUCKET) throw new AuditBucketMissingError('DSR_AUDIT_BUCKET is not set');
  const auditBucket = cfg.DSR_AUDIT_BUCKET;
  const ledger = ledgerTable();
  const record = await ledger.require(requestId);
  // A retry re-issues the same document: same issue time as the one already recorded.
  const issuedAt = record.certificate ? new Date(record.certificate.issuedAt) : new Date();
  const { certificate, jsonKey, htmlKey } = await withTransient(() =>
    issueCertificate(
      { s3: s3Client(), exportBucket: cfg.DSR_EXPORT_BUCKET, auditBucket },
      { record, dataMap: cfg.dataMap, issuedAt },
    ),
  );
  await ledger.setCertificate(
    requestId,
    { jsonKey, htmlKey, issuedAt: certificate.issuedAt },
    retentionOf(record, certificate),
  );
  const mail = erasureSummaryMail(record.locale, certificate);
  await sendMail(sesClient(), cfg.DSR_MAIL_FROM, { to: contactOf(record).email, ...mail });
  logger.info('certificate issued', {
    requestId,
    ...certificate.totals,
    processors: certificate.processors.length,
    processorsEscalated: certificate.processors.filter((p) => p.status === 'escalated').length,
  });
  return { jsonKey, htmlKey };
}
