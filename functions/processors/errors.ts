/**
 * Errors of partner (processor) delivery. Their `name`s are part of the
 * workflow's contract: the ASL Catch on the partner branch matches on them.
 */

/** The partner did not answer in time or kept failing (network, timeout, 408, 429, 5xx) after every retry. */
export class PartnerUnavailableError extends Error {
  override readonly name = 'PartnerUnavailable';
}

/** The partner refused the request (3xx, 4xx, or a 2xx with status `failed`). */
export class PartnerRejectedError extends Error {
  override readonly name = 'PartnerRejected';
}

/** The partner answered 2xx with a body that is too large, not JSON or not the protocol's shape. */
export class PartnerResponseInvalidError extends Error {
  override readonly name = 'PartnerResponseInvalid';
}

/** A processor's configuration cannot be used (e.g. an `http:` endpoint outside local mode). Not retried. */
export class PartnerConfigError extends Error {
  override readonly name = 'PartnerConfigError';
}

/** A partner's shared secret is missing or unusable. The message names the partner, never the secret. */
export class PartnerSecretError extends Error {
  override readonly name = 'PartnerSecretError';
}

/** Why a delivery failed, as `DeliveryOutcome` and the ledger's escalation say it. */
export type PartnerFailureReason = 'partner_unavailable' | 'partner_rejected' | 'invalid_response';

/**
 * The error the workflow catches for a failed delivery (thrown after the
 * evidence is recorded). The message carries only the partner id and status.
 */
export function partnerErrorFor(
  reason: PartnerFailureReason,
  partnerId: string,
  httpStatus?: number,
): PartnerUnavailableError | PartnerRejectedError | PartnerResponseInvalidError {
  const status = httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`;
  switch (reason) {
    case 'partner_unavailable':
      return new PartnerUnavailableError(`partner ${partnerId} is unavailable${status}`);
    case 'partner_rejected':
      return new PartnerRejectedError(`partner ${partnerId} rejected the request${status}`);
    case 'invalid_response':
      return new PartnerResponseInvalidError(
        `partner ${partnerId} answered with an invalid response${status}`,
      );
  }
}
