/**
 * Errors of delivery to a processor. Their `name`s are part of the
 * workflow's contract: the ASL Catch on the processor branch matches on them.
 */

/** The processor did not answer in time or kept failing (network, timeout, 408, 429, 5xx) after every retry. */
export class ProcessorUnavailableError extends Error {
  override readonly name = 'ProcessorUnavailable';
}

/** The processor refused the request (3xx, 4xx, or a 2xx with status `failed`). */
export class ProcessorRejectedError extends Error {
  override readonly name = 'ProcessorRejected';
}

/** The processor answered 2xx with a body that is too large, not JSON or not the protocol's shape. */
export class ProcessorResponseInvalidError extends Error {
  override readonly name = 'ProcessorResponseInvalid';
}

/** A processor's configuration cannot be used (e.g. an `http:` endpoint outside local mode). Not retried. */
export class ProcessorConfigError extends Error {
  override readonly name = 'ProcessorConfigError';
}

/** A processor's shared secret is missing or unusable. The message names the processor, never the secret. */
export class ProcessorSecretError extends Error {
  override readonly name = 'ProcessorSecretError';
}

/** Why a delivery failed, as `DeliveryOutcome` and the ledger's escalation say it. */
export type ProcessorFailureReason = 'processor_unavailable' | 'processor_rejected' | 'invalid_response';

/**
 * The error the workflow catches for a failed delivery (thrown after the
 * evidence is recorded). The message carries only the processor id and status.
 */
export function processorErrorFor(
  reason: ProcessorFailureReason,
  processorId: string,
  httpStatus?: number,
): ProcessorUnavailableError | ProcessorRejectedError | ProcessorResponseInvalidError {
  const status = httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`;
  switch (reason) {
    case 'processor_unavailable':
      return new ProcessorUnavailableError(`partner ${processorId} is unavailable${status}`);
    case 'processor_rejected':
      return new ProcessorRejectedError(`partner ${processorId} rejected the request${status}`);
    case 'invalid_response':
      return new ProcessorResponseInvalidError(
        `partner ${processorId} answered with an invalid response${status}`,
      );
  }
}
