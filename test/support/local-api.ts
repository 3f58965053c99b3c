/**
 * The plumbing the local end-to-end tests share: polling, the SES emulator's
 * store, the emailed code and links, and the public API over HTTP, for one
 * started `LocalSystem`. Only types are imported from the local system, so a
 * test can still set environment variables before it loads the handlers.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import JSZip from 'jszip';
import type { ProcessorEvidence } from '../../functions/core/ledger-record';
import type { Received } from '../../infra/local/processors';
import type { LocalSystem } from '../../infra/local/system';

/** One email as the SES emulator's `/store` lists it. */
export interface SesEmail {
  readonly destination: { readonly to: string[] };
  readonly subject: string;
  readonly body: { readonly html?: string; readonly text?: string };
  readonly at?: number;
}

/** What `POST /requests` answers with 202. */
export interface Submitted {
  readonly requestId: string;
  readonly status: string;
  readonly statusToken: string;
}

/** One store's line on the status page. */
export interface StoreStatus {
  readonly storeId: string;
  readonly status: string;
  readonly records?: number;
  readonly erasure?: { readonly deleted: number };
  readonly verified?: boolean;
}

/** What `GET /requests/{id}` answers. */
export interface RequestStatus {
  readonly requestId: string;
  readonly status: string;
  readonly stores: StoreStatus[];
}

