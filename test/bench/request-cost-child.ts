/**
 * Runs the cost bench in a process of its own (`cost-sections.ts` starts it):
 * the handler modules cache their configuration and clients per process, so
 * a second local system in the process that ran the enumeration bench would
 * reach the first one's stopped emulators. Writes its results as JSON to the
 * file named by its first argument.
 */
import { writeFile } from 'node:fs/promises';
import { logger } from '../../functions/aws/logger';
import { benchRequestCosts, type CostedType } from './request-cost-bench';

async function main(): Promise<void> {
  const [out, types, warmUp] = process.argv.slice(2);
  if (!out || !types) throw new Error('usage: request-cost-child <out.json> <type,type> [warm-up 0|1]');
  logger.setLogLevel('WARN');
  const results = await benchRequestCosts(types.split(',') as CostedType[], warmUp !== '0');
  await writeFile(out, JSON.stringify(results));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
