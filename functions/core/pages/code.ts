/** The page after the form: "we emailed you a code", with the code field and a way to get a new code. */
import { escapeHtml, type PageFrame, page } from '../html';
import { t } from '../i18n/catalogue';
import { csrfInput, describedBy, type FieldProblems, fieldError, fieldSummary, panel } from './parts';

export interface CodePageArgs {
  readonly requestId: string;
  readonly csrf: string;
  /** A correction of the email address: a second code went to the new address. */
  readonly newAddress: boolean;
  readonly problems?: FieldProblems;
  /** A new code was sent. */
  readonly resent?: boolean;
}

/** One 6-digit code input. */
function codeInput(frame: PageFrame, name: string, label: string, problems: FieldProblems): string {
  const problem = problems.get(name);
  return `<div class="field${problem ? ' field-error' : ''}"><label for="${name}">${escapeHtml(label)}</label>
${fieldError(frame.lang, problem, name)}<input class="code" type="text" id="${name}" name="${name}" inputmode="numeric" autocomplete="one-time-code" maxlength="6"${describedBy(name, false, problem)}></div>`;
}

/** `GET /requests/{id}/code`, and the answer to a refused code or a resend. */
export function codePage(frame: PageFrame, args: CodePageArgs): string {
  const { lang } = frame;
  const problems: FieldProblems = args.problems ?? new Map();
  const body = `${fieldSummary(lang, problems)}${args.resent ? panel(t(lang, 'code.resent'), 'done') : ''}
<h1>${escapeHtml(t(lang, 'code.title'))}</h1>
<p class="lead">${escapeHtml(t(lang, 'code.lead'))}</p>
<p>${escapeHtml(t(lang, 'code.request', { requestId: args.requestId }))}</p>
<form method="post" action="verify" novalidate>${csrfInput(args.csrf)}
${codeInput(frame, 'code', t(lang, 'code.label'), problems)}
${args.newAddress ? codeInput(frame, 'newAddressCode', t(lang, 'code.newAddress'), problems) : ''}
<button type="submit">${escapeHtml(t(lang, 'code.submit'))}</button></form>
<p>${escapeHtml(t(lang, 'code.link'))}</p>
<h2>${escapeHtml(t(lang, 'code.none'))}</h2>
<form method="post" action="resend">${csrfInput(args.csrf)}
<button type="submit" class="secondary">${escapeHtml(t(lang, 'code.resend'))}</button></form>`;
  const title = problems.size ? `${t(lang, 'site.error')} ${t(lang, 'code.title')}` : t(lang, 'code.title');
  return page(frame, title, body);
}
