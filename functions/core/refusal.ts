/**
 * A use case saying no to its caller for a reason the caller can act on (wrong
 * code, expired link, unknown request). Entry points map `reason` to their own
 * answer (the HTTP middleware to a status code); the message is shown as is.
 */
export type RefusalReason =
  | 'invalid_idempotency_key'
  | 'not_found'
  | 'not_pending'
  | 'not_ready'
  | 'invalid_link'
  | 'link_expired'
  | 'resend_limit'
  | 'changed'
  | 'invalid_token'
  | 'token_expired'
  | 'invalid_json'
  | 'invalid_request'
  | 'code_expired'
  | 'wrong_code'
  | 'wrong_link'
  | 'use_link'
  | 'status_token_required'
  | 'new_address_code_required'
  | 'rejected'
  | 'erasure_started'
  | 'unavailable';

export class RefusedError extends Error {
  override readonly name = 'Refused';
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** Extra fields of the answer (e.g. `attemptsLeft`). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
