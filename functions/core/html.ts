import { createHash, randomBytes } from 'node:crypto';
import { LANGUAGE_NAMES, otherLocale, t } from './i18n/catalogue';
import type { Locale } from './request';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Where the stylesheet is served, relative to the site's root. */
export const STYLESHEET_PATH = 'assets/site.css';

/**
 * The one stylesheet of every page (served from the API itself, no CDN):
 * one column that fits a 360 px phone, GOV.UK-like error summary and field
 * errors, a thick yellow focus ring and touch targets of at least 44 px.
 */
export const SITE_CSS = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:1.0625rem;line-height:1.5;color:#0b0c0c;background:#fff;overflow-wrap:break-word}
.wrap{max-width:42rem;margin:0 auto;padding:0 1rem}
.skip{position:absolute;left:-9999px;top:0;background:#fd0;color:#0b0c0c;padding:.75rem 1rem;z-index:2}
.skip:focus{left:0}
header.top{background:#0b3d5c;color:#fff;border-bottom:.5rem solid #1d8fd1}
header.top .wrap{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem;padding-top:.75rem;padding-bottom:.75rem}
.brand{font-weight:700;font-size:1.25rem}
.brand span{font-weight:400;font-size:1rem;margin-left:.5rem}
.lang{display:flex;gap:.75rem;align-items:center;margin:0;padding:0;list-style:none}
.lang a,.lang span{display:inline-block;min-height:44px;padding:.6rem .25rem;color:#fff}
.lang span{font-weight:700}
main.wrap{padding-top:1.5rem;padding-bottom:2rem}
form{margin:0 0 1.5rem}
h1{font-size:1.875rem;line-height:1.2;margin:0 0 1rem}
h2{font-size:1.375rem;margin:2rem 0 .75rem}
p,ul,ol{margin:0 0 1rem}
a{color:#0b5394;text-decoration-thickness:max(1px,.0625rem);text-underline-offset:.15em}
a:hover{color:#003078}
a:focus,button:focus,input:focus,select:focus,.skip:focus{outline:3px solid #fd0;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}
a:focus{background:#fd0;color:#0b0c0c;text-decoration:none}
.lead{font-size:1.1875rem}
.hint{display:block;color:#484949;font-size:1rem;margin:.15rem 0 .5rem}
fieldset{border:0;margin:0 0 1.5rem;padding:0;min-width:0}
legend{font-weight:700;font-size:1.1875rem;margin-bottom:.5rem;padding:0}
.legend-l{font-size:1.375rem}
.optional{font-weight:400;color:#484949}
.field{margin:0 0 1.5rem}
.field>label,.label{display:block;font-weight:700;margin-bottom:.25rem}
input[type=email],input[type=text],input[type=tel],input:not([type]),select{display:block;width:100%;max-width:28rem;min-height:44px;font:inherit;padding:.4rem .5rem;border:2px solid #0b0c0c;border-radius:0;background:#fff;color:#0b0c0c}
input.code{max-width:9rem;letter-spacing:.2em}
.choice{display:flex;align-items:flex-start;gap:.75rem;margin:0 0 .75rem}
.choice input{flex:none;width:28px;height:28px;margin:.3rem 0 0;accent-color:#0b3d5c}
.choice label{flex:1;min-width:0;padding:.2rem 0}
.choice label strong{display:block}
button,.button{display:inline-block;min-height:44px;font:inherit;font-weight:700;padding:.55rem 1.1rem;border:0;border-radius:0;background:#00703c;color:#fff;box-shadow:0 2px 0 #002d18;cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:#005a30;color:#fff}
button.secondary{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}
.error-summary{border:5px solid #d4351c;padding:1rem;margin:0 0 1.5rem}
.error-summary h2{margin-top:0}
.error-summary ul{padding-left:1.25rem}
.error-summary a{color:#d4351c;font-weight:700}
.field-error{border-left:5px solid #d4351c;padding-left:.75rem}
.error{display:block;color:#d4351c;font-weight:700;margin:.25rem 0}
.field-error input,.field-error select{border-color:#d4351c}
.panel{border-left:5px solid #1d8fd1;background:#f3f8fb;padding:.75rem 1rem;margin:0 0 1.5rem}
.panel.done{border-color:#00703c;background:#f2f8f4}
.panel.problem{border-color:#d4351c;background:#fbf1ef}
.visually-hidden{position:absolute!important;width:1px!important;height:1px!important;margin:0!important;padding:0!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;white-space:nowrap!important;border:0!important}
.steps{list-style:none;padding:0;counter-reset:step}
.steps li{position:relative;padding:.4rem 0 .4rem 2.5rem;counter-increment:step}
.steps li::before{content:counter(step);position:absolute;left:0;top:.35rem;width:1.8rem;height:1.8rem;border-radius:50%;border:2px solid #484949;text-align:center;line-height:1.5rem;font-weight:700}
.steps li.done::before{content:"\\2713";background:#00703c;border-color:#00703c;color:#fff}
.steps li.current::before{background:#1d8fd1;border-color:#1d8fd1;color:#fff}
.steps li.ended::before{content:"\\00d7";background:#d4351c;border-color:#d4351c;color:#fff}
.steps .state{display:block;color:#484949;font-size:.95rem}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:0 0 1.5rem}
th,td{text-align:left;padding:.5rem .5rem .5rem 0;border-bottom:1px solid #b1b4b6;vertical-align:top}
td.num,th.num{text-align:right}
footer.wrap{border-top:1px solid #b1b4b6;padding-top:1rem;padding-bottom:2rem;color:#484949;font-size:.9375rem}
.hidden{display:none}
@media (min-width:40rem){h1{font-size:2.25rem}main.wrap{padding-top:2.5rem}}`;

/** The CSP hash source of one inline script. */
const scriptHash = (script: string) =>
  `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;

/** CSP allowing only this page's own inline script (by hash), the site's stylesheet and same-origin requests. */
export function contentSecurityPolicy(inlineScript?: string): string {
  return [
    "default-src 'none'",
    `script-src ${inlineScript ? scriptHash(inlineScript) : "'none'"}`,
    "style-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** What a page needs to know about where and how it is shown. */
export interface PageFrame {
  readonly lang: Locale;
  /** This page's path back to the site's root (`./`, `../../`): relative, so a stage prefix (…/prod/) stays in. */
  readonly root: string;
  /** This page in the other language (a relative URL). */
  readonly switchHref: string;
}

/** The language switch: the current language as text, the other as a link to this page in it. */
function languageSwitch(frame: PageFrame): string {
  const other = otherLocale(frame.lang);
  return `<nav aria-label="${escapeHtml(t(frame.lang, 'site.languages'))}"><ul class="lang">
<li><span aria-current="true">${LANGUAGE_NAMES[frame.lang]}</span></li>
<li><a href="${escapeHtml(frame.switchHref)}" lang="${other}" hreflang="${other}">${LANGUAGE_NAMES[other]}</a></li></ul></nav>`;
}

/** The page shell: `<html lang>`, the stylesheet, a skip link, the header with the language switch, and the footer. */
export function page(frame: PageFrame, title: string, body: string, script?: string): string {
  const { lang, root } = frame;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Impor.in</title>
<link rel="stylesheet" href="${escapeHtml(root)}${STYLESHEET_PATH}"></head>
<body><a class="skip" href="#main">${escapeHtml(t(lang, 'site.skip'))}</a>
<header class="top"><div class="wrap"><div class="brand">${t(lang, 'site.name')}<span>${escapeHtml(t(lang, 'site.section'))}</span></div>
${languageSwitch(frame)}</div></header>
<main id="main" class="wrap">${body}</main>
<footer class="wrap"><p>${escapeHtml(t(lang, 'site.footer'))}</p></footer>
${script ? `<script>${script}</script>` : ''}</body></html>`;
}

/** Headers for an HTML page carrying `script` inline. */
export function pageHeaders(script?: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(script),
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

export const randomNonce = (): string => randomBytes(16).toString('base64');
