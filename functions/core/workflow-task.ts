/**
 * The error names `WorkflowControl.succeed`/`fail` throw when the waiting task
 * no longer exists (it timed out, or another answer already closed it). The
 * workflow engine's contract, as the local runner mirrors it.
 */
const GONE_TASK_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** True when the waiting task no longer exists (timed out or already closed). */
export function isGoneTask(error: unknown): boolean {
  return error instanceof Error && GONE_TASK_ERRORS.has(error.name);
}
