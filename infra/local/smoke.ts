/**
 * The smoke test after a deploy (`npm run smoke`), as a person and support
 * would meet the system: the form and health answer, an access request for a
 * test address is accepted, verified with the emailed code, completes, and its
 * export downloads as a zip whose manifest matches the status page. The same
 * code runs against the local system (tests) and a deployed stack (the CLI);
 * only where the code and the download link come from differs.
 */
import { DeleteObjectsCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import JSZip from 'jszip';
import { z } from 'zod';
import { exportPrefix } from '../../functions/core/export/keys';

/** Where the emailed code and download link come from: a person at a prompt, or a mailbox the tool can read. */
export interface SmokeMailbox {
  /** The 6-digit code of the verification email for `requestId`. */
  code(email: string, requestId: string): Promise<string>;
  /** The `…/export?token=…` link of the email that says the export is ready. */
  exportLink(email: string, requestId: string): Promise<string>;
}

export interface SmokeOptions {
  /** The API's base URL (the stack's `ApiUrl` output). */
  readonly api: string;
  /** A test address that can receive mail (in the SES sandbox: a verified identity). */
  readonly email: string;
  readonly mailbox: SmokeMailbox;
  /** How long the request may take to complete; default 10 minutes. */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /** Progress lines (never the code, the tokens or the link). */
  readonly log?: (line: string) => void;
  /** Removes the request's export package (every version) once checked; returns the objects removed. */
  readonly removeExport?: (requestId: string) => Promise<number>;
}

export interface SmokeSummary {
  readonly requestId: string;
  readonly status: string;
  readonly secondsToComplete: number;
  /** Records per store, from the status page. */
  readonly stores: Readonly<Record<string, number>>;
  readonly export: { readonly bytes: number; readonly files: number; readonly manifestMatches: boolean };
}

/** A step that did not behave as a user would expect; its message says which and what came back. */
export class SmokeFailure extends Error {
  override name = 'SmokeFailure';
}

const Accepted = z.object({ requestId: z.string().min(1), statusToken: z.string().min(1) });
const Status = z.object({
  status: z.string(),
  stores: z.array(z.object({ storeId: z.string(), status: z.string(), records: z.number().optional() })),
});
const Manifest = z.object({ stores: z.array(z.object({ storeId: z.string(), records: z.number() })) });
const FINISHED = new Set(['completed', 'failed', 'expired', 'rejected', 'cancelled']);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function expectStatus(step: string, res: Response, wanted: number): Promise<void> {
  if (res.status !== wanted) {
    const body = (await res.text()).slice(0, 200);
    throw new SmokeFailure(`${step}: expected HTTP ${wanted}, got ${res.status} ${body}`);
  }
}

/** Runs every step in order; throws {@link SmokeFailure} at the first that fails. */
export async function runSmoke(options: SmokeOptions): Promise<SmokeSummary> {
  const log = options.log ?? (() => undefined);
  const base = options.api.endsWith('/') ? options.api : `${options.api}/`;
  const url = (path: string) => new URL(path, base).href;
  const form = await fetch(url(''));
  await expectStatus('the form', form, 200);
  if (!(await form.text()).includes('name="email"'))
    throw new SmokeFailure('the form: no email field on the page');
  await expectStatus('health', await fetch(url('health')), 200);
  log('form and health answer');

  const submit = await fetch(url('requests'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'access', email: options.email }),
  });
  await expectStatus('submitting an access request', submit, 202);
  const { requestId, statusToken } = Accepted.parse(await submit.json());
  const started = Date.now();
  log(`request ${requestId} accepted; waiting for the verification email`);

  const code = await options.mailbox.code(options.email, requestId);
  const verifyOnce = () =>
    fetch(url(`requests/${encodeURIComponent(requestId)}/verify`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${statusToken}` },
      body: JSON.stringify({ code }),
    });
  let verify = await verifyOnce();
  // 409 not_ready: the workflow has not stored the code yet (a code typed very fast); it will.
  for (let tries = 0; verify.status === 409 && tries < 30; tries++) {
    await sleep(1000);
    verify = await verifyOnce();
  }
  await expectStatus('verifying with the emailed code', verify, 200);
  log('verified; waiting for the request to complete');

  const status = await untilFinished(url(`requests/${encodeURIComponent(requestId)}`), statusToken, options);
  if (status.status !== 'completed')
    throw new SmokeFailure(`the request ended ${status.status}, not completed`);
  const stores = Object.fromEntries(status.stores.map((s) => [s.storeId, s.records ?? 0]));
  const secondsToComplete = Math.round((Date.now() - started) / 1000);
  log(`completed in ${secondsToComplete} s; downloading the export`);

  const zip = await download(await options.mailbox.exportLink(options.email, requestId));
  const manifestFile = zip.archive.file('manifest.json');
  if (!manifestFile) throw new SmokeFailure('the export: no manifest.json in the zip');
  const manifest = Manifest.parse(JSON.parse(await manifestFile.async('string')));
  const manifestMatches = manifest.stores.every((s) => stores[s.storeId] === s.records);
  // The test's own export goes at once instead of waiting for the bucket's expiry rule.
  const removed = options.removeExport ? await options.removeExport(requestId) : undefined;
  if (removed !== undefined) log(`export package removed (${removed} objects)`);
  return {
    requestId,
    status: status.status,
    secondsToComplete,
    stores,
    export: { bytes: zip.bytes, files: Object.keys(zip.archive.files).length, manifestMatches },
  };
}

async function untilFinished(
  statusUrl: string,
  statusToken: string,
  options: SmokeOptions,
): Promise<z.infer<typeof Status>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const res = await fetch(statusUrl, { headers: { authorization: `Bearer ${statusToken}` } });
    await expectStatus('the status page', res, 200);
    const status = Status.parse(await res.json());
    if (FINISHED.has(status.status)) return status;
    if (Date.now() > deadline)
      throw new SmokeFailure(`the request is still ${status.status} after the timeout`);
    await sleep(options.pollMs ?? 2000);
  }
}

/** The emailed link redirects (302) to a short-lived pre-signed URL holding the zip. */
async function download(link: string): Promise<{ archive: JSZip; bytes: number }> {
  const redirect = await fetch(link, { redirect: 'manual' });
  await expectStatus('the export link', redirect, 302);
  const location = redirect.headers.get('location');
  if (!location) throw new SmokeFailure('the export link: a redirect without a location');
  const res = await fetch(location);
  await expectStatus('the export download', res, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { archive: await JSZip.loadAsync(bytes), bytes: bytes.length };
}

/** The email's text: its plain part and its HTML without tags. */
const textOf = (email: { body: { text?: string; html?: string } }) =>
  `${email.body.text ?? ''}\n${(email.body.html ?? '').replace(/<[^>]+>/g, ' ')}`;

const Mailbox = z.object({
  emails: z.array(
    z.object({
      destination: z.object({ to: z.array(z.string()) }),
      body: z.object({ text: z.string().optional(), html: z.string().optional() }),
    }),
  ),
});

/**
 * Removes every version of every object under the request's export prefix
 * (`exports/<requestId>/`) in `bucket`, with the caller's credentials.
 */
export async function removeExportPackage(s3: S3Client, bucket: string, requestId: string): Promise<number> {
  let removed = 0;
  // Each page is deleted before the next is listed, so listing from the start again finds the rest.
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: exportPrefix(requestId) }),
    );
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key as string,
      ...(v.VersionId && v.VersionId !== 'null' ? { VersionId: v.VersionId } : {}),
    }));
    if (objects.length === 0) return removed;
    const out = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
    );
    // A refused delete would be listed again forever: stop and say which error.
    if ((out.Errors ?? []).length > 0)
      throw new SmokeFailure(
        `removing the export: ${out.Errors?.[0]?.Code ?? 'an object'} could not be deleted`,
      );
    removed += objects.length;
  }
}

/**
 * The local SES emulator's mailbox (`<ses>/store`) as a {@link SmokeMailbox}: the first
 * email about the request holds the code, a later one the export link.
 */
export function emulatorMailbox(sesUrl: string, waitMs = 60_000): SmokeMailbox {
  const find = async (email: string, requestId: string, pattern: RegExp, what: string): Promise<string> => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const store = Mailbox.parse(await (await fetch(`${sesUrl}/store`)).json());
      for (const mail of store.emails) {
        const to = mail.destination.to.map((t) => t.toLowerCase());
        const all = `${textOf(mail)} ${mail.body.html ?? ''}`;
        const match = to.includes(email.toLowerCase()) && all.includes(requestId) ? pattern.exec(all) : null;
        if (match) return (match[1] ?? match[0]).replace(/&amp;/g, '&');
      }
      if (Date.now() > deadline) throw new SmokeFailure(`no email with ${what} arrived`);
      await sleep(200);
    }
  };
  return {
    code: (email, requestId) => find(email, requestId, /(?<![\d-])(\d{6})(?![\d-])/, 'the code'),
    exportLink: (email, requestId) =>
      find(email, requestId, /https?:\/\/[^"'\s<>]+\/export\?token=[^"'\s<>]+/, 'the export link'),
  };
}
