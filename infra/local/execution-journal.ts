/**
 * A durable journal of each local execution, as Step Functions keeps an
 * execution's history in AWS (and Temporal its event history): the input,
 * every task's result, every task token handed out with its deadline, and how
 * the execution ended. Each fact is one JSON line, written synchronously
 * before the interpreter moves on, so a `kill -9` of `npm start` loses nothing
 * the workflow has acted on. On start the runner replays each open journal:
 * a task with a recorded result returns it instead of running again, and a
 * waiting task waits again on the same token until the same deadline.
 *
 * A task's step is its state name, a hash of its input and the how-many-th
 * call with that input this is: the interpreter is deterministic given the
 * tasks' results, so a replay asks for the same steps in the same order
 * (Map iterations differ by their item, retries by their count).
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const Outcome = z.union([
  z.object({ output: z.unknown() }),
  z.object({ error: z.string(), cause: z.string() }),
]);
export type StepOutcome = z.infer<typeof Outcome>;

const Line = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('started'), name: z.string(), input: z.string(), startDate: z.string() }),
  /** A callback task's token, before its handler runs; `deadline` in epoch ms (none: it waits without end). */
  z.object({
    kind: z.literal('waiting'),
    step: z.string(),
    token: z.string(),
    deadline: z.number().optional(),
  }),
  /** The callback task's handler returned: on replay it is not called again, only waited on. */
  z.object({ kind: z.literal('invoked'), step: z.string() }),
  z.object({ kind: z.literal('outcome'), step: z.string(), outcome: Outcome }),
  z.object({
    kind: z.literal('ended'),
    status: z.enum(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']),
    output: z.string().optional(),
    error: z.string().optional(),
    cause: z.string().optional(),
    stopDate: z.string(),
  }),
  /** RedriveExecution: recorded failures before it are run again; successes stand. */
  z.object({ kind: z.literal('redriven'), at: z.string() }),
]);
type Line = z.infer<typeof Line>;
type Ended = Extract<Line, { kind: 'ended' }>;

/** A journal as read back on start. */
export interface RecoveredExecution {
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  /** How it ended; undefined = it was running and resumes. */
  readonly ended?: Omit<Ended, 'kind'>;
  readonly redriveCount: number;
  /** The journal to replay (running executions only; an ended one is read again if redriven). */
  readonly journal?: ExecutionJournal;
}

/** The key of the stable JSON text of a task's input, without the values that differ per attempt. */
function inputHash(input: unknown): string {
  const stable = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(stable);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'taskToken')
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, v]) => [key, stable(v)]),
    );
  };
  return createHash('sha256')
    .update(JSON.stringify(stable(input)))
    .digest('base64url')
    .slice(0, 16);
}

/** One execution's journal file: what it recorded so far, and appends that reach the disk before returning. */
export class ExecutionJournal {
  private fd: number | undefined;
  private readonly counts = new Map<string, number>();
  private readonly outcomes = new Map<string, StepOutcome>();
  private readonly waits = new Map<string, { token: string; deadline?: number }>();
  private readonly invokedSteps = new Set<string>();
  /** Recorded outcomes not yet asked for: while any remain, the execution is catching up. */
  private unread = 0;
  /** Bytes this process appended (the bench's figure). */
  bytesWritten = 0;

  constructor(
    readonly file: string,
    lines: readonly Line[] = [],
  ) {
    for (const line of lines) this.learn(line);
  }

  /** The step of a task about to run: state name, input, and the how-many-th such call. */
  step(stateName: string, input: unknown): string {
    const base = `${stateName}:${inputHash(input)}`;
    const n = (this.counts.get(base) ?? 0) + 1;
    this.counts.set(base, n);
    return `${base}:${n}`;
  }

  /** The recorded outcome of a step, if it completed before. */
  outcome(step: string): StepOutcome | undefined {
    const outcome = this.outcomes.get(step);
    if (outcome) this.unread = Math.max(0, this.unread - 1);
    return outcome;
  }

  /** True while the execution is replaying recorded outcomes (retry waits are skipped meanwhile). */
  get replaying(): boolean {
    return this.unread > 0;
  }

  waiting(step: string): { token: string; deadline?: number } | undefined {
    return this.waits.get(step);
  }

  invoked(step: string): boolean {
    return this.invokedSteps.has(step);
  }

