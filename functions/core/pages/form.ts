/**
 * The request form (GET /): a real `<form method="post">` that works without
 * JavaScript; its script only hides the fieldsets of rights not chosen. A
 * refused post comes back as this page with a GOV.UK-style error summary, in
 * the page's language, and the answers kept.
 */

import { ConsentPurpose, type RectifiableAttribute } from '../data-map';
import { escapeHtml, type PageFrame, page } from '../html';
import { type MessageKey, t } from '../i18n/catalogue';
import { Jurisdiction, type Locale, RequestType } from '../request';
import { SubmitRequestBody } from '../request-bodies';
import type * as z from '../zod';
import {
  csrfInput,
  describedBy,
  type FieldProblem,
  type FieldProblems,
  fieldError,
  fieldSummary,
} from './parts';

/** Hides the corrections and purposes fieldsets unless their right is chosen (progressive: visible without JS). */
export const FORM_SCRIPT = `
const form = document.getElementById('request-form');
const extras = () => {
  const type = new FormData(form).get('type');
  document.getElementById('corrections').classList.toggle('hidden', type !== 'rectify');
  document.getElementById('purposes').classList.toggle('hidden', type !== 'withdraw_consent');
};
form.addEventListener('change', extras);
extras();
`;

const CORRECTABLE: readonly RectifiableAttribute[] = ['email', 'fullName', 'phone', 'address', 'companyName'];
const INPUT_TYPE: Record<RectifiableAttribute, string> = {
  email: 'email',
  fullName: 'text',
  phone: 'tel',
  address: 'text',
  companyName: 'text',
};

/** The form's fields as posted (or none yet). */
export type FormFields = URLSearchParams;

