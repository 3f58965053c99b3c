/**
 * The partner webhook protocol (version 1), both directions: what we POST to a
 * processor's endpoint, what it may answer synchronously, and what it may POST
 * later to `/processors/{partnerId}/callback`. Partners' bodies are untrusted:
 * every field is bounded, and unknown fields are dropped, never stored.
 */
import { z } from 'zod';
import { IdentityKind, PartnerRequestType, type ProcessorStore } from '../core/data-map';
import { RequestId } from '../core/request';

export { PartnerRequestType };

/** What we send a partner for one request. */
export const PartnerRequest = z.strictObject({
  version: z.literal(1),
  requestId: RequestId,
  type: PartnerRequestType,
  /** Only the identities the partner already knows the subject by (its `identifiers`). */
  subject: z.partialRecord(IdentityKind, z.array(z.string().min(1).max(320)).max(50)),
  /** When the partner must have acknowledged (ISO 8601). */
  deadline: z.iso.datetime({ offset: true }),
  /** Where the partner posts an acknowledgement that comes later (`accepted`). */
  callbackUrl: z.url(),
});
export type PartnerRequest = z.infer<typeof PartnerRequest>;

/** A partner's final answer: done, held nothing, kept some data (and why), or could not do it. */
export const PartnerAckStatus = z.enum(['completed', 'not_found', 'retained', 'failed']);
export type PartnerAckStatus = z.infer<typeof PartnerAckStatus>;

/** The partner's own id for the request, shown in evidence (e.g. `KCL-7F3A9C`). */
export const PartnerReference = z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, {
  message: 'must be 1-200 letters, digits or ._:-',
});

/** Data the partner keeps despite the request, and the reason (e.g. a payment-system record-keeping law). */
export const PartnerRetention = z.object({
  category: z.string().max(100).optional(),
  reason: z.string().min(1).max(300),
  until: z.iso.date().optional(),
});
export type PartnerRetention = z.infer<typeof PartnerRetention>;

/** Records a partner returns for an access request; they go into the subject's export. */
export const PartnerRecords = z.array(z.record(z.string(), z.unknown())).max(10_000);

const ackFields = {
  reference: PartnerReference,
  detail: z.string().max(500).optional(),
  retained: z.array(PartnerRetention).max(20).optional(),
  records: PartnerRecords.optional(),
};

/** The body of a partner's 2xx answer. `accepted` means "the acknowledgement comes through the callback". */
export const PartnerResponse = z.object({
  status: z.enum([...PartnerAckStatus.options, 'accepted']),
  ...ackFields,
});
export type PartnerResponse = z.infer<typeof PartnerResponse>;

/** A synchronous answer that acknowledges the request (what `DeliveryOutcome.acknowledged` carries). */
export type PartnerAckResponse = PartnerResponse & {
  readonly status: 'completed' | 'not_found' | 'retained';
};

/** The body a partner POSTs to our callback route once it has acted. */
export const PartnerCallback = z.object({
  requestId: RequestId,
  status: PartnerAckStatus,
  ...ackFields,
});
export type PartnerCallback = z.infer<typeof PartnerCallback>;

/** The idempotency key of one notification: the same on every retry, different per partner and type. */
export function idempotencyKeyOf(requestId: string, partnerId: string, type: PartnerRequestType): string {
  return `${requestId}:${partnerId}:${type}`;
}

/** Where a partner posts its callback: `<publicUrl>/processors/<partnerId>/callback`. */
export function partnerCallbackUrl(publicUrl: string, partnerId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/processors/${encodeURIComponent(partnerId)}/callback`;
}

/**
 * The request body for one partner: the subject narrowed to the identities the
 * partner already knows (data minimisation: it never learns a new identifier).
 */
export function buildPartnerRequest(
  store: ProcessorStore,
  args: {
    readonly requestId: string;
    readonly type: PartnerRequestType;
    readonly identities: Partial<Record<IdentityKind, readonly string[]>>;
    readonly deadline: string;
    readonly callbackUrl: string;
  },
): PartnerRequest {
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
  };
}
