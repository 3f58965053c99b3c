/**
 * The local console (`GET /local/`): support's view of the running system on
 * this machine — the request list, one request's ledger entry, clocks, audit
 * chain, execution history and emails — and the support actions as buttons
 * that run the same SupportAction handler the DSR-* SSM documents invoke in
 * AWS. Local only: never in the deployment's routes.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { userInfo } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditTrail } from '../../functions/aws/audit-trail';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { readChain } from '../../functions/core/audit/trail';
import {
  type ChainView,
  type ListedRequest,
  listPage,
  type MailView,
  requestPage,
  type ShownRequest,
} from './console-views';
import { historyOf } from './sfn-history';
import type { WorkflowRunner } from './workflow-runner';

export interface ConsoleDeps {
  readonly runner: WorkflowRunner;
  readonly clients: { readonly dynamodb: DynamoDBDocumentClient; readonly s3: S3Client };
  readonly auditTable: string;
  readonly auditBucket: string;
  /** The SES emulator's base URL (its `/store` lists every email sent). */
  readonly sesUrl: string;
  /** The console's own origin (`http://localhost:<port>`), the only one a form may post from. */
  readonly origin: () => string;
}

type Route = (req: IncomingMessage, url: URL, res: ServerResponse) => boolean;

const ACTIONS = new Set(['retry', 'complete', 'fail', 'extend', 'cancel']);
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_FORM_BYTES = 8 * 1024;
const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const supportAction = async (event: unknown): Promise<unknown> =>
  (await import('../../functions/support/support-action')).handler(event);

/**
 * The console's routes. A per-process token guards every form against cross-site posts, and
 * only a local Host is answered, so a page that rebinds its own name to 127.0.0.1 can neither
 * read a request (nor the token in its forms) nor post.
 */
export function localConsole(deps: ConsoleDeps): Route {
  const csrf = randomBytes(24).toString('base64url');
  const actor = userInfo().username;
  return (req, url, res) => {
    if (!url.pathname.startsWith('/local/') || url.pathname.startsWith('/local/executions/')) return false;
    if (url.pathname.startsWith('/local/certificates/')) return false;
    const send = (status: number, html: string) => {
      res.writeHead(status, HEADERS);
      res.end(html);
    };
    const hosts = localHosts(deps.origin());
    if (!hosts.has(req.headers.host ?? '')) {
      send(403, '<!doctype html><title>Forbidden</title><p>The local console answers on localhost only.</p>');
      return true;
    }
    const fail = (error: unknown) =>
      send(500, `<!doctype html><title>Error</title><p>${error instanceof Error ? error.name : 'Error'}</p>`);
    const list = url.pathname === '/local/' && req.method === 'GET';
    const show = /^\/local\/requests\/([^/]+)\/?$/.exec(url.pathname);
    const act = /^\/local\/requests\/([^/]+)\/actions\/([a-z]+)$/.exec(url.pathname);
    if (list) listRequests(url).then((html) => send(200, html), fail);
    else if (show?.[1] && req.method === 'GET' && ID.test(show[1]))
      showRequest(deps, show[1], url.searchParams.get('flash') ?? undefined, csrf, actor).then(
        (page) =>
          page
            ? send(200, page)
            : send(404, '<!doctype html><title>Not found</title><p>No such request.</p>'),
        fail,
      );
    else if (act?.[1] && act[2] && req.method === 'POST' && ID.test(act[1]) && ACTIONS.has(act[2]))
      runAction(req, res, { requestId: act[1], action: act[2], csrf, hosts }).catch(fail);
    else send(404, '<!doctype html><title>Not found</title><p>Not found.</p>');
    return true;
  };
}

async function listRequests(url: URL): Promise<string> {
  const status = url.searchParams.get('status') ?? 'any';
  const due = Number(url.searchParams.get('due') ?? '');
  const dueWithinHours = Number.isInteger(due) && due > 0 ? due : undefined;
  try {
    const rows = (await supportAction({
      action: 'list',
      status,
      ...(dueWithinHours ? { dueWithinHours } : {}),
    })) as ListedRequest[];
    return listPage(rows, { status, ...(dueWithinHours ? { dueWithinHours } : {}) });
  } catch (error) {
    return listPage([], { status }).replace(
      '<h1>',
      `<p class="flash" role="status">${refusal(error)}</p><h1>`,
    );
  }
}

