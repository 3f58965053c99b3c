/**
 * After a Map over the stores: which stores are done (their results, kept
 * across retries so nothing done is repeated) and which failed for good.
 */
import * as z from 'zod';
import type { Clock, RequestLedger } from '../ports';
import { RequestType } from '../request';
import { decisionWaitSeconds } from './deadline-decision';
import type { StoreFailure } from './store-failure';

const Item = z.object({ storeId: z.string().min(1) }).loose();
const Failure = z.object({
  storeId: z.string().min(1),
  kind: z.string().min(1),
  ackSeconds: z.number().int().nonnegative(),
  failed: z.literal(true),
  error: z.string(),
  reason: z.string(),
});

/** The execution's state after a Map (only the fields the review reads). */
export const ReviewInput = z.object({
  requestId: z.string().min(1),
  type: RequestType,
  exports: z.array(Item).optional(),
  erasures: z.array(Item).optional(),
  optOuts: z.array(Item).optional(),
  changes: z.array(Item).optional(),
  review: z
    .object({ settled: z.array(Item) })
    .loose()
    .optional(),
});
export type ReviewInput = z.infer<typeof ReviewInput>;

export interface StoreReview {
  /** Every store's result that succeeded, this round's and earlier rounds'. */
  readonly settled: readonly { readonly storeId: string; readonly [key: string]: unknown }[];
  /** Stores that failed this round: what a retry runs again. */
  readonly failed: readonly StoreFailure[];
}

const RESULTS_OF: Record<RequestType, 'exports' | 'erasures' | 'optOuts' | 'changes'> = {
  access: 'exports',
  delete: 'erasures',
  opt_out: 'optOuts',
  rectify: 'changes',
  restrict: 'changes',
  lift_restriction: 'changes',
  withdraw_consent: 'changes',
};

/** Splits this round's Map results into done and failed, merged with what earlier rounds settled. */
export function reviewStoreOutcomes(input: ReviewInput): StoreReview {
  const round = input[RESULTS_OF[input.type]] ?? [];
  const failed = round.flatMap((item) => {
    const failure = Failure.safeParse(item);
    return failure.success ? [failure.data] : [];
  });
  const done = round.filter((item) => item.failed !== true);
  const thisRound = new Set(round.map((item) => item.storeId));
  const earlier = (input.review?.settled ?? []).filter((item) => !thisRound.has(item.storeId));
  return { settled: [...earlier, ...done], failed };
}

export interface ReviewPorts {
  readonly ledger: Pick<RequestLedger, 'require'>;
  readonly clock: Clock;
  readonly deadlineMarginSeconds?: number;
}

/**
 * ReviewStoreOutcomes: the split, and when a store failed for good how long
 * support's wait may last (`decisionSeconds`, RequestSupportDecision's
 * `TimeoutSecondsPath`): until the request's current due time minus the margin.
 */
export async function reviewRound(
  ports: ReviewPorts,
  input: ReviewInput,
): Promise<StoreReview & { readonly decisionSeconds: number }> {
  const review = reviewStoreOutcomes(input);
  if (review.failed.length === 0) return { ...review, decisionSeconds: 0 };
  const { dueAt } = await ports.ledger.require(input.requestId);
  return {
    ...review,
    decisionSeconds: decisionWaitSeconds(dueAt, ports.clock(), ports.deadlineMarginSeconds),
  };
}
