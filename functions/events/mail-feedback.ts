import { ledgerTable, log, workflow } from '../aws/composition-root';
import { type MailFeedback, recordMailFeedback } from '../core/requests/mail-feedback';
import * as z from '../core/zod';

/** A tag value as SES publishes it (a list); only ours are read, and only when they look like ours. */
const tag = <T extends z.ZodMiniType>(value: T) =>
  z.pipe(
    z.optional(z.array(z.string())),
    z.transform((values) => {
      const parsed = value.safeParse(values?.[0]);
      return parsed.success ? (parsed.data as z.infer<T>) : undefined;
    }),
  );

/**
 * SES's event record as EventBridge delivers it from the configuration set. Recipients, headers and
 * diagnostic text are never read: only the types and our own tags.
 */
const SesEvent = z.object({
  source: z.literal('aws.ses'),
  detail: z.object({
    eventType: z.enum(['Bounce', 'Complaint']),
    bounce: z.optional(
      z.object({
        bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
        bounceSubType: z.catch(z.optional(z.string().check(z.regex(/^[A-Za-z]{1,40}$/))), undefined),
      }),
    ),
    mail: z.object({
      tags: z._default(
        z.object({
          requestId: tag(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/))),
          purpose: tag(z.literal('verification')),
        }),
        { requestId: undefined, purpose: undefined },
      ),
    }),
  }),
});

/** MailFeedback (EventBridge rule on SES's bounces and complaints): core/requests/mail-feedback. */
export async function handler(event: unknown): Promise<{ result: string }> {
  const { detail } = z.parse(SesEvent, event);
  const { requestId, purpose } = detail.mail.tags;
  const feedback: MailFeedback = {
    kind: detail.eventType === 'Bounce' ? 'bounce' : 'complaint',
    ...(detail.bounce ? { bounceType: detail.bounce.bounceType } : {}),
    ...(detail.bounce?.bounceSubType ? { bounceSubType: detail.bounce.bounceSubType } : {}),
    ...(requestId ? { requestId } : {}),
    ...(purpose ? { purpose } : {}),
  };
  const result = await recordMailFeedback(
    { ledger: ledgerTable(), workflow: workflow(), log: log() },
    feedback,
  );
  return { result };
}
