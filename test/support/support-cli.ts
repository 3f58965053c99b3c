import { execFile } from 'node:child_process';

export interface SupportRun {
  readonly code: number;
  readonly stderr: string;
  /** The last stdout line (the JSON answer with `--json`). */
  readonly last: string;
  json(): unknown;
}

/**
 * Runs `npm run support -- ...args` against the local system in `dataDir`.
 * Asynchronously: in tests the emulators it talks to run in the test's own
 * process, so a synchronous spawn would wait on itself.
 */
export function runSupport(dataDir: string, ...args: string[]): Promise<SupportRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [require.resolve('tsx/cli'), 'infra/local/support-cli.ts', ...args],
      { env: { ...process.env, DSR_LOCAL_DIR: dataDir }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const last = stdout.trim().split('\n').at(-1) ?? '';
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code, stderr: stderr.trim(), last, json: (): unknown => JSON.parse(last) });
      },
    );
  });
}
