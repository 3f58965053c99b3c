import * as root from '../aws/composition-root';
import { AttentionInput, requestSupportDecision } from '../core/support/attention';
import * as z from '../core/zod';

/** RequestSupportDecision: the request needs attention; support is emailed; the workflow waits on the token. */
export async function handler(event: unknown): ReturnType<typeof requestSupportDecision> {
  const input = z.parse(AttentionInput, event);
  const support = root.config().supportEmail;
  return requestSupportDecision(
    {
      ledger: root.attentionLedger(),
      ...(support ? { support: { mailer: root.mailer(), to: support } } : {}),
      log: root.log(),
      clock: () => new Date(),
    },
    input,
  );
}
