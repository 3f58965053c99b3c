import { config, ledgerTable } from '../aws/composition-root';
import { ReviewInput, reviewRound } from '../core/support/review';
import * as z from '../core/zod';

/** ReviewStoreOutcomes (after each Map): done and failed stores, and how long support may take to decide. */
export async function handler(event: unknown): ReturnType<typeof reviewRound> {
  return reviewRound(
    { ledger: ledgerTable(), clock: () => new Date(), deadlineMarginSeconds: config().deadlineMarginSeconds },
    z.parse(ReviewInput, event),
  );
}
