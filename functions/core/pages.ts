/**
 * Every page the API serves, as plain strings: the request form, and the
 * confirmation and result pages emailed links open (EN and ID where a
 * subject lands from an email). HTTP handlers only pick one and send it.
 */
import { escapeHtml, page } from './html';

/** The request form's script; its hash goes into the page's CSP. */
export const FORM_SCRIPT = `
const $ = (id) => document.getElementById(id);
let requestId = '', statusToken = '';
const show = (id) => $(id).classList.remove('hidden');
const say = (id, text) => { $(id).textContent = text; };
// Calls resolve against the page's own path as a folder, so …/prod works like …/prod/ (the stage stays in).
const pagePath = location.pathname;
const base = location.origin + (pagePath.endsWith('/') ? pagePath : pagePath + '/');
async function call(method, url, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = 'Bearer ' + token;
  const res = await fetch(new URL(url, base), { method, headers, body: body ? JSON.stringify(body) : undefined });
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
  if (body.type === 'rectify') {
    body.corrections = {};
    for (const k of ['email', 'fullName', 'phone', 'address', 'companyName']) {
      const v = String(f.get('correct_' + k) || '').trim();
      if (v) body.corrections[k] = v;
    }
  }
  if (body.type === 'withdraw_consent') body.purposes = f.getAll('purposes');
  const r = await call('POST', 'requests', body);
  if (!r.ok) return say('request-error', problem(r.data));
  requestId = r.data.requestId; statusToken = r.data.statusToken || '';
  if (body.corrections && body.corrections.email) show('new-address');
  say('request-error', ''); say('request-id', requestId);
  $('request-form').classList.add('hidden'); show('verify-section');
});
// Only the chosen right's extra fields show.
const extras = () => {
  const type = new FormData($('request-form')).get('type');
  $('corrections').classList.toggle('hidden', type !== 'rectify');
  $('purposes').classList.toggle('hidden', type !== 'withdraw_consent');
};
for (const r of document.querySelectorAll('input[name=type]')) r.addEventListener('change', extras);
extras();
$('verify-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  // The status token authorises the code attempt: a code without it is refused and never counted.
  const verify = { code: $('code').value.trim() };
  if ($('new-address-code').value.trim()) verify.newAddressCode = $('new-address-code').value.trim();
  const r = await call('POST', 'requests/' + encodeURIComponent(requestId) + '/verify', verify, statusToken);
  if (!r.ok) return say('verify-error', problem(r.data));
  say('verify-error', ''); $('verify-form').classList.add('hidden');
  if (!statusToken) return say('request-note', 'Confirmed. We will email you when it is done.');
  show('status-section'); poll();
});
$('resend').addEventListener('click', async () => {
  const r = await call('POST', 'requests/' + encodeURIComponent(requestId) + '/resend');
  say('verify-error', r.ok ? 'A new code is on its way; the previous one no longer works.' : problem(r.data));
});
// Every 2 s at first, then less often (a request can take days); a 429 waits a minute.
let pollDelay = 2000;
async function poll() {
  const r = await call('GET', 'requests/' + encodeURIComponent(requestId), undefined, statusToken);
  pollDelay = r.status === 429 ? 60000 : Math.min(Math.round(pollDelay * 1.25), 30000);
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
        else if (r.data.type !== 'access') say('done', 'Done. Check your email for what was changed.');
        show('done');
      }
      return;
    }
  }
  setTimeout(poll, pollDelay);
}
`;

