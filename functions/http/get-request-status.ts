import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { hashingKey, ledgerTable } from '../aws/composition-root';
import { constantTimeEqual, keyedHash } from '../core/crypto';
import { processorCallsOf } from '../core/export/processor-calls';
import { RequestId } from '../core/request';
import { httpError, httpRoute, json } from './middleware';

// One body for "no such request" and "wrong token", so ids cannot be probed.
const notFound = () => httpError(404, 'not_found', 'no request matches this id and status token');

/**
 * GET /requests/{requestId} with `Authorization: Bearer <statusToken>`:
 * progress for the token holder, never contact data.
 */
export async function getRequestStatus(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const header = event.headers?.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) {
    throw httpError(
      401,
      'unauthorized',
      'send the status token as "Authorization: Bearer <statusToken>"',
      {},
    );
  }
  const token = match[1];
  const id = RequestId.safeParse(event.pathParameters?.requestId);
  const key = await hashingKey();
  const presented = keyedHash(key, 'status-token', token);
  if (!id.success) throw notFound();
  const record = await ledgerTable().get(id.data);
  // Compare even when the id is unknown, so both cases take the same time.
  const stored = record?.statusTokenHash ?? keyedHash(key, 'status-token', 'no-such-request');
  if (!constantTimeEqual(presented, stored) || !record) throw notFound();

  return json(200, {
    requestId: record.requestId,
    type: record.type,
    status: record.status,
    jurisdiction: record.jurisdiction,
    receivedAt: record.receivedAt,
    dueAt: record.dueAt,
    updatedAt: record.updatedAt,
    // A delete in its grace period: when erasure starts (the cancel link works until then).
    ...(record.status === 'scheduled' && record.erasureSchedule
      ? { erasureStartsAt: record.erasureSchedule.graceEndsAt }
      : {}),
    stores: Object.entries(record.stores ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([storeId, progress]) => ({
        storeId,
        status: progress.status,
        ...(progress.records !== undefined ? { records: progress.records } : {}),
        // Deletes: what erasure did here, and whether the re-query proved it.
        ...(progress.erasure ? { erasure: progress.erasure } : {}),
        ...(progress.verified !== undefined ? { verified: progress.verified } : {}),
      })),
    // Processors told about the request: names and progress only, never their references.
    ...(record.processors
      ? {
          processors: processorCallsOf(record).map((p) => ({
            processorId: p.processorId,
            name: p.name,
            status: p.status,
          })),
        }
      : {}),
    ...(record.failure ? { failure: { error: record.failure.error } } : {}),
    history: record.history.map(({ status, at }) => ({ status, at })),
  });
}

export const handler = httpRoute(getRequestStatus);
