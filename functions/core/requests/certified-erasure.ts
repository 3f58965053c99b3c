/** The end of a delete: the certificate of erasure (core/erasure), then the request completed. */
import { type IssueCertificatePorts, issueRequestCertificate } from '../erasure/issue-certificate';
import { completeRequest, type OutcomePorts } from './outcome';

/** What IssueCertificate needs, and what completing the request needs. */
export interface CertifiedErasurePorts extends IssueCertificatePorts {
  readonly ledger: IssueCertificatePorts['ledger'] & OutcomePorts['ledger'];
}

/**
 * Issues the certificate of erasure (emailed once: claimed in the ledger),
 * then completes the request with the same write as RecordOutcome's
 * "completed", so no MarkCompleted state follows. A retry after a completion
 * that failed midway only completes: the request is minimised by then.
 */
export async function certifyErasure(
  ports: CertifiedErasurePorts,
  input: { readonly requestId: string },
): Promise<{ jsonKey: string; htmlKey: string }> {
  const { requestId } = input;
  const record = await ports.ledger.require(requestId);
  const keys =
    record.status === 'completed' && record.certificate
      ? { jsonKey: record.certificate.jsonKey, htmlKey: record.certificate.htmlKey }
      : await issueRequestCertificate(ports, input);
  await completeRequest(ports, requestId);
  return keys;
}
