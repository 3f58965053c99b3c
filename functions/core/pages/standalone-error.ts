/**
 * The error page answered where no handler runs and no language can be
 * chosen: API Gateway's own 4xx/5xx (a static template, see
 * infra/constructs/api.ts) and the local server's unknown paths. Both
 * languages on one page (Indonesian first, each marked with its `lang`), a
 * small inline style allowed by hash, and no script or link that depends on
 * where the page sits.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../html';
import { type MessageKey, t } from '../i18n/catalogue';

/** The one inline style of the page: readable, a visible focus ring, fits a 360 px phone. */
const STYLE =
  'body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:1.1875rem;line-height:1.5;color:#0b0c0c;background:#fff}' +
  'header{background:#0b0c0c;color:#fff;padding:.75rem 1rem;font-weight:700}' +
  'main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem}h1,h2{line-height:1.2;margin:0 0 .75rem}' +
  'hr{border:0;border-top:1px solid #b1b4b6;margin:1.5rem 0}a{color:#1d4ed8}' +
  'a:focus{outline:3px solid #fd0;outline-offset:0;background:#fd0;color:#0b0c0c}';

/** What the page may load: nothing but its own inline style (also in a meta tag, for API Gateway). */
const POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
];

/** The page's CSP as a header (where one can be sent): the meta tag's, and no framing. */
export const STANDALONE_ERROR_CSP = [...POLICY, "frame-ancestors 'none'"].join('; ');

/**
 * The bilingual page for `message` (an `http.*` message). `formHref` links
 * back to the request form where the path to it is known (not in API Gateway,
 * whose stage or custom-domain prefix the template cannot know).
 */
export function standaloneErrorPage(message: MessageKey, formHref?: string): string {
  const part = (lang: 'id' | 'en', heading: 'h1' | 'h2') =>
    `<div lang="${lang}"><${heading}>${escapeHtml(t(lang, 'http.title'))}</${heading}><p>${escapeHtml(t(lang, message))}</p>${
      formHref ? `<p><a href="${escapeHtml(formHref)}">${escapeHtml(t(lang, 'back.form'))}</a></p>` : ''
    }</div>`;
  return `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${POLICY.join('; ')}">
<title>${escapeHtml(t('id', 'http.title'))} / ${escapeHtml(t('en', 'http.title'))} – Impor.in</title>
<style>${STYLE}</style></head>
<body><header>Impor.in</header><main>${part('id', 'h1')}<hr>${part('en', 'h2')}</main></body></html>`;
}

/** The quality an `Accept` header gives `type` (its own entry, else `type/*`, else `*\/*`). */
function quality(accept: string, type: string): number {
  const [major] = type.split('/');
  let best = { specificity: -1, q: 0 };
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const q = Number(params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v) ?? 1);
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity > best.specificity) best = { specificity, q: Number.isFinite(q) ? q : 0 };
  }
  return best.q;
}

/** Whether an `Accept` header prefers an HTML page to JSON (a browser's navigation; not `*\/*` alone). */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = Math.max(quality(accept, 'text/html'), quality(accept, 'application/xhtml+xml'));
  return html > 0 && html > quality(accept, 'application/json');
}
