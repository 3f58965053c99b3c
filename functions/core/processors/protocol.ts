/**
 * The processor webhook protocol (version 1), both directions: what we POST to a
 * processor's endpoint, what it may answer synchronously, and what it may POST
 * later to `/processors/{processorId}/callback`. Processors' bodies are untrusted:
 * every field is bounded, and unknown fields are dropped, never stored.
 */

import { ConsentPurpose, IdentityKind, ProcessorRequestType, type ProcessorStore } from '../data-map';
import { RequestId } from '../request';
import { Corrections } from '../request-bodies';
import * as z from '../zod';

export { ProcessorRequestType };

/** What we send a processor for one request. */
export const ProcessorRequest = z.strictObject({
  version: z.literal(1),
  requestId: RequestId,
  type: ProcessorRequestType,
  /** Only the identities the processor already knows the subject by (its `identifiers`). */
  subject: z.partialRecord(
    IdentityKind,
    z.array(z.string().check(z.minLength(1), z.maxLength(320))).check(z.maxLength(50)),
  ),
  /** When the processor must have acknowledged (ISO 8601). */
  deadline: z.iso.datetime({ offset: true }),
  /** Where the processor posts an acknowledgement that comes later (`accepted`). */
  callbackUrl: z.url(),
  /** `rectify`: the corrected values, so the processor corrects its copy too. */
  corrections: z.optional(Corrections),
  /** `withdraw_consent`: the purposes whose consent is withdrawn. */
  purposes: z.optional(z.array(ConsentPurpose).check(z.minLength(1))),
});
export type ProcessorRequest = z.infer<typeof ProcessorRequest>;

/** A processor's final answer: done, held nothing, kept some data (and why), or could not do it. */
export const ProcessorAckStatus = z.enum(['completed', 'not_found', 'retained', 'failed']);
export type ProcessorAckStatus = z.infer<typeof ProcessorAckStatus>;

/** The processor's own id for the request, shown in evidence (e.g. `KCL-7F3A9C`). */
export const ProcessorReference = z.string().check(
  z.regex(/^[A-Za-z0-9._:-]{1,200}$/, {
    message: 'must be 1-200 letters, digits or ._:-',
  }),
);

/** Data the processor keeps despite the request, and the reason (e.g. a payment-system record-keeping law). */
export const ProcessorRetention = z.object({
  category: z.optional(z.string().check(z.maxLength(100))),
  reason: z.string().check(z.minLength(1), z.maxLength(300)),
  until: z.optional(z.iso.date()),
});
export type ProcessorRetention = z.infer<typeof ProcessorRetention>;

/** Records a processor returns for an access request; they go into the subject's export. */
export const ProcessorRecords = z.array(z.record(z.string(), z.unknown())).check(z.maxLength(10_000));

const ackFields = {
  reference: ProcessorReference,
  detail: z.optional(z.string().check(z.maxLength(500))),
  retained: z.optional(z.array(ProcessorRetention).check(z.maxLength(20))),
  records: z.optional(ProcessorRecords),
};

/** The body of a processor's 2xx answer. `accepted` means "the acknowledgement comes through the callback". */
export const ProcessorResponse = z.object({
  status: z.enum([...ProcessorAckStatus.options, 'accepted']),
  ...ackFields,
});
export type ProcessorResponse = z.infer<typeof ProcessorResponse>;

/** A synchronous answer that acknowledges the request (what `DeliveryOutcome.acknowledged` carries). */
export type ProcessorAckResponse = ProcessorResponse & {
  readonly status: 'completed' | 'not_found' | 'retained';
};

/** The body a processor POSTs to our callback route once it has acted. */
export const ProcessorCallback = z.object({
  requestId: RequestId,
  status: ProcessorAckStatus,
  ...ackFields,
});
export type ProcessorCallback = z.infer<typeof ProcessorCallback>;

/** The idempotency key of one notification: the same on every retry, different per processor and type. */
export function idempotencyKeyOf(requestId: string, processorId: string, type: ProcessorRequestType): string {
  return `${requestId}:${processorId}:${type}`;
}

/** Where a processor posts its callback: `<publicUrl>/processors/<processorId>/callback`. */
export function processorCallbackUrl(publicUrl: string, processorId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/processors/${encodeURIComponent(processorId)}/callback`;
}

/**
 * The request body for one processor: the subject narrowed to the identities the
 * processor already knows (data minimisation: it never learns a new identifier).
 */
export function buildProcessorRequest(
  store: ProcessorStore,
  args: {
    readonly requestId: string;
    readonly type: ProcessorRequestType;
    readonly identities: Partial<Record<IdentityKind, readonly string[]>>;
    readonly deadline: string;
    readonly callbackUrl: string;
    readonly corrections?: Corrections;
    readonly purposes?: readonly ConsentPurpose[];
  },
): ProcessorRequest {
  const subject: Partial<Record<IdentityKind, string[]>> = {};
  for (const kind of store.identifiers) {
    const values = args.identities[kind];
    if (values && values.length > 0) subject[kind] = [...values];
  }
  return {
    version: 1,
    requestId: args.requestId,
    type: args.type,
    subject,
    deadline: args.deadline,
    callbackUrl: args.callbackUrl,
    ...(args.type === 'rectify' && args.corrections ? { corrections: args.corrections } : {}),
    ...(args.type === 'withdraw_consent' && args.purposes ? { purposes: [...args.purposes] } : {}),
  };
}
