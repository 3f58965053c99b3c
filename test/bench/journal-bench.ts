/**
 * What the local runtime's execution journal costs: the same access
 * executions (stubbed tasks, so only the workflow's own work is timed) run
 * with and without a journal directory, and the bytes written per task.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowRunner } from '../../infra/local/workflow-runner';
import { stubHandlers } from '../support/stub-handlers';

export interface JournalBench {
  readonly executions: number;
  /** Task calls per execution (the stubs count them). */
  readonly tasksPerExecution: number;
  readonly withoutMs: number;
  readonly withMs: number;
  /** Extra wall time per task with the journal, in microseconds. */
  readonly perTaskMicros: number;
  readonly bytesPerTask: number;
  readonly bytesPerExecution: number;
}

async function run(
  executions: number,
  journalDir: string | undefined,
): Promise<{ ms: number; tasks: number }> {
  const stubs = stubHandlers();
  const runner = new WorkflowRunner({
    handlers: stubs.handlers,
    retryIntervalMs: 0,
    ...(journalDir ? { journalDir } : {}),
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: executions }, async (_, i) => {
      const name = `20260101-access-BENCH${String(i).padStart(5, '0')}`;
      runner.start(name, JSON.stringify({ requestId: name, type: 'access' }));
      let token = runner.waitingTokens(name)[0];
      while (!token) {
        await new Promise((r) => setImmediate(r));
        token = runner.waitingTokens(name)[0];
      }
      runner.sendTaskSuccess(token, '{}');
      await runner.waitFor(name);
    }),
  );
  const ms = performance.now() - started;
  await runner.stop();
  return { ms, tasks: stubs.calls.length };
}

export async function benchJournal(executions: number): Promise<JournalBench> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dsr-bench-journal-'));
  try {
    await run(20, undefined); // warm up the interpreter and the stubs
    const without = await run(executions, undefined);
    const withJournal = await run(executions, dir);
    let bytes = 0;
    for (const file of await readdir(dir)) bytes += (await stat(path.join(dir, file))).size;
    return {
      executions,
      tasksPerExecution: withJournal.tasks / executions,
      withoutMs: without.ms,
      withMs: withJournal.ms,
      perTaskMicros: ((withJournal.ms - without.ms) * 1000) / withJournal.tasks,
      bytesPerTask: bytes / withJournal.tasks,
      bytesPerExecution: bytes / executions,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
