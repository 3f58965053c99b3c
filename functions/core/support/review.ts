/**
 * After a Map over the stores: which stores are done (their results, kept
 * across retries so nothing done is repeated) and which failed for good.
 */

import type { Clock, RequestLedger } from '../ports';
import { RequestType } from '../request';
import * as z from '../zod';
import { decisionWaitSeconds } from './deadline-decision';
import type { StoreFailure } from './store-failure';

const Item = z.looseObject({ storeId: z.string().check(z.minLength(1)) });
const Failure = z.object({
  storeId: z.string().check(z.minLength(1)),
  kind: z.string().check(z.minLength(1)),
  ackSeconds: z.number().check(z.int(), z.nonnegative()),
  failed: z.literal(true),
  error: z.string(),
  reason: z.string(),
});

/** The execution's state after a Map (only the fields the review reads). */
export const ReviewInput = z.object({
  requestId: z.string().check(z.minLength(1)),
  type: RequestType,
  exports: z.optional(z.array(Item)),
  erasures: z.optional(z.array(Item)),
  optOuts: z.optional(z.array(Item)),
  changes: z.optional(z.array(Item)),
  review: z.optional(z.looseObject({ settled: z.array(Item) })),
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
