import type { Locale } from './request';

export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The verification email (EN or ID): the 6-digit code and a link to the confirmation page. */
export function verificationMail(
  locale: Locale,
  args: { requestId: string; code: string; link: string; minutes: number },
): MailContent {
  const { requestId, code, link, minutes } = args;
  if (locale === 'id') {
    return {
      subject: 'Kode konfirmasi permintaan data Anda',
      text: `Kami menerima permintaan ${requestId} atas data pribadi Anda di Impor.in.\n\nKode konfirmasi: ${code}\n\nAtau buka tautan ini untuk mengonfirmasi:\n${link}\n\nKode berlaku ${minutes} menit. Jika Anda tidak mengajukan permintaan ini, abaikan email ini.`,
      html: `<p>Kami menerima permintaan <strong>${esc(requestId)}</strong> atas data pribadi Anda di Impor.in.</p><p>Kode konfirmasi: <strong style="font-size:1.4em">${esc(code)}</strong></p><p><a href="${esc(link)}">Konfirmasi permintaan</a></p><p>Kode berlaku ${minutes} menit. Jika Anda tidak mengajukan permintaan ini, abaikan email ini.</p>`,
    };
  }
  return {
    subject: 'Your data request confirmation code',
    text: `We received request ${requestId} about your personal data at Impor.in.\n\nConfirmation code: ${code}\n\nOr open this link to confirm:\n${link}\n\nThe code is valid for ${minutes} minutes. If you did not make this request, ignore this email.`,
    html: `<p>We received request <strong>${esc(requestId)}</strong> about your personal data at Impor.in.</p><p>Confirmation code: <strong style="font-size:1.4em">${esc(code)}</strong></p><p><a href="${esc(link)}">Confirm the request</a></p><p>The code is valid for ${minutes} minutes. If you did not make this request, ignore this email.</p>`,
  };
}

/** The "your data is ready" email (EN or ID): a link to the API, never a pre-signed URL. */
export function exportReadyMail(
  locale: Locale,
  args: { requestId: string; link: string; days: number },
): MailContent {
  const { requestId, link, days } = args;
  if (locale === 'id') {
    return {
      subject: 'Salinan data Anda dari Impor.in sudah siap',
      text: `Salinan data untuk permintaan ${requestId} sudah siap.\n\nUnduh di sini (berlaku ${days} hari):\n${link}`,
      html: `<p>Salinan data untuk permintaan <strong>${esc(requestId)}</strong> sudah siap.</p><p><a href="${esc(link)}">Unduh data Anda</a> (berlaku ${days} hari).</p>`,
    };
  }
  return {
    subject: 'Your copy of your Impor.in data is ready',
    text: `The copy of your data for request ${requestId} is ready.\n\nDownload it here (valid for ${days} days):\n${link}`,
    html: `<p>The copy of your data for request <strong>${esc(requestId)}</strong> is ready.</p><p><a href="${esc(link)}">Download your data</a> (valid for ${days} days).</p>`,
  };
}
