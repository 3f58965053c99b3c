import { z } from 'zod';
import { dynamoDbClient, s3Client } from '../aws/clients';
import { config, ledgerTable } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { resolveSubject } from '../connectors/resolve-subject';
import {
  type DataMap,
  type IdentityKind,
  isDataStore,
  isProcessor,
  type StoreConfig,
} from '../core/data-map';
import { contactOf, StatusConflictError } from '../core/ledger-record';
import type { RequestType } from '../core/request';

const Input = z.object({ requestId: z.string().min(1) });

type Identities = Partial<Record<IdentityKind, readonly string[]>>;

/** The subject cancelled the delete during its grace period: nothing is erased (the ASL catches this name). */
export class RequestCancelledError extends Error {
  override readonly name = 'RequestCancelled';
  constructor(readonly requestId: string) {
    super(`request ${requestId} was cancelled during its grace period`);
  }
}

function mergeIdentities(a: Identities, b: Identities): Identities {
  const kinds = new Set([...Object.keys(a), ...Object.keys(b)] as IdentityKind[]);
  return Object.fromEntries(
    [...kinds].map((kind) => [kind, [...new Set([...(a[kind] ?? []), ...(b[kind] ?? [])])]]),
  );
}

/** One Map iteration: which store, its kind (processors take the processor branch) and, for a processor, its deadline. */
export interface PlannedStore {
  readonly storeId: string;
  readonly kind: StoreConfig['kind'];
  /** The processor's `acknowledgeWithinSeconds` (the processor Task state's timeout); 0 for data stores. */
  readonly ackSeconds: number;
}

/**
 * The stores a request of `type` visits: every data store, and every
 * processor that declares it handles that type (access only if it says so).
 */
export function plannedStores(dataMap: DataMap, type: RequestType): PlannedStore[] {
  // Data stores first: a processor's wait (up to its deadline) holds a Map slot, so it must not delay our own stores.
  return [
    ...dataMap.stores
      .filter(isDataStore)
      .map((store) => ({ storeId: store.id, kind: store.kind, ackSeconds: 0 })),
    ...dataMap.stores
      .filter(isProcessor)
      .filter((store) => store.requestTypes.includes(type))
      .map((store) => ({ storeId: store.id, kind: store.kind, ackSeconds: store.acknowledgeWithinSeconds })),
  ];
}

/**
 * PlanStores: moves the request to in_progress (from verified, or from
 * scheduled once a delete's grace period is over), resolves the subject's
 * identities, adds the pseudonymous ones earlier erasures kept with retained
 * records, and plans every data store and the processors that handle the
 * request's type. A cancelled delete throws `RequestCancelled`.
 */
export async function handler(event: unknown): Promise<{ stores: PlannedStore[] }> {
  const { requestId } = Input.parse(event);
  const ledger = ledgerTable();
  const record = await ledger.require(requestId);
  if (record.status === 'cancelled') throw new RequestCancelledError(requestId);
  if (record.status === 'pending_verification') {
    // The workflow only resumes when the verify endpoint completed the task token; its own ledger
    // write (made after resuming) may not have landed yet, or may have been lost.
    await ledger
      .transition(requestId, 'verify', { note: 'recorded by the workflow' })
      .catch((error: unknown) => {
        if (!(error instanceof StatusConflictError)) throw error;
      });
  }
  if (record.status !== 'in_progress') {
    // A retry after a successful transition finds in_progress already: carry on.
    // A cancel that lands first wins the conditional write: nothing is erased.
    await ledger.transition(requestId, 'start').catch((error: unknown) => {
      if (error instanceof StatusConflictError && error.current === 'cancelled')
        throw new RequestCancelledError(requestId);
      if (!(error instanceof StatusConflictError && error.current === 'in_progress')) throw error;
    });
  }
  const { dataMap } = config();
  const subject = await withTransient(() =>
    resolveSubject(dataMap, { dynamodb: dynamoDbClient(), s3: s3Client() }, contactOf(record).email),
  );
  const identities = mergeIdentities(subject.identities, await ledger.retainedIdentities(record.subjectHash));
  const stores = plannedStores(dataMap, record.type);
  await ledger.setPlan(
    requestId,
    identities,
    stores.map((s) => s.storeId),
  );
  logger.info('stores planned', {
    requestId,
    stores: stores.length,
    processors: stores.filter((s) => s.kind === 'processor').length,
  });
  return { stores };
}
