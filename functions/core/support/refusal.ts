/** Why a support action was refused; the CLI exits 2 and the SSM step fails with the message, nothing changed. */
export type SupportRefusalReason = 'unknown_request' | 'not_allowed' | 'missing_reason' | 'invalid_input';

export class SupportRefusal extends Error {
  override readonly name = 'SupportRefusal';
  constructor(
    readonly reason: SupportRefusalReason,
    message: string,
  ) {
    super(message);
  }
}
