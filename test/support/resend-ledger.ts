/**
 * The resend's conditional UpdateItem for the in-memory ledger of
 * `http-support.ts` (matched by its condition, so every other update still
 * goes to the shared fake). Used by the resend and fuzz tests.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RESEND_CONDITION } from '../../functions/aws/ledger/verification';
import type { Item, mockDocumentClient } from './http-support';

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** Teaches the fake ledger `resendVerification` (ledger/verification.ts): same status, same task token, under the resend limit. */
export function withResendSupport(
  stub: ReturnType<typeof mockDocumentClient>,
  items: Map<string, Item>,
): void {
  stub
    .on(UpdateCommand, { ConditionExpression: RESEND_CONDITION })
    .callsFake((input: { Key: { requestId: string }; ExpressionAttributeValues: Item }) => {
      const v = input.ExpressionAttributeValues;
      const item = items.get(input.Key.requestId);
      const verification = item?.verification as (Item & { resends?: number }) | undefined;
      if (
        !item ||
        item.status !== v[':expected'] ||
        !verification ||
        verification.taskToken !== v[':task'] ||
        (verification.resends ?? 0) >= (v[':max'] as number)
      ) {
        throw conditionFailed();
      }
      Object.assign(verification, {
        codeHash: v[':codeHash'],
        linkTokenHash: v[':linkHash'],
        sentAt: v[':sentAt'],
        expiresAt: v[':expiresAt'],
        resends: (verification.resends ?? 0) + 1,
      });
      item.updatedAt = v[':sentAt'];
      return { Attributes: { verification: { resends: verification.resends } } };
    });
}
