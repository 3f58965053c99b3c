/**
 * `npm start` as a child process (`tsx infra/local/start.ts`) on free ports,
 * for tests that kill it for real: a SIGKILL gives it no chance to tidy up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { connectToRunningSystem, type RunningSystem } from '../../infra/local/running-system';
import type { SesEmail } from './local-api';

const READY = 'DSR workflow running locally';

export class ChildSystem {
  /** Everything it printed (handler logs are JSON lines). */
  readonly output: string[] = [];
  private constructor(
    private readonly child: ChildProcess,
    readonly endpoints: { readonly api: string; readonly ses: string; readonly processors: string },
    readonly running: RunningSystem,
  ) {}

  /** Starts it on `dataDir` and waits until it says it is ready (up to 90 s). */
  static async start(dataDir: string, env: Record<string, string>): Promise<ChildSystem> {
    // Node itself with tsx's loader (not the tsx CLI, whose own child a SIGKILL would orphan).
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
      env: {
        ...process.env,
        PORT: '0',
        SES_PORT: '0',
        PROCESSOR_PORT: '0',
        DSR_LOCAL_DIR: dataDir,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in 90 s:\n${output.join('\n')}`)), 90_000);
      const check = () => {
        if (output.some((l) => l.includes(READY))) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited ${code} before ready:\n${output.join('\n')}`));
      });
    });
    const endpoints = JSON.parse(await readFile(path.join(dataDir, 'endpoints.json'), 'utf8')) as {
      api: string;
      ses: string;
      processors: string;
    };
    const system = new ChildSystem(child, endpoints, await connectToRunningSystem(dataDir));
    system.output.push(...output);
    child.stdout?.on('data', (c: Buffer) =>
      system.output.push(...c.toString('utf8').split('\n').filter(Boolean)),
    );
    return system;
  }

  /** SIGKILL, and waits until it is gone. */
  async kill(): Promise<void> {
    this.running.close();
    if (this.gone) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await gone;
  }

  /** Ctrl+C, and waits until it has stopped. */
  async stop(): Promise<void> {
    this.running.close();
    if (this.gone) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
  }

  private get gone(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async emails(): Promise<SesEmail[]> {
    const res = await fetch(`${this.endpoints.ses}/store`);
    return ((await res.json()) as { emails: SesEmail[] }).emails;
  }

  /** Emails that mention `requestId`, oldest first. */
  async emailsAbout(requestId: string): Promise<SesEmail[]> {
    return (await this.emails()).filter((e) =>
      `${e.body.html ?? ''}${e.body.text ?? ''}`.includes(requestId),
    );
  }

  /** Handler log lines (JSON) with this message. */
  logged(message: string): Record<string, unknown>[] {
    return this.output.flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        return entry.message === message ? [entry] : [];
      } catch {
        return [];
      }
    });
  }
}
