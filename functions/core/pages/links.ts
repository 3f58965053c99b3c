/**
 * The pages an emailed link opens (verify, cancel) and their answers. Mail
 * scanners prefetch links: a GET only shows a button; its POST acts.
 */
import { escapeHtml, type PageFrame, page } from '../html';
import { type MessageKey, t } from '../i18n/catalogue';
import { panel } from './parts';

/** A page of a heading and paragraphs, each already in the page's language. */
export function simplePage(
  frame: PageFrame,
  title: string,
  paragraphs: readonly string[],
  extra = '',
): string {
  const body = `<h1>${escapeHtml(title)}</h1>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${extra}`;
  return page(frame, title, body);
}

/** A link back to the request form. */
export const formLink = (frame: PageFrame): string =>
  `<p><a href="${escapeHtml(frame.root)}">${escapeHtml(t(frame.lang, 'back.form'))}</a></p>`;

/** The page a link with a bad id or token shape gets (400). */
export const invalidLinkPage = (frame: PageFrame): string =>
  simplePage(frame, t(frame.lang, 'link.invalid.title'), [t(frame.lang, 'link.invalid')], formLink(frame));

/** A confirmation page whose only button posts the link's token to `action`. */
function confirmationPage(
  frame: PageFrame,
  keys: { title: MessageKey; lead: MessageKey; submit: MessageKey },
  args: { requestId: string; token: string; action: string },
): string {
  const { lang } = frame;
  const body = `<h1>${escapeHtml(t(lang, keys.title))}</h1>
<p>${escapeHtml(t(lang, keys.lead, { requestId: args.requestId }))}</p>
<form method="post" action="${args.action}"><input type="hidden" name="token" value="${escapeHtml(args.token)}">
<button type="submit">${escapeHtml(t(lang, keys.submit))}</button></form>`;
  return page(frame, t(lang, keys.title), body);
}

/** The verify confirmation page of the emailed link. */
export const verifyConfirmationPage = (frame: PageFrame, requestId: string, token: string): string =>
  confirmationPage(
    frame,
    { title: 'verify.title', lead: 'verify.lead', submit: 'verify.submit' },
    { requestId, token, action: 'verify' },
  );

/** The cancel confirmation page of the emailed link. */
export const cancelConfirmationPage = (frame: PageFrame, requestId: string, token: string): string =>
  confirmationPage(
    frame,
    { title: 'cancel.title', lead: 'cancel.lead', submit: 'cancel.submit' },
    { requestId, token, action: 'cancel' },
  );

/** Shown after the confirmation page's form post verified the request; `statusHref` when the browser may follow it. */
export function requestConfirmedPage(frame: PageFrame, statusHref?: string): string {
  const link = statusHref
    ? `<p><a class="button" href="${escapeHtml(statusHref)}">${escapeHtml(t(frame.lang, 'verify.done.status'))}</a></p>`
    : '';
  return simplePage(frame, t(frame.lang, 'verify.done.title'), [t(frame.lang, 'verify.done')], link);
}

/** Shown after the cancel page's form post cancelled the delete. */
export const deletionCancelledPage = (frame: PageFrame): string =>
  simplePage(frame, t(frame.lang, 'cancel.done.title'), [t(frame.lang, 'cancel.done')]);

/** A form post or link that was refused: `heading` and the reason in plain words. */
export function refusedPage(frame: PageFrame, heading: MessageKey, reason: string): string {
  return page(
    frame,
    t(frame.lang, heading),
    `<h1>${escapeHtml(t(frame.lang, heading))}</h1>${panel(reason, 'problem')}${formLink(frame)}`,
  );
}

/** An error a browser sees (a 4xx or 5xx of any route), in plain words. */
export const errorPage = (frame: PageFrame, message: string): string =>
  refusedPage(frame, 'http.title', message);
