import { createHash, randomBytes } from 'node:crypto';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** CSP allowing only this page's own inline script (by hash) and same-origin requests. */
export function contentSecurityPolicy(inlineScript?: string): string {
  const script = inlineScript
    ? `'sha256-${createHash('sha256').update(inlineScript, 'utf8').digest('base64')}'`
    : "'none'";
  return [
    "default-src 'none'",
    `script-src ${script}`,
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A minimal page shell. */
export function page(title: string, body: string, script?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
label{display:block;margin:.6rem 0}input,select,button{font:inherit;padding:.3rem}.hidden{display:none}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}</style></head>
<body>${body}${script ? `<script>${script}</script>` : ''}</body></html>`;
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
