/**
 * The registry of scheduled jobs: Lambda functions that no workflow state
 * calls but a schedule does. The CDK builds one function per entry (granting
 * exactly `access`, like a workflow task) and one EventBridge rule with
 * `schedule` that invokes it.
 */
import type { TaskAccess } from '../../workflows/tasks';

export interface JobEntry {
  /** Source file of the handler, relative to the repository root. */
  readonly entry: string;
  /** Exported handler function name. */
  readonly handler: 'handler';
  readonly description: string;
  readonly access: readonly TaskAccess[];
  /** Lambda timeout; the job bounds its own work per run to stay inside it. */
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** EventBridge schedule expression, e.g. `rate(1 day)` or `cron(...)`. */
  readonly schedule: string;
}

export const JOBS = {
  RetentionSweep: {
    entry: 'functions/jobs/retention-sweep.ts',
    handler: 'handler',
    description: 'Erases records kept for a legal retention period once that period has ended',
    access: [
      'ledger:read',
      'ledger:write',
      'secret:read',
      'stores:read',
      'stores:write',
      'exports:read',
      'exports:write',
      'audit:write',
    ],
    timeoutSeconds: 900,
    memoryMb: 1024,
    schedule: 'rate(1 day)',
  },
} as const satisfies Record<string, JobEntry>;

export type JobName = keyof typeof JOBS;
