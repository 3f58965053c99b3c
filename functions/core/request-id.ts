import { randomInt } from 'node:crypto';
import type { RequestType } from './request';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `YYYYMMDD-<type, dashed>-<10 random base32 chars>` (UTC date): readable by support, unguessable. */
export function newRequestId(type: RequestType, now = new Date()): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  let suffix = '';
  for (let i = 0; i < 10; i++) suffix += BASE32[randomInt(0, 32)];
  return `${date}-${type.replace('_', '-')}-${suffix}`;
}
