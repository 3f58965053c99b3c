/**
 * The local console's pages, server-rendered and escaped throughout: the
 * request list with filters, and one request with its ledger entry, clocks,
 * audit chain, execution history, emails and support actions. No script.
 */
import type { ChainVerdict } from '../../functions/core/audit/verify';
import { escapeHtml as e } from '../../functions/core/html';
import { REQUEST_STATUSES } from '../../functions/core/lifecycle';
import type { WireHistoryEvent } from './sfn-history';

export interface ListedRequest {
  readonly requestId: string;
  readonly type: string;
  readonly status: string;
  readonly jurisdiction: string;
  readonly dueAt: string;
  readonly standing: { readonly text: string; readonly state: string };
}

export interface ShownRequest extends ListedRequest {
  readonly receivedAt: string;
  readonly stores: readonly { storeId: string; status: string; reason?: string }[];
  readonly clocks?: readonly {
    name: string;
    rule: string;
    startedAt: string;
    dueAt: string;
    metAt?: string;
  }[];
  readonly history?: readonly { status: string; at: string; note?: string }[];
}

export interface ChainView {
  readonly entries: readonly { sequence: number; at: string; kind: string; hash: string }[];
  readonly verdict: ChainVerdict;
}

export interface MailView {
  readonly subject: string;
  readonly at?: number;
  readonly text: string;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:.85rem}.flash{padding:.5rem 1rem;border:2px solid #333;margin:1rem 0}
.broken{color:#a00;font-weight:bold}tr.broken{background:#fee}.ok{color:#060;font-weight:bold}form.action{display:inline-block;border:1px solid #ccc;padding:.5rem;margin:.3rem}
label{display:block;margin:.3rem 0}input,select,button{font:inherit;padding:.2rem}`;

/** The page shell: one <main>, a title, no script. */
export function shell(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head>
<body><main><p><a href="/local/">All requests</a> · local console (this machine only)</p>${body}</main></body></html>`;
}

/** `GET /local/`: open requests, earliest due first, with the filters as a GET form. */
export function listPage(
  rows: readonly ListedRequest[],
  filters: { status?: string; dueWithinHours?: number },
): string {
  const options = ['any', ...REQUEST_STATUSES]
    .map(
      (s) => `<option value="${e(s)}"${(filters.status ?? 'any') === s ? ' selected' : ''}>${e(s)}</option>`,
    )
    .join('');
  const body = rows
    .map(
      (r) =>
        `<tr><td><a href="/local/requests/${encodeURIComponent(r.requestId)}">${e(r.requestId)}</a></td><td>${e(r.type)}</td><td>${e(r.status)}</td><td>${e(r.jurisdiction)}</td><td>${e(r.standing.text)}</td></tr>`,
    )
    .join('\n');
  return shell(
    'Requests — local console',
    `<h1>Open requests</h1>
<form method="get" action="/local/">
<label for="status">Status</label><select id="status" name="status">${options}</select>
<label for="due">Due within (hours, empty for any)</label><input id="due" name="due" inputmode="numeric" pattern="[0-9]*" value="${filters.dueWithinHours ?? ''}">
<button type="submit">Filter</button></form>
<table><caption>${rows.length} open request(s), earliest due first</caption>
<thead><tr><th scope="col">Request</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Jurisdiction</th><th scope="col">Due</th></tr></thead>
<tbody>${body}</tbody></table>`,
  );
}

const json = (value: unknown) => `<pre>${e(JSON.stringify(value ?? null, null, 2))}</pre>`;

/** One state as the Step Functions console's table shows it: entered and exited, input and output. */
interface StateRun {
  readonly name: string;
  readonly type: string;
  readonly enteredAt: number;
  readonly input?: string;
  exitedAt?: number;
  output?: string;
  readonly errors: string[];
}

const parsedJson = (data: string | undefined) => json(data === undefined ? null : JSON.parse(data));
const time = (seconds: number | undefined) =>
  seconds === undefined ? '' : new Date(seconds * 1000).toISOString();

/** Pairs each StateEntered with its StateExited; a task's failure goes to the latest state still open. */
function stateRuns(events: readonly WireHistoryEvent[]): StateRun[] {
  const runs: StateRun[] = [];
  const open = () => runs.filter((r) => r.exitedAt === undefined);
  for (const h of events) {
    const entered = h.stateEnteredEventDetails;
    const exited = h.stateExitedEventDetails;
    const failure = h.taskFailedEventDetails ?? h.taskTimedOutEventDetails;
    if (entered?.name) {
      runs.push({
        name: entered.name,
        type: (h.type ?? '').replace(/StateEntered$/, ''),
        enteredAt: h.timestamp,
        ...(entered.input !== undefined ? { input: entered.input } : {}),
        errors: [],
      });
    } else if (exited?.name) {
      const run = open().findLast((r) => r.name === exited.name);
      if (run) {
        run.exitedAt = h.timestamp;
        run.output = exited.output;
      }
    } else if (failure) {
      open()
        .at(-1)
        ?.errors.push(`${h.type}: ${failure.error ?? ''} ${failure.cause ?? ''}`.trim());
    }
  }
  return runs;
}

/** The execution's outcome from its last Execution* event, as the console's header shows it. */
function outcome(events: readonly WireHistoryEvent[]): string {
  const last = events.findLast((h) => h.type?.startsWith('Execution'));
  const failed =
    last?.executionFailedEventDetails ??
    last?.executionAbortedEventDetails ??
    last?.executionTimedOutEventDetails;
  if (!last) return 'No execution for this request.';
  if (last.type === 'ExecutionStarted') return 'Execution running.';
  return `Execution ${(last.type ?? '').replace(/^Execution/, '').toLowerCase()}${failed ? `: ${failed.error ?? ''} ${failed.cause ?? ''}` : ''}.`;
}

function historySection(events: readonly WireHistoryEvent[]): string {
  const rows = stateRuns(events)
    .map(
      (r) =>
        `<tr><th scope="row">${e(r.name)}</th><td>${e(r.type)}</td><td>${time(r.enteredAt)}</td><td>${time(r.exitedAt) || 'not exited'}</td>` +
        `<td><details><summary>input</summary>${parsedJson(r.input)}</details></td>` +
        `<td>${r.output === undefined ? '' : `<details><summary>output</summary>${parsedJson(r.output)}</details>`}` +
        `${r.errors.map((x) => `<p class="broken">${e(x)}</p>`).join('')}</td></tr>`,
    )
    .join('\n');
  return `<h2>Execution history</h2><p>${e(outcome(events))}</p>
<table><thead><tr><th scope="col">State</th><th scope="col">Type</th><th scope="col">Entered</th><th scope="col">Exited</th><th scope="col">Input</th><th scope="col">Output</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function chainSection(chain: ChainView | undefined): string {
  if (!chain) return '<h2>Audit chain</h2><p>No audit chain for this request.</p>';
  const { verdict } = chain;
  const message = verdict.intact
    ? '<p class="ok">Chain intact: every entry verified, and against the last written head.</p>'
    : `<p class="broken" role="alert">Chain broken (${e(verdict.reason)}) at entry ${verdict.position}: ${e(verdict.message)}</p>`;
  // The verdict's position counts entries as read, from 1.
  const brokenAt = verdict.intact || verdict.reason === 'truncated' ? 0 : verdict.position;
  const rows = chain.entries
    .map((x, i) => {
      const position = i + 1;
      const broken = position === brokenAt;
      // Verification stops at the first break: what follows it was not checked.
      const check = broken ? 'broken' : brokenAt && position > brokenAt ? 'not checked' : 'verified';
      return `<tr${broken ? ' class="broken"' : ''}><td>${x.sequence}</td><td>${e(x.at)}</td><td>${e(x.kind)}</td><td><code>${e(x.hash.slice(0, 16))}</code></td><td>${check}</td></tr>`;
    })
    .join('\n');
  return `<h2>Audit chain</h2>${message}
<table><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Hash</th><th scope="col">Check</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const ACTIONS = [
  ['retry', 'Retry failed stores'],
  ['complete', 'Complete with exceptions'],
  ['fail', 'Fail the request'],
  ['extend', 'Extend the deadline'],
  ['cancel', 'Cancel'],
] as const;

function actionForms(requestId: string, csrf: string, actor: string): string {
  return ACTIONS.map(
    ([
      action,
      label,
    ]) => `<form class="action" method="post" action="/local/requests/${encodeURIComponent(requestId)}/actions/${action}">
<h3>${e(label)}</h3><input type="hidden" name="csrf" value="${e(csrf)}">
<label for="reason-${action}">Reason</label><input id="reason-${action}" name="reason" required maxlength="500">
<label for="actor-${action}">Actor</label><input id="actor-${action}" name="actor" required value="${e(actor)}">
<button type="submit">${e(label)}</button></form>`,
  ).join('\n');
}

/** `GET /local/requests/<id>`: everything support needs about one request, and the actions. */
export function requestPage(args: {
  readonly shown: ShownRequest;
  readonly chain?: ChainView;
  readonly history: readonly WireHistoryEvent[];
  readonly mails: readonly MailView[];
  readonly flash?: string;
  readonly csrf: string;
  readonly actor: string;
}): string {
  const { shown } = args;
  const stores = shown.stores
    .map((s) => `<tr><td>${e(s.storeId)}</td><td>${e(s.status)}</td><td>${e(s.reason ?? '')}</td></tr>`)
    .join('');
  const clocks = (shown.clocks ?? [])
    .map(
      (c) =>
        `<tr><td>${e(c.name)}</td><td>${e(c.rule)}</td><td>${e(c.startedAt)}</td><td>${e(c.dueAt)}</td><td>${e(c.metAt ?? '')}</td></tr>`,
    )
    .join('');
  const mails = args.mails
    .map(
      (m) =>
        `<li>${m.at ? `${new Date(m.at).toISOString()} — ` : ''}${e(m.subject)}<details><summary>text</summary><pre>${e(m.text)}</pre></details></li>`,
    )
    .join('');
  return shell(
    `${shown.requestId} — local console`,
    `<h1>Request ${e(shown.requestId)}</h1>
${args.flash ? `<p class="flash" role="status">${e(args.flash)}</p>` : ''}
<h2>Ledger entry</h2>
<table><tbody><tr><th scope="row">Type</th><td>${e(shown.type)}</td></tr><tr><th scope="row">Status</th><td>${e(shown.status)}</td></tr>
<tr><th scope="row">Jurisdiction</th><td>${e(shown.jurisdiction)}</td></tr><tr><th scope="row">Received</th><td>${e(shown.receivedAt)}</td></tr>
<tr><th scope="row">Due</th><td>${e(shown.dueAt)} (${e(shown.standing.text)})</td></tr></tbody></table>
<h3>Stores</h3><table><thead><tr><th scope="col">Store</th><th scope="col">Status</th><th scope="col">Reason</th></tr></thead><tbody>${stores}</tbody></table>
<h3>Clocks</h3><table><thead><tr><th scope="col">Clock</th><th scope="col">Rule</th><th scope="col">Started</th><th scope="col">Due</th><th scope="col">Met</th></tr></thead><tbody>${clocks}</tbody></table>
<h3>Status history</h3>${json(shown.history ?? [])}
${chainSection(args.chain)}
${historySection(args.history)}
<h2>Emails sent</h2><ul>${mails || '<li>none</li>'}</ul>
<h2>Support actions</h2><p>Each runs the SupportAction handler, as the DSR-* SSM documents do in AWS.</p>
${actionForms(shown.requestId, args.csrf, args.actor)}`,
  );
}