const FORM_BODY = `
<h1>Your data at Impor.in</h1>
<p>Ask for a copy of your data, to correct or delete it, to restrict its use, to withdraw your consent, or to stop marketing. We will email you a code to confirm it is you.</p>
<form id="request-form">
<fieldset><legend>What do you want?</legend>
<label><input type="radio" name="type" value="access" checked> A copy of my data</label>
<label><input type="radio" name="type" value="rectify"> Correct my data</label>
<label><input type="radio" name="type" value="delete"> Delete my data</label>
<label><input type="radio" name="type" value="restrict"> Restrict the use of my data</label>
<label><input type="radio" name="type" value="lift_restriction"> Lift the restriction of my data</label>
<label><input type="radio" name="type" value="withdraw_consent"> Withdraw my consent</label>
<label><input type="radio" name="type" value="opt_out"> Stop marketing to me</label></fieldset>
<fieldset id="corrections" class="hidden"><legend>The correct values (fill in only what should change)</legend>
<label>Email address <input type="email" name="correct_email" autocomplete="off"></label>
<label>Full name <input name="correct_fullName" autocomplete="off" maxlength="200"></label>
<label>Phone <input name="correct_phone" autocomplete="off" inputmode="tel"></label>
<label>Business address <input name="correct_address" autocomplete="off" maxlength="500"></label>
<label>Company name <input name="correct_companyName" autocomplete="off" maxlength="200"></label></fieldset>
<fieldset id="purposes" class="hidden"><legend>Stop using my data for</legend>
<label><input type="checkbox" name="purposes" value="analytics"> Analytics (how the platform is used)</label>
<label><input type="checkbox" name="purposes" value="personalisation"> Personalisation (recommendations)</label>
<label><input type="checkbox" name="purposes" value="marketing"> Marketing</label></fieldset>
<label>Email <input type="email" name="email" required autocomplete="email"></label>
<label>Full name (optional) <input name="fullName" autocomplete="name"></label>
<label>Phone (optional) <input name="phone" autocomplete="tel"></label>
<label>Jurisdiction <select name="jurisdiction"><option value="ID">Indonesia</option><option value="EU">European Union</option><option value="US-CA">California</option></select></label>
<label>Language <select name="locale"><option value="en">English</option><option value="id">Bahasa Indonesia</option></select></label>
<button type="submit">Send request</button>
<p id="request-error" role="alert"></p>
</form>
<section id="verify-section" class="hidden">
<p>Request <strong id="request-id"></strong> received. Enter the 6-digit code we emailed you, or open the link in that email.</p>
<p id="request-note" role="status"></p>
<form id="verify-form"><label>Code <input id="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required></label>
<label id="new-address" class="hidden">Code sent to your new address <input id="new-address-code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6"></label>
<button type="submit">Confirm</button><p id="verify-error" role="alert"></p></form>
<p><button type="button" id="resend">Send me a new code</button></p>
</section>
<section id="status-section" class="hidden">
<p>Status: <strong id="status"></strong></p>
<p id="schedule" class="hidden"></p>
<table><thead><tr><th>Store</th><th>Progress</th><th>Records</th></tr></thead><tbody id="stores"></tbody></table>
<p id="done" class="hidden">Done: check your email for the download link.</p>
</section>`;

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

/** GET /: the request form (it carries `FORM_SCRIPT` inline). */
export const requestFormPage = (): string => page('Your data at Impor.in', FORM_BODY, FORM_SCRIPT);

/**
 * The verify confirmation page of the emailed link. Mail scanners prefetch
 * links: it only shows a button; its POST verifies.
 */
export function verifyConfirmationPage(requestId: string, token: string): string {
  const body = `<h1>Confirm your request</h1>
<p>Request <strong>${escapeHtml(requestId)}</strong>. Press the button to confirm it was you who asked.</p>
<form method="post" action="verify"><input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit">Yes, this was me</button></form>`;
  return page('Confirm your request', body);
}

/** Title and heading of the page that explains why a form post was refused. */
export interface RefusalPage {
  readonly title: string;
  readonly heading: string;
}

/** Shown after the confirmation page's form post verified the request. */
export const requestConfirmedPage = (): string =>
  page(
    'Request confirmed',
    '<h1>Thank you</h1><p>Your request is confirmed. We will email you when it is done.</p>',
  );
export const VERIFY_REFUSED: RefusalPage = { title: 'Request not confirmed', heading: 'Not confirmed' };

/** Shown after the cancel page's form post cancelled the delete. */
export const deletionCancelledPage = (): string =>
  page(
    'Deletion cancelled',
    '<h1>Deletion cancelled</h1><p>Nothing has been deleted. You can close this page.</p><p lang="id">Penghapusan dibatalkan. Tidak ada data yang dihapus.</p>',
  );
export const CANCEL_REFUSED: RefusalPage = { title: 'Not cancelled', heading: 'Not cancelled' };

/** A form post that was refused, with the reason in plain words. */
export function refusedPage(refusal: RefusalPage, message: string): string {
  return page(refusal.title, `<h1>${escapeHtml(refusal.heading)}</h1><p>${escapeHtml(message)}</p>`);
}
