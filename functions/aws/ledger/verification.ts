/**
 * Identity verification of a pending request in the ledger: the code and link
 * hashes, the wrong-attempt count and the resend count, each changed by one
 * conditional write so concurrent guesses or resends never exceed their limits.
 */
import {
  type LedgerRecord,
  MAX_VERIFICATION_ATTEMPTS,
  StatusConflictError,
  type VerificationState,
} from '../../core/ledger-record';
import type { VerificationLedger, VerificationResend, VerificationResends } from '../../core/ports';
import type { LedgerItems } from './conditional-write';

/** The condition of the resend's UpdateItem (exported for test doubles of the ledger table). */
export const RESEND_CONDITION =
  '#status = :expected AND verification.taskToken = :task AND ' +
  '(attribute_not_exists(verification.resends) OR verification.resends < :max)';

export class VerificationLedgerTable implements VerificationLedger, VerificationResends {
  constructor(private readonly items: LedgerItems) {}

  /** Stores (or replaces, on retry) the verification hashes and task token while the request awaits verification. */
  async setVerification(requestId: string, verification: VerificationState): Promise<void> {
    await this.items.writeInStatus(requestId, 'SET verification = :v, updatedAt = :at', {
      ':v': verification,
      ':at': verification.sentAt,
      ':expected': 'pending_verification',
    });
  }

  /**
   * Counts one wrong code atomically and returns the new attempt count.
   * Fails with `StatusConflict` once the request left `pending_verification`
   * or the attempts are used up, so concurrent guesses cannot exceed the limit.
   */
  async recordWrongAttempt(requestId: string): Promise<number> {
    const out = await this.items.write<LedgerRecord>(requestId, {
      update: 'SET verification.attempts = verification.attempts + :one',
      condition: '#status = :expected AND verification.attempts < :max',
      names: { '#status': 'status' },
      values: { ':one': 1, ':expected': 'pending_verification', ':max': MAX_VERIFICATION_ATTEMPTS },
      returnValues: 'ALL_NEW',
      ifConditionFails: async () => {
        const latest = await this.items.get(requestId);
        throw new StatusConflictError(requestId, latest?.status);
      },
    });
    const attempts = out.applied ? out.attributes?.verification?.attempts : undefined;
    return attempts ?? MAX_VERIFICATION_ATTEMPTS;
  }

  /**
   * Replaces the code and link hashes (old ones stop working) and counts the
   * resend, in one conditional UpdateItem: only while the request awaits
   * verification for the same task token and fewer than `max` resends were made,
   * so concurrent resends can never exceed the limit. Returns the new count, or
   * `undefined` when the condition refused it.
   */
  async resendVerification(requestId: string, resend: VerificationResend): Promise<number | undefined> {
    const { taskToken, max, next } = resend;
    const out = await this.items.write<{ verification?: { resends?: number } }>(requestId, {
      update:
        'SET verification.codeHash = :codeHash, verification.linkTokenHash = :linkHash, ' +
        'verification.sentAt = :sentAt, verification.expiresAt = :expiresAt, updatedAt = :sentAt, ' +
        'verification.resends = if_not_exists(verification.resends, :zero) + :one',
      condition: RESEND_CONDITION,
      names: { '#status': 'status' },
      values: {
        ':codeHash': next.codeHash,
        ':linkHash': next.linkTokenHash,
        ':sentAt': next.sentAt,
        ':expiresAt': next.expiresAt,
        ':zero': 0,
        ':one': 1,
        ':expected': 'pending_verification',
        ':task': taskToken,
        ':max': max,
      },
      returnValues: 'UPDATED_NEW',
      ifConditionFails: () => {},
    });
    if (!out.applied) return undefined;
    return out.attributes?.verification?.resends ?? max;
  }
}
