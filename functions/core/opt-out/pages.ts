/** The pages of one-click unsubscribe (EN and ID). */
import { escapeHtml, page } from '../html';

/**
 * The one-click unsubscribe confirmation page (EN and ID). Link scanners
 * prefetch links, so the GET only shows a button; its POST opts out, the same
 * POST a mail client sends for `List-Unsubscribe-Post` (RFC 8058).
 */
export function unsubscribeConfirmationPage(token: string): string {
  const body = `<h1>Stop marketing messages?</h1>
<p>Press the button and Impor.in will stop sending you marketing by email, WhatsApp and SMS, and stop using your data for advertising. Messages about your orders and account are not affected.</p>
<p lang="id">Tekan tombol ini dan Impor.in akan berhenti mengirimi Anda pemasaran melalui email, WhatsApp, dan SMS, serta berhenti memakai data Anda untuk iklan.</p>
<form method="post" action="unsubscribe?token=${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe / Berhenti berlangganan</button></form>`;
  return page('Unsubscribe', body);
}

/** After a one-click unsubscribe: `already` when this link was used before. */
export function unsubscribedPage(already: boolean): string {
  const body = already
    ? `<h1>You are already unsubscribed</h1><p>This link was used before; nothing more to do. You can close this page.</p>
<p lang="id">Anda sudah berhenti berlangganan.</p>`
    : `<h1>You are unsubscribed</h1><p>We are removing you from marketing everywhere we hold your data, and will email you a confirmation.</p>
<p lang="id">Anda telah berhenti berlangganan. Kami akan mengirimkan konfirmasi melalui email.</p>`;
  return page('Unsubscribed', body);
}

/** An unsubscribe link that cannot be used, with the reason in plain words. */
export function unsubscribeRefusedPage(message: string): string {
  return page(
    'Not unsubscribed',
    `<h1>Not unsubscribed</h1><p>${escapeHtml(message)}</p><p>You can also ask us to stop marketing on <a href="./">the request form</a>.</p>`,
  );
}
