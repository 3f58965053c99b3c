/** Pieces the pages share: the GOV.UK-style error summary, field errors and the anti-forgery field. */
import { escapeHtml } from '../html';
import { type MessageKey, t } from '../i18n/catalogue';
import type { Locale } from '../request';

/** The name of the hidden field carrying the anti-forgery token (see middleware/csrf). */
export const CSRF_FIELD = 'csrf';

/** One problem with one field: the id of the element it links to and what to do about it. */
export interface FieldProblem {
  /** The id of the input (or first radio) the summary links to. */
  readonly id: string;
  readonly message: MessageKey;
  /** Values for the message's `{name}`s. */
  readonly values?: Readonly<Record<string, string | number>>;
  /** Text already in the page's language (a refusal), instead of `message`. */
  readonly text?: string;
}

/** The problem's words in `lang`. */
const wordsOf = (lang: Locale, p: FieldProblem) => p.text ?? t(lang, p.message, p.values);

/** Problems by field name, in the order the page shows the fields. */
export type FieldProblems = ReadonlyMap<string, FieldProblem>;

/** The error summary at the top of a page: each problem links to its field (empty when none). */
export function errorSummary(lang: Locale, problems: readonly { href: string; text: string }[]): string {
  if (problems.length === 0) return '';
  const items = problems.map((p) => `<li><a href="${escapeHtml(p.href)}">${escapeHtml(p.text)}</a></li>`);
  // autofocus: a screen reader and a keyboard land on the summary first, without JavaScript.
  return `<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
<h2 id="error-summary-title">${escapeHtml(t(lang, 'error.summary'))}</h2><ul>${items.join('')}</ul></div>`;
}

/** The error summary of field problems. */
export function fieldSummary(lang: Locale, problems: FieldProblems): string {
  return errorSummary(
    lang,
    [...problems.values()].map((p) => ({ href: `#${p.id}`, text: wordsOf(lang, p) })),
  );
}

/** The message under a field's label, or nothing. */
export function fieldError(lang: Locale, problem: FieldProblem | undefined, id: string): string {
  if (!problem) return '';
  return `<p class="error" id="${id}-error"><span class="visually-hidden">${escapeHtml(t(lang, 'site.error'))}</span> ${escapeHtml(wordsOf(lang, problem))}</p>`;
}

/** `aria-describedby` and `aria-invalid` for an input with optional hint and error. */
export function describedBy(id: string, hint: boolean, problem: FieldProblem | undefined): string {
  const ids = [hint ? `${id}-hint` : '', problem ? `${id}-error` : ''].filter(Boolean);
  return `${ids.length ? ` aria-describedby="${ids.join(' ')}"` : ''}${problem ? ' aria-invalid="true"' : ''}`;
}

/** The hidden anti-forgery field of a form. */
export const csrfInput = (token: string): string =>
  `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(token)}">`;

/** A page-level notice (not an error): a short paragraph in a panel. */
export const panel = (text: string, kind = ''): string =>
  `<div class="panel${kind ? ` ${kind}` : ''}"><p>${escapeHtml(text)}</p></div>`;
