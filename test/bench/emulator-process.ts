/**
 * The emulators (dynalite, s3rver, the SES emulator) in a child process, so a
 * benchmark's peak RSS is the code under test and the SDK, as in a Lambda, not
 * the emulators holding and receiving the data. Run directly, this file is the
 * child: it starts the emulators, prints their endpoints as one line of JSON
 * and stops them when its stdin closes (the parent ended or died).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { EmulatorEndpoints } from '../../infra/local/emulators';

/** Emulators running in another process. */
export interface EmulatorProcess {
  readonly endpoints: EmulatorEndpoints;
  /** What SDK clients need to reach them (s3rver accepts only its own credentials). */
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Highest RSS the child reached, in MiB (read when it stops). */
  stop(): Promise<{ peakRssMiB: number }>;
}

/** Starts the emulators in a child `node` (with tsx) and waits for their endpoints. */
export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`emulator process exited (${code})`));
      child.once('exit', onExit);
      lines.once('line', (line) => {
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const started = JSON.parse(await next()) as Pick<EmulatorProcess, 'endpoints' | 'region' | 'credentials'>;
  return {
    ...started,
    async stop() {
      const last = next();
      child.stdin.end();
      const { peakRssMiB } = JSON.parse(await last) as { peakRssMiB: number };
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(0)));
      return { peakRssMiB };
    },
  };
}

async function child(): Promise<void> {
  // Imported here: the parent never loads the emulators' code (it would count in its memory).
  const { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } = await import('../../infra/local/emulators');
  const emulators = await startEmulators();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = { endpoints: emulators.endpoints, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  process.stdout.write(`${JSON.stringify(started)}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => {
    clearInterval(sampler);
    void emulators.stop().then(() => {
      process.stdout.write(`${JSON.stringify({ peakRssMiB: peak / (1024 * 1024) })}\n`, () =>
        process.exit(0),
      );
    });
  });
}

if (require.main === module) {
  child().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
