/**
 * `npm run load -- --requests N --concurrency C [--mix access=60,delete=20,opt_out=20] [--faults all=0.2]`
 * Starts a local system of its own (loopback only), drives N requests through
 * its API as clients would, prints a summary table and, as its last line, the
 * summary as JSON. Exits 1 when anything was lost, done twice or leaked.
 */
import { parseArgs } from 'node:util';
import { parseFaults } from './faults';
import { parseMix, runLoad } from './load';
import { reportFailure, UsageError } from './running-system';

async function main(argv: readonly string[]): Promise<void> {
  // The functions' INFO lines would bury the summary; warnings and errors still show.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const { values } = parseArgs({
    args: [...argv],
    options: {
      requests: { type: 'string', default: '50' },
      concurrency: { type: 'string', default: '10' },
      mix: { type: 'string' },
      faults: { type: 'string' },
    },
    strict: true,
  });
  let options: Parameters<typeof runLoad>[0];
  try {
    options = {
      requests: Number(values.requests),
      concurrency: Number(values.concurrency),
      ...(values.mix ? { mix: parseMix(values.mix) } : {}),
      ...(values.faults ? { faults: parseFaults(values.faults) } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const summary = await runLoad(options);
  const rows = Object.entries(summary).map(([k, v]) => `  ${k.padEnd(18)} ${v}`);
  process.stdout.write(`${['load test', ...rows].join('\n')}\n${JSON.stringify(summary)}\n`);
  // Nothing can shut the runtime's handles faster than exiting once the summary is out.
  process.exit(summary.lost + summary.duplicates + summary.leaks === 0 ? 0 : 1);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  reportFailure('load', error, 'the load test stopped');
  process.exit(1);
});
