import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { auditObjects, config, exportDownloads, hashingKey, ledgerTable, log } from '../aws/composition-root';
import { limitClientIp } from '../aws/rate-limit';
import { authorizeDownload } from '../core/export/download';
import {
  authorizeVerifiedBrowserDownload,
  type VerifiedBrowser,
  verifiedBrowserCertificate,
} from '../core/requests/verified-browser';
import { Browser, STORED_PAGE_HEADERS } from '../middleware/browser';
import { httpRoute } from '../middleware/http';

/** The cookies of the browser that entered the request's code (the status page's download link). */
function verifiedBrowser(event: APIGatewayProxyEvent, requestId: string | undefined): VerifiedBrowser {
  const browser = new Browser(event);
  const id = requestId ?? '';
  return { requestId, statusToken: browser.statusTokenFor(id), proof: browser.verifiedProofFor(id) };
}

/**
 * GET /requests/{requestId}/export?token=...: checks the emailed token and
 * redirects to a pre-signed URL valid for minutes, minted now. Without a token
 * (the status page's link) only the browser that entered the code may: its
 * status token and verified-browser cookies are checked instead. Every attempt,
 * malformed or not, spends the client IP's verify budget (429 over it), so
 * tokens cannot be guessed at speed.
 */
export async function downloadExport(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  await limitClientIp(event, 'verify');
  if (event.resource?.endsWith('/certificate')) return certificatePage(event);
  const settings = { linkTtlSeconds: config().presignedUrlTtlSeconds };
  const ports = { ledger: ledgerTable(), hashingKey, links: exportDownloads(), log: log(), settings };
  const requestId = event.pathParameters?.requestId;
  const token = event.queryStringParameters?.token;
  const { url } =
    token === undefined
      ? await authorizeVerifiedBrowserDownload(ports, verifiedBrowser(event, requestId))
      : await authorizeDownload(ports, { requestId, token });
  return {
    statusCode: 302,
    headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    body: '',
  };
}

/** GET /requests/{requestId}/certificate: the certificate of erasure, for the browser that entered the code. */
async function certificatePage(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const requestId = event.pathParameters?.requestId;
  const ports = { ledger: ledgerTable(), hashingKey, certificates: auditObjects() };
  const body = await verifiedBrowserCertificate(ports, verifiedBrowser(event, requestId));
  return { statusCode: 200, headers: STORED_PAGE_HEADERS, body };
}

export const handler = httpRoute(downloadExport);
