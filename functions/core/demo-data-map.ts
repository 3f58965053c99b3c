import demoDataMap from '../../config/impor-in.data-map.json';
import { type DataMap, parseDataMap } from './data-map';

/** The Impor.in demo data map, validated. */
export function loadDemoDataMap(): DataMap {
  return parseDataMap(demoDataMap, 'config/impor-in.data-map.json');
}
