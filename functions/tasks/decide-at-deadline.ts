import * as root from '../aws/composition-root';
import { AttentionInput } from '../core/support/attention';
import { type DeadlineDecision, decideAtDeadline } from '../core/support/deadline-decision';
import * as z from '../core/zod';

const Input = z.pick(AttentionInput, { requestId: true });

/** DecideAtDeadline: support's wait reached the deadline; wait again if extended, else complete with exceptions. */
export async function handler(event: unknown): Promise<DeadlineDecision> {
  const cfg = root.config();
  return decideAtDeadline(
    {
      ledger: root.attentionLedger(),
      mailer: root.mailer(),
      dataMap: cfg.dataMap,
      publicUrl: cfg.publicUrl,
      log: root.log(),
      clock: () => new Date(),
      audit: root.auditTrail(),
      deadlineMarginSeconds: cfg.deadlineMarginSeconds,
    },
    z.parse(Input, event).requestId,
  );
}
