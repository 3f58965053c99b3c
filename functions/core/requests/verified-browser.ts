/**
 * The browser that entered a request's code (it proved the address and holds
 * the request's status token) may fetch the request's outcome from the status
 * page; the read-only status link from the email may not. Its proof is an HMAC
 * of the request id and the status token, kept in an HttpOnly cookie: nothing
 * is stored, it is useless without the status token cookie beside it, and both
 * are compared in constant time.
 */
import { constantTimeEqual, keyedHash } from '../crypto';
import { type DownloadPorts, mintDownload } from '../export/download';
import type { LedgerRecord } from '../ledger-record';
import type { ObjectStore, RequestLedger } from '../ports';
import { RefusedError } from '../refusal';
import { RequestId } from '../request';

/** The proof a browser keeps once its code was accepted for `requestId`. */
export function verifiedBrowserProof(key: Buffer, requestId: string, statusToken: string): string {
  return keyedHash(key, 'verified-browser', `${requestId}\u0000${statusToken}`);
}

/** Whether `proof` is the one issued to the holder of `statusToken` for `requestId`. */
export function provesVerifiedBrowser(
  key: Buffer,
  requestId: string,
  statusToken: string,
  proof: string,
): boolean {
  return constantTimeEqual(proof, verifiedBrowserProof(key, requestId, statusToken));
}

/** What the verified browser presents: its two cookies' values for this request. */
export interface VerifiedBrowser {
  readonly requestId: unknown;
  readonly statusToken: string | undefined;
  readonly proof: string | undefined;
}

/**
 * The download of an access request's zip for the browser that verified it:
 * its status token must match the request's and its proof must be ours; then
 * the same rules as the emailed link (expiry, readiness, a link for minutes).
 *
 * @throws RefusedError: `invalid_link` (one answer for every mismatch), `link_expired` or `not_ready`.
 */
export async function authorizeVerifiedBrowserDownload(
  ports: DownloadPorts,
  browser: VerifiedBrowser,
): Promise<{ url: string }> {
  const record = await verifiedRecord(ports, browser);
  if (!record.exportInfo) throw invalidLink();
  return mintDownload(ports, record, record.exportInfo);
}

export interface CertificatePorts {
  readonly ledger: Pick<RequestLedger, 'get'>;
  readonly hashingKey: () => Promise<Buffer>;
  /** The audit bucket, where the certificate's page was written once. */
  readonly certificates: Pick<ObjectStore, 'open'>;
}

/**
 * The certificate of erasure's page (bilingual HTML; it names the person only
 * by a keyed hash) for the browser that entered the delete's code.
 *
 * @throws RefusedError: `invalid_link` (one answer for every mismatch, and for a request with no certificate yet).
 */
export async function verifiedBrowserCertificate(
  ports: CertificatePorts,
  browser: VerifiedBrowser,
): Promise<string> {
  const record = await verifiedRecord(ports, browser);
  const page = record.certificate ? await ports.certificates.open(record.certificate.htmlKey) : undefined;
  if (!page) throw invalidLink();
  const chunks: Buffer[] = [];
  for await (const chunk of page) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

const invalidLink = () => new RefusedError('invalid_link', 'this browser cannot open this request’s outcome');

/** The request, when the browser's status token is the request's and its proof is ours; else `invalid_link`. */
async function verifiedRecord(
  ports: Pick<CertificatePorts, 'ledger' | 'hashingKey'>,
  browser: VerifiedBrowser,
): Promise<LedgerRecord> {
  const id = RequestId.safeParse(browser.requestId);
  if (!id.success || !browser.statusToken || !browser.proof) throw invalidLink();
  const key = await ports.hashingKey();
  const record = await ports.ledger.get(id.data);
  // Hash and compare even for an unknown id, so a miss takes as long as a wrong token.
  const presented = keyedHash(key, 'status-token', browser.statusToken);
  const stored = record?.statusTokenHash ?? '0'.repeat(presented.length);
  const tokenOk = constantTimeEqual(presented, stored);
  const proofOk = provesVerifiedBrowser(key, id.data, browser.statusToken, browser.proof);
  if (!tokenOk || !proofOk || !record) throw invalidLink();
  return record;
}
