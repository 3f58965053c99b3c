import { ledgerTable, log } from '../aws/composition-root';
import { recordStoreFailure, type StoreFailure, StoreFailureInput } from '../core/support/store-failure';
import * as z from '../core/zod';

/** RecordStoreFailure (a Map iteration's Catch): the store failed for good; recorded, the other stores go on. */
export async function handler(event: unknown): Promise<StoreFailure> {
  return recordStoreFailure({ ledger: ledgerTable(), log: log() }, z.parse(StoreFailureInput, event));
}
