import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { escapeHtml, page, pageHeaders } from '../core/html';
import { RequestId } from '../core/request';
import { html, httpError, httpRoute, json } from './middleware';

const FORM_SCRIPT = `
const $ = (id) => document.getElementById(id);
let requestId = '', statusToken = '';
const show = (id) => $(id).classList.remove('hidden');
const say = (id, text) => { $(id).textContent = text; };
async function call(method, url, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = 'Bearer ' + token;
  const res = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
  let data = {};
  try { data = await res.json(); } catch (e) {}
  return { ok: res.ok, status: res.status, data };
}
function problem(data) {
  const fields = data.fields ? ' (' + Object.entries(data.fields).map(([k, v]) => k + ': ' + v).join('; ') + ')' : '';
  return (data.message || 'something went wrong') + fields;
}
$('request-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const body = { type: f.get('type'), email: f.get('email'), jurisdiction: f.get('jurisdiction'), locale: f.get('locale') };
  if (f.get('fullName')) body.fullName = f.get('fullName');
  if (f.get('phone')) body.phone = f.get('phone');
  const r = await call('POST', 'requests', body);
  if (!r.ok) return say('request-error', problem(r.data));
  requestId = r.data.requestId; statusToken = r.data.statusToken || '';
  say('request-error', ''); say('request-id', requestId);
  // An open request of the same kind already exists: its status token went out with it, not again.
  if (!statusToken) say('request-note', 'You already have an open request of this kind. Use the code or link in the email we sent you for it.');
  $('request-form').classList.add('hidden'); show('verify-section');
});
$('verify-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const r = await call('POST', 'requests/' + encodeURIComponent(requestId) + '/verify', { code: $('code').value.trim() });
  if (!r.ok) return say('verify-error', problem(r.data));
  say('verify-error', ''); $('verify-form').classList.add('hidden');
  if (!statusToken) return say('request-note', 'Confirmed. We will email you when it is done.');
  show('status-section'); poll();
});
$('resend').addEventListener('click', async () => {
  const r = await call('POST', 'requests/' + encodeURIComponent(requestId) + '/resend');
  say('verify-error', r.ok ? 'A new code is on its way; the previous one no longer works.' : problem(r.data));
});
async function poll() {
  const r = await call('GET', 'requests/' + encodeURIComponent(requestId), undefined, statusToken);
  if (r.ok) {
    say('status', r.data.status.replace('_', ' '));
    if (r.data.status === 'scheduled' && r.data.erasureStartsAt) {
      say('schedule', 'Erasure starts at ' + new Date(r.data.erasureStartsAt).toLocaleString() + '. Until then you can cancel it with the link in your email.');
      show('schedule');
    } else $('schedule').classList.add('hidden');
    const rows = $('stores'); rows.textContent = '';
    for (const s of r.data.stores) {
      const tr = document.createElement('tr');
      for (const v of [s.storeId, s.status, s.records === undefined ? '' : String(s.records)]) {
        const td = document.createElement('td'); td.textContent = v; tr.appendChild(td);
      }
      rows.appendChild(tr);
    }
    if (['completed', 'failed', 'expired', 'rejected', 'cancelled'].includes(r.data.status)) {
      if (r.data.status === 'completed') {
        if (r.data.type === 'delete') say('done', 'Done: your data has been erased, except what the law requires us to keep. Check your email for the summary.');
        show('done');
      }
      return;
    }
  }
  setTimeout(poll, 2000);
}
`;

const FORM_BODY = `
<h1>Your data at Impor.in</h1>
<p>Ask for a copy of your data, its deletion, or to stop marketing. We will email you a code to confirm it is you.</p>
<form id="request-form">
<fieldset><legend>What do you want?</legend>
<label><input type="radio" name="type" value="access" checked> A copy of my data</label>
<label><input type="radio" name="type" value="delete"> Delete my data</label>
<label><input type="radio" name="type" value="opt_out"> Stop marketing to me</label></fieldset>
<label>Email <input type="email" name="email" required autocomplete="email"></label>
<label>Full name (optional) <input name="fullName" autocomplete="name"></label>
<label>Phone (optional) <input name="phone" autocomplete="tel"></label>
<label>Jurisdiction <select name="jurisdiction"><option value="ID">Indonesia</option><option value="EU">European Union</option><option value="US-CA">California</option></select></label>
<label>Language <select name="locale"><option value="en">English</option><option value="id">Bahasa Indonesia</option></select></label>
<button type="submit">Send request</button>
<p id="request-error" role="alert"></p>
</form>
<section id="verify-section" class="hidden">
<p>Request <strong id="request-id"></strong> received. Enter the 6-digit code we emailed you.</p>
<p id="request-note" role="status"></p>
<form id="verify-form"><label>Code <input id="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required></label>
<button type="submit">Confirm</button><p id="verify-error" role="alert"></p></form>
<p><button type="button" id="resend">Send me a new code</button></p>
</section>
<section id="status-section" class="hidden">
<p>Status: <strong id="status"></strong></p>
<p id="schedule" class="hidden"></p>
<table><thead><tr><th>Store</th><th>Progress</th><th>Records</th></tr></thead><tbody id="stores"></tbody></table>
<p id="done" class="hidden">Done: check your email for the download link.</p>
</section>`;

const VerifyQuery = z.object({ token: z.string().min(20).max(200) });

/** The page a link with a bad id or token shape gets (400). */
export const invalidLinkPage = (): string =>
  page('Link not valid', '<h1>This link is not valid</h1><p>Use the link from your email.</p>');

/**
 * The cancel confirmation page for the emailed link (EN and ID). Mail
 * scanners prefetch links, so it only shows a button; its POST cancels.
 */
export function cancelConfirmationPage(requestId: string, token: string): string {
  const body = `<h1>Cancel the deletion of your data?</h1>
<p>Request <strong>${escapeHtml(requestId)}</strong> will erase your personal data at Impor.in when its waiting period ends. Press the button to stop it; nothing will be deleted.</p>
<p lang="id">Permintaan ini akan menghapus data pribadi Anda di Impor.in setelah masa tunggu berakhir. Tekan tombol untuk membatalkannya; tidak ada data yang dihapus.</p>
<form method="post" action="cancel"><input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit">Yes, cancel the deletion / Ya, batalkan penghapusan</button></form>`;
  return page('Cancel the deletion', body);
}

/** GET /, GET /health and the confirmation page GET /requests/{requestId}/verify (which never verifies by itself). */
export async function pages(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  switch (event.resource) {
    case '/health':
      return json(200, { status: 'ok' });
    case '/':
      return html(200, page('Your data at Impor.in', FORM_BODY, FORM_SCRIPT), pageHeaders(FORM_SCRIPT));
    case '/requests/{requestId}/verify': {
      const id = RequestId.safeParse(event.pathParameters?.requestId);
      const query = VerifyQuery.safeParse(event.queryStringParameters ?? {});
      if (!id.success || !query.success) {
        return html(400, invalidLinkPage(), pageHeaders());
      }
      // Mail scanners prefetch links: the GET only shows a button; the POST verifies.
      const body = `<h1>Confirm your request</h1>
<p>Request <strong>${escapeHtml(id.data)}</strong>. Press the button to confirm it was you who asked.</p>
<form method="post" action="verify"><input type="hidden" name="token" value="${escapeHtml(query.data.token)}">
<button type="submit">Yes, this was me</button></form>`;
      return html(200, page('Confirm your request', body), pageHeaders());
    }
    default:
      throw httpError(404, 'not_found', 'there is no such page');
  }
}

export const handler = httpRoute(pages);