/** The body `POST /requests` validates, from the form's fields: empty answers left out. */
function bodyOf(form: FormFields, lang: Locale): Record<string, unknown> {
  const value = (name: string) => form.get(name)?.trim() || undefined;
  const body: Record<string, unknown> = {
    type: value('type'),
    email: form.get('email') ?? '',
    fullName: value('fullName'),
    phone: value('phone'),
    jurisdiction: value('jurisdiction'),
    // The request's language is the page's: its emails come in it first.
    locale: lang,
  };
  if (body.type === 'rectify') {
    const corrections = Object.fromEntries(
      CORRECTABLE.flatMap((k) => (value(`correct_${k}`) ? [[k, value(`correct_${k}`)]] : [])),
    );
    body.corrections = corrections;
  }
  if (body.type === 'withdraw_consent') body.purposes = form.getAll('purposes');
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

/** The field a zod issue is about, as the page names and links it. */
function problemOf(issue: z.core.$ZodIssue, form: FormFields): [string, FieldProblem] {
  const [field, sub] = issue.path.map(String);
  switch (field) {
    case 'type':
      return ['type', { id: 'type-access', message: 'error.type' }];
    case 'email':
      return [
        'email',
        { id: 'email', message: form.get('email')?.trim() ? 'error.email' : 'error.email.missing' },
      ];
    case 'fullName':
    case 'phone':
    case 'jurisdiction':
      return [field, { id: field, message: `error.${field}` as MessageKey }];
    case 'corrections': {
      if (!sub) return ['corrections', { id: 'correct_email', message: 'error.corrections' }];
      const message: MessageKey = sub === 'email' ? 'error.corrections.email' : 'error.corrections.field';
      return [`correct_${sub}`, { id: `correct_${sub}`, message }];
    }
    case 'purposes':
      return ['purposes', { id: 'purpose-analytics', message: 'error.purposes' }];
    default:
      return [field ?? 'form', { id: 'type-access', message: 'error.field' }];
  }
}

/** Fields in the order the page shows them, so the summary reads top to bottom. */
const FIELD_ORDER = [
  'type',
  'correct_',
  'corrections',
  'purposes',
  'email',
  'fullName',
  'phone',
  'jurisdiction',
];
const rank = (name: string) => {
  const i = FIELD_ORDER.findIndex((f) => name === f || (f.endsWith('_') && name.startsWith(f)));
  return i < 0 ? FIELD_ORDER.length : i;
};

/** The form's fields as a valid submission in the page's language, or the problems to show. */
export function formSubmission(
  form: FormFields,
  lang: Locale,
): { ok: true; body: SubmitRequestBody } | { ok: false; problems: FieldProblems } {
  const parsed = SubmitRequestBody.safeParse(bodyOf(form, lang));
  if (parsed.success) return { ok: true, body: parsed.data };
  const problems = new Map<string, FieldProblem>();
  for (const issue of parsed.error.issues) {
    const [name, problem] = problemOf(issue, form);
    if (!problems.has(name)) problems.set(name, problem);
  }
  return { ok: false, problems: new Map([...problems].sort(([a], [b]) => rank(a) - rank(b))) };
}

const attr = (value: string | null | undefined) => escapeHtml(value ?? '');

/** One text input with its label, optional hint and error. */
function textField(
  lang: Locale,
  f: { name: string; id?: string; label: string; type: string; value?: string | null; autocomplete: string },
  problems: FieldProblems,
  extra: { hint?: string; optional?: boolean; problem?: FieldProblem } = {},
): string {
  const id = f.id ?? f.name;
  const problem = extra.problem ?? problems.get(f.name);
  const optional = extra.optional
    ? ` <span class="optional">${escapeHtml(t(lang, 'site.optional'))}</span>`
    : '';
  return `<div class="field${problem ? ' field-error' : ''}"><label for="${id}">${escapeHtml(f.label)}${optional}</label>
${extra.hint ? `<span class="hint" id="${id}-hint">${escapeHtml(extra.hint)}</span>` : ''}${fieldError(lang, problem, id)}
<input type="${f.type}" id="${id}" name="${f.name}" value="${attr(f.value)}" autocomplete="${f.autocomplete}"${describedBy(id, Boolean(extra.hint), problem)}></div>`;
}

/** The request form, empty or with the answers and problems of a refused post. */
export function requestFormPage(
  frame: PageFrame,
  args: { csrf: string; form?: FormFields; problems?: FieldProblems },
): string {
  const { lang } = frame;
  const form = args.form ?? new URLSearchParams();
  const problems: FieldProblems = args.problems ?? new Map();
  const chosen = form.get('type');
  const typeProblem = problems.get('type');
  const radios = RequestType.options
    .map((type) => {
      const hint = t(lang, `form.type.${type}.hint` as MessageKey);
      return `<div class="choice"><input type="radio" id="type-${type}" name="type" value="${type}"${chosen === type ? ' checked' : ''} aria-describedby="type-${type}-hint">
<label for="type-${type}"><strong>${escapeHtml(t(lang, `form.type.${type}` as MessageKey))}</strong><span class="hint" id="type-${type}-hint">${escapeHtml(hint)}</span></label></div>`;
    })
    .join('\n');
  const corrections = CORRECTABLE.map((k) =>
    textField(
      lang,
      {
        name: `correct_${k}`,
        label: t(lang, `form.correct_${k}` as MessageKey),
        type: INPUT_TYPE[k],
        value: form.get(`correct_${k}`),
        autocomplete: 'off',
      },
      problems,
      // "Fill in at least one" shows at the first of them.
      { problem: problems.get(`correct_${k}`) ?? (k === 'email' ? problems.get('corrections') : undefined) },
    ),
  ).join('\n');
  const purposesProblem = problems.get('purposes');
  const purposes = ConsentPurpose.options
    .map(
      (
        p,
      ) => `<div class="choice"><input type="checkbox" id="purpose-${p}" name="purposes" value="${p}"${form.getAll('purposes').includes(p) ? ' checked' : ''}>
<label for="purpose-${p}">${escapeHtml(t(lang, `form.purpose.${p}` as MessageKey))}</label></div>`,
    )
    .join('\n');
  const jurisdiction = form.get('jurisdiction') ?? 'ID';
  const options = Jurisdiction.options
    .map(
      (j) =>
        `<option value="${j}"${j === jurisdiction ? ' selected' : ''}>${escapeHtml(t(lang, `form.jurisdiction.${j}` as MessageKey))}</option>`,
    )
    .join('');
  const body = `${fieldSummary(lang, problems)}
<h1>${escapeHtml(t(lang, 'form.title'))}</h1>
<p class="lead">${escapeHtml(t(lang, 'form.lead'))}</p>
<form id="request-form" method="post" action="${escapeHtml(frame.root)}requests" novalidate>
${csrfInput(args.csrf)}<input type="hidden" name="locale" value="${lang}">
<fieldset class="${typeProblem ? 'field-error' : ''}"${typeProblem ? ' aria-describedby="type-error"' : ''}><legend class="legend-l">${escapeHtml(t(lang, 'form.type'))}</legend>
${fieldError(lang, typeProblem, 'type')}${radios}</fieldset>
<fieldset id="corrections"><legend>${escapeHtml(t(lang, 'form.corrections'))}</legend>
${corrections}</fieldset>
<fieldset id="purposes" class="${purposesProblem ? 'field-error' : ''}"${purposesProblem ? ' aria-describedby="purposes-error"' : ''}><legend>${escapeHtml(t(lang, 'form.purposes'))}</legend>
${fieldError(lang, purposesProblem, 'purposes')}${purposes}</fieldset>
<h2>${escapeHtml(t(lang, 'form.you'))}</h2>
${textField(lang, { name: 'email', label: t(lang, 'form.email'), type: 'email', value: form.get('email'), autocomplete: 'email' }, problems, { hint: t(lang, 'form.email.hint') })}
${textField(lang, { name: 'fullName', label: t(lang, 'form.fullName'), type: 'text', value: form.get('fullName'), autocomplete: 'name' }, problems, { optional: true })}
${textField(lang, { name: 'phone', label: t(lang, 'form.phone'), type: 'tel', value: form.get('phone'), autocomplete: 'tel' }, problems, { optional: true })}
<div class="field${problems.has('jurisdiction') ? ' field-error' : ''}"><label for="jurisdiction">${escapeHtml(t(lang, 'form.jurisdiction'))}</label>
<span class="hint" id="jurisdiction-hint">${escapeHtml(t(lang, 'form.jurisdiction.hint'))}</span>${fieldError(lang, problems.get('jurisdiction'), 'jurisdiction')}
<select id="jurisdiction" name="jurisdiction"${describedBy('jurisdiction', true, problems.get('jurisdiction'))}>${options}</select></div>
<h2>${escapeHtml(t(lang, 'form.next'))}</h2>
<ol>${(['form.next.code', 'form.next.work', 'form.next.time', 'form.next.status'] as const).map((k) => `<li>${escapeHtml(t(lang, k))}</li>`).join('')}</ol>
<button type="submit">${escapeHtml(t(lang, 'form.submit'))}</button>
</form>`;
  return page(
    frame,
    problems.size ? `${t(lang, 'site.error')} ${t(lang, 'form.title')}` : t(lang, 'form.title'),
    body,
    FORM_SCRIPT,
  );
}
