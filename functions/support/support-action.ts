import { log, supportActionPorts } from '../aws/composition-root';
import { runSupportAction } from '../core/support/support-action';

/**
 * SupportAction: one support action (list, show, due, retry, complete, fail,
 * extend, cancel), invoked by the DSR-* SSM Automation documents in AWS and
 * by `npm run support` and the local console page on this machine. A refusal
 * (unknown id, a status that does not allow the action, no reason) throws with
 * its one-line message, so the document's step fails showing it; nothing changed.
 */
export async function handler(event: unknown): Promise<unknown> {
  const action = (event as { action?: unknown } | null)?.action;
  try {
    return await runSupportAction(supportActionPorts(), event);
  } catch (error) {
    log().warn('support action refused or failed', {
      action: typeof action === 'string' ? action.slice(0, 32) : undefined,
      error: error instanceof Error ? error.name : 'Error',
    });
    throw error;
  }
}
