import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { s3Client } from '../aws/clients';
import { config, hashingKey, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { limitClientIp } from '../aws/rate-limit';
import { constantTimeEqual, keyedHash } from '../core/crypto';
import { RequestId } from '../core/request';
import { httpError, httpRoute } from '../middleware/http';

const ExportToken = z.string().min(20).max(200);

const forbidden = () =>
  httpError(403, 'invalid_link', 'this download link is not valid; use the newest link from your email');

/**
 * GET /requests/{requestId}/export?token=...: checks the emailed token and
 * redirects to a pre-signed URL valid for minutes, minted now. Every attempt,
 * malformed or not, spends the client IP's verify budget (429 over it), so
 * tokens cannot be guessed at speed.
 */
export async function downloadExport(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  await limitClientIp(event, 'verify');
  const id = RequestId.safeParse(event.pathParameters?.requestId);
  const token = ExportToken.safeParse(event.queryStringParameters?.token);
  if (!id.success || !token.success) throw forbidden();
  const requestId = id.data;
  const record = await ledgerTable().get(requestId);
  const info = record?.exportInfo;
  // Hash and compare even for an unknown id, so a miss takes as long as a wrong token.
  const presented = keyedHash(await hashingKey(), 'export-token', token.data);
  const stored = info?.tokenHash ?? '0'.repeat(presented.length);
  if (!constantTimeEqual(presented, stored) || !record || !info) throw forbidden();
  if (Date.parse(info.expiresAt) <= Date.now()) {
    throw httpError(
      410,
      'link_expired',
      'this download link has expired; please submit a new access request',
    );
  }
  // The link is minted only after the zip is stored, just before MarkCompleted runs: both states are ready.
  if (record.status !== 'completed' && record.status !== 'in_progress') {
    throw httpError(409, 'not_ready', 'your data is not ready yet; please try again shortly');
  }
  const cfg = config();
  const url = await getSignedUrl(
    s3Client(),
    new GetObjectCommand({
      Bucket: cfg.DSR_EXPORT_BUCKET,
      Key: info.key,
      ResponseContentDisposition: `attachment; filename="impor-in-data-${requestId}.zip"`,
      ResponseContentType: 'application/zip',
    }),
    { expiresIn: Math.min(cfg.DSR_PRESIGNED_URL_TTL_SECONDS, 300) },
  );
  await ledgerTable()
    .countDownload(requestId)
    .catch((error: unknown) =>
      logger.warn('could not count a download', { requestId, errorName: (error as Error).name }),
    );
  logger.info('export downloaded', { requestId });
  return {
    statusCode: 302,
    headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    body: '',
  };
}

export const handler = httpRoute(downloadExport);
