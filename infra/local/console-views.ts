/**
 * The local console's pages, server-rendered and escaped throughout: the
 * request list with filters, and one request with its ledger entry, clocks,
 * audit chain, execution history, emails and support actions. No script.
 */
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
  readonly verdict: { readonly intact: boolean; readonly [key: string]: unknown };
}

export interface MailView {
  readonly subject: string;
  readonly at?: number;
  readonly text: string;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:.85rem}.flash{padding:.5rem 1rem;border:2px solid #333;margin:1rem 0}
.broken{color:#a00;font-weight:bold}.ok{color:#060;font-weight:bold}form.action{display:inline-block;border:1px solid #ccc;padding:.5rem;margin:.3rem}
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

function historySection(events: readonly WireHistoryEvent[]): string {
  const rows = events
    .filter((h) => h.stateEnteredEventDetails || h.stateExitedEventDetails)
    .map((h) => {
      const entered = h.stateEnteredEventDetails;
      const exited = h.stateExitedEventDetails;
      const name = entered?.name ?? exited?.name ?? '';
      const data = entered ? entered.input : exited?.output;
      const parsed = data ? (JSON.parse(data) as unknown) : null;
      return `<tr><td>${new Date(h.timestamp * 1000).toISOString()}</td><td>${e(h.type ?? '')}</td><td>${e(name)}</td><td><details><summary>${entered ? 'input' : 'output'}</summary>${json(parsed)}</details></td></tr>`;
    })
    .join('\n');
  return `<h2>Execution history</h2>
<table><thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">State</th><th scope="col">Data</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function chainSection(chain: ChainView | undefined): string {
  if (!chain) return '<h2>Audit chain</h2><p>No audit chain for this request.</p>';
  const verdict = chain.verdict.intact
    ? '<p class="ok">Chain intact: every entry verified, and against the last written head.</p>'
    : `<p class="broken">Chain broken: ${e(JSON.stringify(chain.verdict))}</p>`;
  const rows = chain.entries
    .map(
      (x) =>
        `<tr><td>${x.sequence}</td><td>${e(x.at)}</td><td>${e(x.kind)}</td><td><code>${e(x.hash.slice(0, 16))}</code></td></tr>`,
    )
    .join('\n');
  return `<h2>Audit chain</h2>${verdict}
<table><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Hash</th></tr></thead><tbody>${rows}</tbody></table>`;
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