  recordStart(name: string, input: string, startDate: Date): void {
    this.append({ kind: 'started', name, input, startDate: startDate.toISOString() });
  }

  recordWaiting(step: string, token: string, deadline: number | undefined): void {
    this.append({ kind: 'waiting', step, token, ...(deadline !== undefined ? { deadline } : {}) });
  }

  recordInvoked(step: string): void {
    this.append({ kind: 'invoked', step });
  }

  recordOutcome(step: string, outcome: StepOutcome): void {
    this.append({ kind: 'outcome', step, outcome });
  }

  recordEnd(end: Omit<Ended, 'kind'>): void {
    this.append({ kind: 'ended', ...end });
    this.close();
  }

  /** Forgets recorded failures (they run again), keeps successes, and starts counting steps afresh. */
  recordRedrive(at: Date): void {
    this.append({ kind: 'redriven', at: at.toISOString() });
    this.counts.clear();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(line: Line): void {
    this.learn(line);
    const text = `${JSON.stringify(line)}\n`;
    this.fd ??= openSync(this.file, 'a', 0o600);
    // Synchronous: the line is with the OS before the interpreter takes its next step.
    this.bytesWritten += writeSync(this.fd, text);
  }

  private learn(line: Line): void {
    switch (line.kind) {
      case 'waiting':
        this.waits.set(line.step, { token: line.token, deadline: line.deadline });
        break;
      case 'invoked':
        this.invokedSteps.add(line.step);
        break;
      case 'outcome':
        if (!this.outcomes.has(line.step)) this.unread += 1;
        this.outcomes.set(line.step, line.outcome);
        break;
      case 'redriven':
        for (const [step, outcome] of this.outcomes) {
          if ('error' in outcome) {
            this.outcomes.delete(step);
            this.waits.delete(step);
            this.invokedSteps.delete(step);
          }
        }
        // Waits that never got an answer were aborted: they are asked again.
        for (const step of this.waits.keys()) if (!this.outcomes.has(step)) this.waits.delete(step);
        for (const step of this.invokedSteps) if (!this.outcomes.has(step)) this.invokedSteps.delete(step);
        this.unread = this.outcomes.size;
        break;
      default:
        break;
    }
  }
}

/** The journals of one data directory: `<dir>/<execution name>.jsonl`. */
export class JournalStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** A new execution's journal, its start written. */
  create(name: string, input: string, startDate: Date): ExecutionJournal {
    const journal = new ExecutionJournal(path.join(this.dir, `${name}.jsonl`));
    journal.recordStart(name, input, startDate);
    return journal;
  }

  /** Every journal in the directory, oldest first; running ones come with their journal to replay. */
  recover(): RecoveredExecution[] {
    const recovered: RecoveredExecution[] = [];
    for (const entry of readdirSync(this.dir).filter((f) => f.endsWith('.jsonl'))) {
      const read = this.read(entry.slice(0, -'.jsonl'.length));
      if (read) recovered.push(read);
    }
    return recovered.sort((a, b) => a.startDate.getTime() - b.startDate.getTime());
  }

  /** One execution's journal; a torn last line (a kill mid-write) is dropped. */
  read(name: string): RecoveredExecution | undefined {
    const { file, lines } = this.lines(name);
    const start = lines[0];
    if (start?.kind !== 'started') return undefined;
    let ended: Ended | undefined;
    let redriveCount = 0;
    for (const line of lines) {
      if (line.kind === 'ended') ended = line;
      if (line.kind === 'redriven') {
        redriveCount += 1;
        ended = undefined;
      }
    }
    const base = { name: start.name, input: start.input, startDate: new Date(start.startDate), redriveCount };
    if (!ended) return { ...base, journal: new ExecutionJournal(file, lines) };
    const { kind: _kind, ...end } = ended;
    return { ...base, ended: end };
  }

  /** An ended execution's journal, to continue it (RedriveExecution). */
  reopen(name: string): ExecutionJournal {
    const { file, lines } = this.lines(name);
    return new ExecutionJournal(file, lines);
  }

  private lines(name: string): { file: string; lines: Line[] } {
    const file = path.join(this.dir, `${name}.jsonl`);
    const lines: Line[] = [];
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      const line = text.trim() ? Line.safeParse(safeJson(text)) : undefined;
      if (line?.success) lines.push(line.data);
    }
    return { file, lines };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
