import * as root from '../aws/composition-root';
import { AttentionInput, requestSupportDecision } from '../core/support/attention';

/** RequestSupportDecision: the request needs attention; support is emailed; the workflow waits on the token. */
export async function handler(event: unknown): ReturnType<typeof requestSupportDecision> {
  const input = AttentionInput.parse(event);
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
