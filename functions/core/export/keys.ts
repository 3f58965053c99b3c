import { RequestId } from '../request';
import * as z from '../zod';

/** Same shape as a data-map store id; the only store-derived part of an export key. */
export const ExportStoreId = z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/));

/** A sanitised attachment file name: no path, no leading dot, safe characters only. */
export const ExportFileName = z.string().check(
  z.regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,119}$/),
  // Never `..` anywhere, so no tool that joins keys into paths can be walked upwards.
  z.refine((name) => !name.includes('..')),
);

/**
 * Thrown when a request id, store id or file name would make an unsafe S3 key.
 * Its name is part of the workflow contract (Catch matches on it); the message holds no input.
 */
export class UnsafeExportKeyError extends Error {
  override readonly name = 'UnsafeExportKeyError';
}

function check<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  // The rejected value is not echoed: it may be anything, including personal data.
  if (!parsed.success) throw new UnsafeExportKeyError(`invalid ${what} for an export key`);
  return parsed.data;
}

/** Validated request id (`YYYYMMDD-<type>-<10 base32>`), or throws UnsafeExportKeyError. */
export function safeRequestId(value: unknown): string {
  return check(RequestId, value, 'request id');
}

/** Validated store id, or throws UnsafeExportKeyError. */
export function safeStoreId(value: unknown): string {
  return check(ExportStoreId, value, 'store id');
}

/** Validated sanitised file name, or throws UnsafeExportKeyError. */
export function safeFileName(value: unknown): string {
  return check(ExportFileName, value, 'file name');
}

/** Every object of one request's export lives under this prefix. */
export function exportPrefix(requestId: string): string {
  return `exports/${safeRequestId(requestId)}/`;
}

/** `exports/<requestId>/stores/<storeId>.json` */
export function storeExportKey(requestId: string, storeId: string): string {
  return `${exportPrefix(requestId)}stores/${safeStoreId(storeId)}.json`;
}

/** `exports/<requestId>/stores/<storeId>.columns.json`: the CSV columns learnt while the store file was written. */
export function storeColumnsKey(requestId: string, storeId: string): string {
  return `${exportPrefix(requestId)}stores/${safeStoreId(storeId)}.columns.json`;
}

/** Path of an attachment relative to the `stores/` folder: `<storeId>/files/<name>`. */
export function attachmentPath(storeId: string, name: string): string {
  return `${safeStoreId(storeId)}/files/${safeFileName(name)}`;
}

/** `exports/<requestId>/stores/<storeId>/files/<name>` */
export function attachmentKey(requestId: string, storeId: string, name: string): string {
  return `${exportPrefix(requestId)}stores/${attachmentPath(storeId, name)}`;
}

/** `exports/<requestId>/export.zip` */
export function exportZipKey(requestId: string): string {
  return `${exportPrefix(requestId)}export.zip`;
}

const UNSAFE_CHARS = /[^A-Za-z0-9._-]/g;
const MAX_NAME = 120;

/**
 * Turns an attachment's original name into a safe file name: basename only,
 * `[A-Za-z0-9._-]` only, no leading dot, bounded length; never empty.
 */
export function sanitiseFileName(original: string): string {
  const base = original.split(/[/\\]/).pop() ?? '';
  let name = base
    .replace(UNSAFE_CHARS, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._]+/, '');
  if (name.length > MAX_NAME) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = name.slice(0, MAX_NAME - ext.length) + ext;
  }
  return name.length > 0 ? name : 'file';
}

/**
 * Hands out unique names per store. Compared case-insensitively so that
 * unzipping on macOS or Windows never overwrites one file with another.
 */
export class FileNameAllocator {
  private readonly used = new Set<string>();

  allocate(original: string): string {
    const name = sanitiseFileName(original);
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    let candidate = name;
    for (let n = 2; this.used.has(candidate.toLowerCase()); n++) {
      const suffix = `-${n}`;
      candidate = stem.slice(0, MAX_NAME - ext.length - suffix.length) + suffix + ext;
    }
    this.used.add(candidate.toLowerCase());
    return candidate;
  }
}

/** Every erasure working file of one request (exports bucket) lives under this prefix. */
export function erasurePrefix(requestId: string): string {
  return `erasure/${safeRequestId(requestId)}/`;
}

/** A calendar day `YYYY-MM-DD` (UTC), as the retention sweep names its runs. */
export const IsoDay = z.iso.date();

/** Validated `YYYY-MM-DD`, or throws UnsafeExportKeyError. */
export function safeDay(value: unknown): string {
  return check(IsoDay, value, 'date');
}

/**
 * The retention sweep's working folder for one day, `retention-<YYYY-MM-DD>`:
 * its erasure manifests sit beside the request's original ones, never over them.
 */
export function retentionRun(today: string): string {
  return `retention-${safeDay(today)}`;
}

const RetentionRun = z.string().check(z.regex(/^retention-\d{4}-\d{2}-\d{2}$/));

/** `erasure/<requestId>/` or, for a retention sweep run, `erasure/<requestId>/<run>/`. */
function erasureFolder(requestId: string, run?: string): string {
  return run === undefined
    ? erasurePrefix(requestId)
    : `${erasurePrefix(requestId)}${check(RetentionRun, run, 'erasure run')}/`;
}

/**
 * `erasure/<requestId>/<storeId>.decisions.jsonl`: one erasure decision per line (the manifest),
 * after its summary's line when it went up in one piece;
 * a retention sweep's under `erasure/<requestId>/retention-<YYYY-MM-DD>/`.
 */
export function erasureDecisionsKey(requestId: string, storeId: string, run?: string): string {
  return `${erasureFolder(requestId, run)}${safeStoreId(storeId)}.decisions.jsonl`;
}

/** `erasure/<requestId>/[<run>/]<storeId>.summary.json`: only beside a streamed manifest, written after it to mark it complete. */
export function erasureSummaryKey(requestId: string, storeId: string, run?: string): string {
  return `${erasureFolder(requestId, run)}${safeStoreId(storeId)}.summary.json`;
}

/** Certificates of one request (audit bucket) live under this prefix. */
export function certificatePrefix(requestId: string): string {
  return `certificates/${safeRequestId(requestId)}/`;
}

/** `certificates/<requestId>/certificate.json` */
export function certificateJsonKey(requestId: string): string {
  return `${certificatePrefix(requestId)}certificate.json`;
}

/** `certificates/<requestId>/certificate.html` */
export function certificateHtmlKey(requestId: string): string {
  return `${certificatePrefix(requestId)}certificate.html`;
}

/** `certificates/<requestId>/retention-<YYYY-MM-DD>.json`: the retention sweep's addendum to the certificate. */
export function retentionAddendumKey(requestId: string, today: string): string {
  return `${certificatePrefix(requestId)}${retentionRun(today)}.json`;
}
