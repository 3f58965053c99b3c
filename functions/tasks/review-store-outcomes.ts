import { ReviewInput, reviewStoreOutcomes, type StoreReview } from '../core/support/review';

/** ReviewStoreOutcomes (after each Map): which stores are done, across retries, and which failed for good. */
export async function handler(event: unknown): Promise<StoreReview> {
  return reviewStoreOutcomes(ReviewInput.parse(event));
}
