import path from 'node:path';
import demoDataMap from '../../config/impor-in.data-map.json';
import { type DataMap, parseDataMap } from '../../functions/core/data-map';

/** The Impor.in demo data map file, which the local runtime runs on. */
export const DEMO_DATA_MAP_FILE = path.resolve(__dirname, '..', '..', 'config', 'impor-in.data-map.json');

/** The Impor.in demo data map, validated. */
export function loadDemoDataMap(): DataMap {
  return parseDataMap(demoDataMap, 'config/impor-in.data-map.json');
}
