/**
 * What `-c trial=true` changes, in one place: a deployment that shows the
 * product in a sandbox account and can be cleaned up after a day.
 */
import { type DataMap, parseDataMap } from '../functions/core/data-map';

/** A trial's certificates are locked in GOVERNANCE mode for one day, so the bucket can be emptied after it. */
export const TRIAL_AUDIT_LOCK = { mode: 'GOVERNANCE', days: 1 } as const;

/**
 * The data map without its processors: a trial has no partner to tell (the demo's point at `*.example`
 * hosts), so no request escalates and no escalation alarm fires.
 */
export function trialDataMap(map: DataMap): DataMap {
  return parseDataMap({ ...map, stores: map.stores.filter((s) => s.kind !== 'processor') }, 'trial data map');
}