/** Statuses a request does not leave. */
const FINAL_STATUSES = ['failed', 'expired', 'rejected', 'completed', 'cancelled'];

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Calls `read` every 100 ms until it gives a value; throws naming `what` after `timeoutMs`. */
export async function poll<T>(
  read: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The email's plain text followed by its HTML without tags. */
export const textOf = (email: SesEmail) =>
  `${email.body.text ?? ''}\n${(email.body.html ?? '').replace(/<[^>]+>/g, ' ')}`;

/** The 6-digit verification code in an email. */
export function codeIn(email: SesEmail): string {
  const match = /(?<![\d-])(\d{6})(?![\d-])/.exec(textOf(email));
  if (!match?.[1]) throw new Error('no 6-digit code in the verification email');
  return match[1];
}

/** The first `…/<pathPart>?token=…` link in an email, HTML entities undone. */
export function linkIn(email: SesEmail, pathPart: string): string {
  const all = `${email.body.html ?? ''} ${email.body.text ?? ''}`;
  const match = new RegExp(`https?://[^"'\\s<>]+/${pathPart}\\?token=[^"'\\s<>]+`).exec(all);
  if (!match) throw new Error(`no ${pathPart} link in the email`);
  return match[0].replace(/&amp;/g, '&');
}

/** The public API, mailbox and ledger of one started local system, as the tests use them. */
export class LocalApi {
  constructor(private readonly system: LocalSystem) {}

  /** The API's base URL. */
  get url(): string {
    return this.system.urls.api;
  }

  /** Every email the SES emulator holds, oldest first. */
  async emails(): Promise<SesEmail[]> {
    const res = await fetch(`${this.system.urls.ses}/store`);
    return ((await res.json()) as { emails: SesEmail[] }).emails;
  }

  /** Emails to `email` (any case). */
  async emailsTo(email: string): Promise<SesEmail[]> {
    const wanted = email.toLowerCase();
    return (await this.emails()).filter((e) => e.destination.to.some((to) => to.toLowerCase() === wanted));
  }

  /** Emails to `email` that mention `requestId`, oldest first. */
  async emailsFor(email: string, requestId: string): Promise<SesEmail[]> {
    return (await this.emailsTo(email)).filter((e) =>
      `${e.body.html ?? ''}${e.body.text ?? ''}`.includes(requestId),
    );
  }

  /** Waits up to 20 s for the first email about `requestId` (the verification email). */
  async verificationEmail(email: string, requestId: string): Promise<SesEmail> {
    return poll(async () => (await this.emailsFor(email, requestId))[0], 20_000, 'the verification email');
  }

  /** POSTs `body` as JSON (a string is sent as is, to test malformed JSON). */
  async postJson(pathname: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.url}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /**
   * Submits a request (with `extra` fields, e.g. corrections) and expects it
   * accepted (202). In English unless `extra.locale` says otherwise: the suites
   * read the English part of the emails first (without a locale the API would
   * choose Indonesian, see test/unit/http-submit-request.test.ts).
   */
  async submit(type: string, email: string, extra: Record<string, unknown> = {}): Promise<Submitted> {
    const res = await this.postJson('/requests', { type, email, locale: 'en', ...extra });
    expect(res.status).toBe(202);
    return (await res.json()) as Submitted;
  }

  /** Submits a request and verifies it with the emailed code, expecting both to succeed. */
  async submitVerified(type: string, email: string, extra: Record<string, unknown> = {}): Promise<Submitted> {
    const submitted = await this.submit(type, email, extra);
    const verification = await this.verificationEmail(email, submitted.requestId);
    const verify = await this.postJson(
      `/requests/${submitted.requestId}/verify`,
      { code: codeIn(verification) },
      { authorization: `Bearer ${submitted.statusToken}` },
    );
    expect(verify.status).toBe(200);
    return submitted;
  }

  /** The status page of a request, expecting 200. */
  async statusOf(requestId: string, statusToken: string): Promise<RequestStatus> {
    const res = await fetch(`${this.url}/requests/${requestId}`, {
      headers: { authorization: `Bearer ${statusToken}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as RequestStatus;
  }

  /** Waits until the request reaches `wanted`; throws at once if it ends in another status. */
  async until(
    requestId: string,
    statusToken: string,
    wanted: string,
    timeoutMs = 60_000,
  ): Promise<RequestStatus> {
    return poll(
      async () => {
        const s = await this.statusOf(requestId, statusToken);
        if (s.status === wanted) return s;
        if (FINAL_STATUSES.includes(s.status)) throw new Error(`request ended ${s.status}, not ${wanted}`);
        return undefined;
      },
      timeoutMs,
      `the request to be ${wanted}`,
    );
  }

  /** The request's ledger record, read consistently. */
  async ledgerEntry(requestId: string): Promise<Record<string, unknown>> {
    // Loaded late: a test may set environment variables before the system's modules load.
    const { LEDGER_TABLE_NAME } = await import('../../infra/local/system');
    const out = await this.system.clients.dynamodb.send(
      new GetCommand({ TableName: LEDGER_TABLE_NAME, Key: { requestId }, ConsistentRead: true }),
    );
    return out.Item as Record<string, unknown>;
  }

  /** The request's processor evidence in the ledger (`{}` when no processor was told). */
  async processorEvidence(requestId: string): Promise<Record<string, ProcessorEvidence>> {
    const entry = await this.ledgerEntry(requestId);
    return (entry?.processors ?? {}) as Record<string, ProcessorEvidence>;
  }

  /** What processor `processorId`'s simulator received for `requestId`, oldest first. */
  receivedBy(processorId: string, requestId: string): Received[] {
    return this.system.processors.received(processorId).filter((r) => r.request?.requestId === requestId);
  }

  /** Processor `processorId`'s shared HMAC secret, as the local system created it. */
  async processorSecret(processorId: string): Promise<Buffer> {
    const { keyFromText } = await import('../../functions/aws/secrets');
    return keyFromText(
      await readFile(path.join(this.system.processorSecretsDir, `${processorId}.key`), 'utf8'),
    );
  }

  /**
   * POSTs `body` to `/processors/<processorId>/callback` signed with `secret`
   * (the processor's own, unless a test forges one), or unsigned with `null`.
   */
  async postProcessorCallback(processorId: string, body: unknown, secret: Buffer | null): Promise<Response> {
    const { signProcessorBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } = await import(
      '../../functions/core/processors/signature'
    );
    const text = JSON.stringify(body);
    const timestamp = Math.floor(Date.now() / 1000);
    return this.postJson(
      `/processors/${encodeURIComponent(processorId)}/callback`,
      text,
      secret
        ? {
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signProcessorBody(secret, timestamp, text),
          }
        : { [TIMESTAMP_HEADER]: String(timestamp) },
    );
  }

  /** The text of an object in the audit bucket (a certificate of erasure). */
  async auditObject(key: string): Promise<string> {
    const { AUDIT_BUCKET_NAME } = await import('../../infra/local/system');
    const out = await this.system.clients.s3.send(
      new GetObjectCommand({ Bucket: AUDIT_BUCKET_NAME, Key: key }),
    );
    return (await out.Body?.transformToString('utf8')) ?? '';
  }

  /** Submits and verifies an access request, waits for it, and downloads the zip its email links to. */
  async accessExport(email: string): Promise<{ requestId: string; zip: JSZip }> {
    const { requestId, statusToken } = await this.submitVerified('access', email);
    await this.until(requestId, statusToken, 'completed');
    const emails = await this.emailsFor(email, requestId);
    const redirect = await fetch(linkIn(emails[emails.length - 1] as SesEmail, 'export'), {
      redirect: 'manual',
    });
    expect(redirect.status).toBe(302);
    const download = await fetch(redirect.headers.get('location') as string);
    return { requestId, zip: await JSZip.loadAsync(Buffer.from(await download.arrayBuffer())) };
  }

  /** The subject's customer id, found the way the workflow finds it. */
  async customerIdOf(email: string): Promise<string> {
    const { resolveSubject } = await import('../../functions/connectors/resolve-subject');
    const subject = await resolveSubject(this.system.dataMap, this.system.clients, email);
    const id = subject.identities.customerId?.[0];
    if (!id) throw new Error('planted subject has no customerId');
    return id;
  }
}
