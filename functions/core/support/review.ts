/**
 * After a fan-out's Maps (data stores, then processors): which stores are done
 * (their results, kept across retries so nothing done is repeated) and which
 * failed for good, by kind, so a retry runs each again in its own Map.
 */

import type { Clock, RequestLedger } from '../ports';
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

/** The execution's state after a fan-out's two Maps (only the fields the review reads). */
export const ReviewInput = z.object({
  requestId: z.string().check(z.minLength(1)),
  /** This round's results of the data-store Map and of the processor Map (either may be empty). */
  dataStoreResults: z.optional(z.array(Item)),
  processorResults: z.optional(z.array(Item)),
  // An execution started before the Maps were split by kind (issue 15) has one list of both kinds, named by type.
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
  /** Stores that failed this round, both kinds: what support is shown. */
  readonly failed: readonly StoreFailure[];
  /** The same failures by kind: the plan a retry runs (RetryFailedStores), each Map only its own. */
  readonly retry: {
    readonly dataStores: readonly StoreFailure[];
    readonly processors: readonly StoreFailure[];
  };
}

const failuresIn = (results: readonly z.infer<typeof Item>[]): StoreFailure[] =>
  results.flatMap((item) => {
    const failure = Failure.safeParse(item);
    return failure.success ? [failure.data] : [];
  });

/** Splits this round's Map results into done and failed, merged with what earlier rounds settled. */
export function reviewStoreOutcomes(input: ReviewInput): StoreReview {
  const legacy = input.exports ?? input.erasures ?? input.optOuts ?? input.changes ?? [];
  const mixed = failuresIn(legacy);
  const retry = {
    dataStores: [...failuresIn(input.dataStoreResults ?? []), ...mixed.filter((f) => f.kind !== 'processor')],
    processors: [...failuresIn(input.processorResults ?? []), ...mixed.filter((f) => f.kind === 'processor')],
  };
  const round = [...(input.dataStoreResults ?? []), ...(input.processorResults ?? []), ...legacy];
  const done = round.filter((item) => item.failed !== true);
  const thisRound = new Set(round.map((item) => item.storeId));
  const earlier = (input.review?.settled ?? []).filter((item) => !thisRound.has(item.storeId));
  return { settled: [...earlier, ...done], failed: [...retry.dataStores, ...retry.processors], retry };
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
