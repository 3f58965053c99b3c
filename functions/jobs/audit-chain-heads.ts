import { chainHeadsPorts } from '../aws/composition-root';
import { writeChainHeads } from '../core/audit/trail';

/**
 * AuditChainHeads (daily EventBridge rule): writes every request's audit
 * chain head (request id, sequence, hash) to the Object Lock audit bucket, so
 * a chain cut short afterwards is found out (core/audit/trail).
 */
export async function handler(): Promise<{ key: string; chains: number; moved: number }> {
  return writeChainHeads(chainHeadsPorts());
}
