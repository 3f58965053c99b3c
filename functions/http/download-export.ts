import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { config, exportDownloads, hashingKey, ledgerTable, log } from '../aws/composition-root';
import { limitClientIp } from '../aws/rate-limit';
import { authorizeDownload } from '../core/export/download';
import { httpRoute } from '../middleware/http';

/**
 * GET /requests/{requestId}/export?token=...: checks the emailed token and
 * redirects to a pre-signed URL valid for minutes, minted now. Every attempt,
 * malformed or not, spends the client IP's verify budget (429 over it), so
 * tokens cannot be guessed at speed.
 */
export async function downloadExport(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  await limitClientIp(event, 'verify');
  const settings = { linkTtlSeconds: config().presignedUrlTtlSeconds };
  const ports = { ledger: ledgerTable(), hashingKey, links: exportDownloads(), log: log(), settings };
  const input = { requestId: event.pathParameters?.requestId, token: event.queryStringParameters?.token };
  const { url } = await authorizeDownload(ports, input);
  return {
    statusCode: 302,
    headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    body: '',
  };
}

export const handler = httpRoute(downloadExport);
