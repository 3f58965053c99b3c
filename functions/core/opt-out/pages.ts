/** The pages of one-click unsubscribe, in the page's language. */
import { escapeHtml, type PageFrame, page } from '../html';
import { t } from '../i18n/catalogue';
import { refusedPage, simplePage } from '../pages/links';

/**
 * The one-click unsubscribe confirmation page. Link scanners prefetch links,
 * so the GET only shows a button; its POST opts out, the same POST a mail
 * client sends for `List-Unsubscribe-Post` (RFC 8058).
 */
export function unsubscribeConfirmationPage(frame: PageFrame, token: string): string {
  const { lang } = frame;
  const body = `<h1>${escapeHtml(t(lang, 'unsubscribe.title'))}</h1>
<p>${escapeHtml(t(lang, 'unsubscribe.lead'))}</p>
<form method="post" action="unsubscribe?token=${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">${escapeHtml(t(lang, 'unsubscribe.submit'))}</button></form>`;
  return page(frame, t(lang, 'unsubscribe.title'), body);
}

/** After a one-click unsubscribe: `already` when this link was used before. */
export function unsubscribedPage(frame: PageFrame, already: boolean): string {
  const { lang } = frame;
  return already
    ? simplePage(frame, t(lang, 'unsubscribe.already.title'), [t(lang, 'unsubscribe.already')])
    : simplePage(frame, t(lang, 'unsubscribe.done.title'), [t(lang, 'unsubscribe.done')]);
}

/** An unsubscribe link that cannot be used, with the reason in plain words and the way to the form. */
export function unsubscribeRefusedPage(frame: PageFrame, reason: string): string {
  return refusedPage(frame, 'unsubscribe.refused', `${reason} ${t(frame.lang, 'unsubscribe.form')}`);
}