async function showRequest(
  deps: ConsoleDeps,
  requestId: string,
  flash: string | undefined,
  csrf: string,
  actor: string,
): Promise<string | undefined> {
  let shown: ShownRequest;
  try {
    shown = (await supportAction({ action: 'show', requestId })) as ShownRequest;
  } catch {
    return undefined;
  }
  const report = await readChain(
    {
      audit: new DynamoAuditTrail(deps.clients.dynamodb, deps.auditTable),
      objects: new S3ObjectStore(deps.clients.s3, deps.auditBucket),
    },
    requestId,
  );
  const chain: ChainView | undefined = report.entries.length > 0 ? report : undefined;
  let history: ReturnType<typeof historyOf> = [];
  try {
    history = historyOf(deps.runner.describe(requestId), {
      roleArn: '',
      resources: new Map(),
      includeExecutionData: true,
    });
  } catch {
    // No execution (yet): the page says so by an empty table.
  }
  return requestPage({
    shown,
    ...(chain ? { chain } : {}),
    history,
    mails: await mailsAbout(deps.sesUrl, requestId),
    ...(flash ? { flash } : {}),
    csrf,
    actor,
  });
}

/** The emails the SES emulator holds that name the request (every email about a request carries its id). */
async function mailsAbout(sesUrl: string, requestId: string): Promise<MailView[]> {
  const store = (await (await fetch(`${sesUrl}/store`)).json()) as {
    emails: { subject: string; at?: number; body: { text?: string; html?: string } }[];
  };
  return store.emails
    .filter((m) => `${m.subject}${m.body.text ?? ''}${m.body.html ?? ''}`.includes(requestId))
    .map((m) => ({ subject: m.subject, ...(m.at ? { at: m.at } : {}), text: m.body.text ?? '' }));
}

/** The names the console answers to: the system's origin and the address it listens on, same port. */
function localHosts(origin: string): ReadonlySet<string> {
  const { port } = new URL(origin);
  return new Set([`localhost:${port}`, `127.0.0.1:${port}`]);
}

/** The form's fields, or undefined past MAX_FORM_BYTES (the rest is drained, not kept, so the 413 reaches the client). */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_FORM_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_FORM_BYTES ? undefined : new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const sameToken = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** A refusal's one line (unknown id, a status that does not allow it, no reason), or the error's name. */
const refusal = (error: unknown) =>
  error instanceof Error && /^(SupportRefusal|ExtensionRefused)$/.test(error.name)
    ? error.message
    : `failed: ${error instanceof Error ? error.name : 'Error'}`;

async function runAction(
  req: IncomingMessage,
  res: ServerResponse,
  args: {
    readonly requestId: string;
    readonly action: string;
    readonly csrf: string;
    readonly hosts: ReadonlySet<string>;
  },
): Promise<void> {
  const refuse = (status: number, why: string) => {
    res.writeHead(status, HEADERS);
    res.end(`<!doctype html><title>Refused</title><p>${why}</p>`);
  };
  const origin = req.headers.origin;
  // Any Origin but the console's own is another site's (`null` included: a sandboxed frame or a data: page).
  const foreign = origin !== undefined && ![...args.hosts].some((host) => origin === `http://${host}`);
  const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  if (foreign) return refuse(403, 'This form did not come from the local console.');
  if (!isForm) return refuse(415, 'Send the form as application/x-www-form-urlencoded.');
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES)
    return refuse(413, 'The form is too large.');
  const form = await readForm(req);
  if (!form) return refuse(413, 'The form is too large.');
  if (!sameToken(form.get('csrf') ?? '', args.csrf))
    return refuse(403, 'This form did not come from the local console.');
  let flash: string;
  try {
    await supportAction({
      action: args.action,
      requestId: args.requestId,
      reason: form.get('reason') ?? '',
      actor: form.get('actor') || 'local-console',
    });
    flash = `${args.action}: done`;
  } catch (error) {
    flash = `${args.action} refused: ${refusal(error)}`;
  }
  res.writeHead(303, {
    location: `/local/requests/${encodeURIComponent(args.requestId)}?flash=${encodeURIComponent(flash)}`,
    'cache-control': 'no-store',
  });
  res.end();
}
