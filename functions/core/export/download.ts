/** The download of an export zip: the emailed token is checked, then a link valid for minutes is minted. */
import { z } from 'zod';
import { constantTimeEqual, keyedHash } from '../crypto';
import type { Clock, DownloadLinks, Log, RequestLedger } from '../ports';
import { RequestId } from '../request';

const ExportToken = z.string().min(20).max(200);

/** The link is malformed, unknown, or not the newest one. */
export class DownloadLinkInvalidError extends Error {
  override readonly name = 'DownloadLinkInvalid';
}

/** The link's time is up. */
export class DownloadLinkExpiredError extends Error {
  override readonly name = 'DownloadLinkExpired';
}

/** The request is not at a status where its zip can be fetched. */
export class ExportNotReadyError extends Error {
  override readonly name = 'ExportNotReady';
}

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
 * @throws DownloadLinkInvalidError, DownloadLinkExpiredError, ExportNotReadyError.
 */
export async function authorizeDownload(
  ports: DownloadPorts,
  input: { readonly requestId: unknown; readonly token: unknown },
): Promise<{ url: string }> {
  const id = RequestId.safeParse(input.requestId);
  const token = ExportToken.safeParse(input.token);
  if (!id.success || !token.success) throw new DownloadLinkInvalidError('malformed download link');
  const requestId = id.data;
  const record = await ports.ledger.get(requestId);
  const info = record?.exportInfo;
  // Hash and compare even for an unknown id, so a miss takes as long as a wrong token.
  const presented = keyedHash(await ports.hashingKey(), 'export-token', token.data);
  const stored = info?.tokenHash ?? '0'.repeat(presented.length);
  if (!constantTimeEqual(presented, stored) || !record || !info) {
    throw new DownloadLinkInvalidError('unknown download link');
  }
  const now = (ports.clock ?? (() => new Date()))();
  if (Date.parse(info.expiresAt) <= now.getTime())
    throw new DownloadLinkExpiredError('download link expired');
  // The link is minted only after the zip is stored, just before MarkCompleted runs: both states are ready.
  if (record.status !== 'completed' && record.status !== 'in_progress') {
    throw new ExportNotReadyError('export not ready');
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
