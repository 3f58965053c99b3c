import {
  auditObjects,
  auditTrail,
  config,
  exportObjects,
  ledgerTable,
  log,
  mailer,
} from '../aws/composition-root';
import { ENV } from '../aws/config';
import { withTransient } from '../aws/errors';
import { certifyErasure } from '../core/requests/certified-erasure';
import * as z from '../core/zod';

const Input = z.object({ requestId: z.string().check(z.minLength(1)) });

/** Thrown when the audit bucket is not configured: no certificate can be stored. Not retried. */
export class AuditBucketMissingError extends Error {
  override readonly name = 'AuditBucketMissing';
}

/**
 * IssueCertificate: writes the certificate of erasure (JSON + HTML, keyed
 * subject hash only; data stores and the processors told) to the audit bucket,
 * records it and what is retained in the ledger, and emails the subject a
 * bilingual summary that says which processors confirmed and which support follows up;
 * then completes the request (core/requests/certified-erasure).
 */
export async function handler(event: unknown): Promise<{ jsonKey: string; htmlKey: string }> {
  const input = z.parse(Input, event);
  const { dataMap, auditBucket } = config();
  if (!auditBucket) throw new AuditBucketMissingError(`${ENV.auditBucket} is not set`);
  const ports = { ledger: ledgerTable(), exports: exportObjects(), audit: auditObjects() };
  return withTransient(() =>
    certifyErasure({ ...ports, dataMap, mailer: mailer(), log: log(), auditTrail: auditTrail() }, input),
  );
}
