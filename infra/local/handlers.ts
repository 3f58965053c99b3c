import path from 'node:path';
import type { DeploymentEntry } from '../../functions/deployment';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Imports each registry entry's module and takes its declared handler export,
 * as Lambda would. Call only after the environment is set: handler modules
 * read it when they load.
 */
export async function loadHandlers<N extends string, H>(
  entries: Readonly<Record<N, DeploymentEntry>>,
): Promise<Record<N, H>> {
  const loaded = await Promise.all(
    (Object.entries(entries) as [N, DeploymentEntry][]).map(async ([name, def]) => {
      const mod = (await import(path.join(REPO_ROOT, def.entry))) as Record<string, unknown> & {
        default?: Record<string, unknown>;
      };
      const handler = mod[def.handler] ?? mod.default?.[def.handler];
      if (typeof handler !== 'function') throw new Error(`${def.entry} exports no ${def.handler}`);
      return [name, handler as H] as const;
    }),
  );
  return Object.fromEntries(loaded) as Record<N, H>;
}
