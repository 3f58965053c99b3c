/** The download of an export zip: the emailed token is checked, then a link valid for minutes is minted. */

import { constantTimeEqual, keyedHash } from '../crypto';
import type { LedgerRecord } from '../ledger-record';
import type { Clock, DownloadLinks, Log, RequestLedger } from '../ports';
import { RefusedError } from '../refusal';
import { RequestId } from '../request';
import * as z from '../zod';

const ExportToken = z.string().check(z.minLength(20), z.maxLength(200));

/** The link is malformed, unknown, or not the newest one: one answer for all three. */
const invalidLink = () =>
  new RefusedError('invalid_link', 'this download link is not valid; use the newest link from your email');

/** What a download needs from outside. */
export interface DownloadPorts {
  readonly ledger: Pick<RequestLedger, 'get' | 'countDownload'>;
  readonly hashingKey: () => Promise<Buffer>;
  readonly links: DownloadLinks;
  readonly log: Log;
  readonly clock?: Clock;
  /** setting `presignedUrlTtlSeconds` (capped at 5 minutes here). */
  readonly settings: { readonly linkTtlSeconds: number };
}

/**
 * Checks the emailed token of `requestId` and mints a short-lived download
 * URL for its zip; counts the download (best effort).
 *
 * @throws RefusedError: `invalid_link`, `link_expired` or `not_ready`.
 */
export async function authorizeDownload(
  ports: DownloadPorts,
  input: { readonly requestId: unknown; readonly token: unknown },
): Promise<{ url: string }> {
  const id = RequestId.safeParse(input.requestId);
  const token = ExportToken.safeParse(input.token);
  if (!id.success || !token.success) throw invalidLink();
  const requestId = id.data;
  const record = await ports.ledger.get(requestId);
  const info = record?.exportInfo;
  // Hash and compare even for an unknown id, so a miss takes as long as a wrong token.
  const presented = keyedHash(await ports.hashingKey(), 'export-token', token.data);
  const stored = info?.tokenHash ?? '0'.repeat(presented.length);
  if (!constantTimeEqual(presented, stored) || !record || !info) {
    throw invalidLink();
  }
  return mintDownload(ports, record, info);
}

/**
 * The download URL of `record`'s zip once its link was checked (by the emailed
 * token, or by the browser that verified the request): refused when expired or
 * not ready, else valid for minutes; counts the download (best effort).
 */
export async function mintDownload(
  ports: DownloadPorts,
  record: LedgerRecord,
  info: NonNullable<LedgerRecord['exportInfo']>,
): Promise<{ url: string }> {
  const { requestId } = record;
  const now = (ports.clock ?? (() => new Date()))();
  if (Date.parse(info.expiresAt) <= now.getTime())
    throw new RefusedError(
      'link_expired',
      'this download link has expired; please submit a new access request',
    );
  // The link is minted only after the zip is stored, just before the same task completes the request: both states are ready.
  if (record.status !== 'completed' && record.status !== 'in_progress') {
    throw new RefusedError('not_ready', 'your data is not ready yet; please try again shortly');
  }
  const url = await ports.links.downloadUrl(info.key, {
    fileName: `impor-in-data-${requestId}.zip`,
    contentType: 'application/zip',
    expiresInSeconds: Math.min(ports.settings.linkTtlSeconds, 300),
  });
  await ports.ledger
    .countDownload(requestId)
    .catch((error: unknown) =>
      ports.log.warn('could not count a download', { requestId, errorName: (error as Error).name }),
    );
  ports.log.info('export downloaded', { requestId });
  return { url };
}
