/** What the holder of a request's status token may see: progress, never contact data. */
import { constantTimeEqual, keyedHash, statusLinkToken } from '../crypto';
import { processorCallsOf } from '../export/processor-calls';
import type { LedgerRecord } from '../ledger-record';
import type { Clock, RequestLedger } from '../ports';
import { RefusedError } from '../refusal';
import { RequestId } from '../request';
import { deadlineView } from '../support/due';

export interface StatusPorts {
  readonly ledger: Pick<RequestLedger, 'get'>;
  readonly key: Buffer;
  readonly clock?: Clock;
}

// One refusal for "no such request" and "wrong token", so ids cannot be probed.
const notFound = () => new RefusedError('not_found', 'no request matches this id and status token');

/** The status view of a request: ids, dates, per-store and per-processor progress, the failure's name. */
export function statusView(record: LedgerRecord, now: Date = new Date()) {
  return {
    requestId: record.requestId,
    type: record.type,
    status: record.status,
    jurisdiction: record.jurisdiction,
    receivedAt: record.receivedAt,
    dueAt: record.dueAt,
    // "due in N hours" / "overdue by N hours", and each clock of the law (core/clocks.ts).
    ...deadlineView(record, now),
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
    // A delete's certificate of erasure exists (the verified browser's status page links it).
    ...(record.certificate ? { certificateIssuedAt: record.certificate.issuedAt } : {}),
    history: record.history.map(({ status, at }) => ({ status, at })),
  };
}

/** What opens a request's status: the submitter's status token, or the read-only link token emailed to the person. */
export type StatusCredential = { readonly statusToken: string } | { readonly linkToken: string };

/** Whether `credential` opens `requestId`, compared in constant time whether or not the request exists. */
function opens(
  ports: StatusPorts,
  requestId: string,
  record: LedgerRecord | undefined,
  credential: StatusCredential,
) {
  if ('linkToken' in credential)
    return constantTimeEqual(credential.linkToken, statusLinkToken(ports.key, requestId));
  const presented = keyedHash(ports.key, 'status-token', credential.statusToken);
  // Compare even when the id is unknown, so both cases take the same time.
  const stored = record?.statusTokenHash ?? keyedHash(ports.key, 'status-token', 'no-such-request');
  return constantTimeEqual(presented, stored);
}

/**
 * The request's status for the holder of its status token (a string, or
 * `{statusToken}`) or of its status link (`{linkToken}`); unknown id and wrong
 * token refused alike, in the same time.
 */
export async function requestStatus(
  ports: StatusPorts,
  requestIdRaw: string | undefined,
  credential: string | StatusCredential,
): Promise<ReturnType<typeof statusView>> {
  const presented = typeof credential === 'string' ? { statusToken: credential } : credential;
  const id = RequestId.safeParse(requestIdRaw);
  if (!id.success) throw notFound();
  const record = await ports.ledger.get(id.data);
  if (!opens(ports, id.data, record, presented) || !record) throw notFound();
  return statusView(record, ports.clock?.() ?? new Date());
}
