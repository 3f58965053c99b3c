import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { limitClientIp } from '../aws/rate-limit';
import { submitPorts } from '../aws/request-ports';
import { chooseLanguage } from '../core/i18n/language';
import { FORM_SCRIPT, formSubmission, requestFormPage } from '../core/pages/form';
import type { FieldProblems } from '../core/pages/parts';
import { SubmitRequestBody } from '../core/request-bodies';
import { submitRequest as submit } from '../core/requests/submit';
import { Browser, formFields, isFormPost } from '../middleware/browser';
import { httpRoute, json, parseOrThrow } from '../middleware/http';

/** The problem shown when a form post is not from our own page: nothing was sent. */
const FORGED: FieldProblems = new Map([['type', { id: 'type-access', message: 'error.csrf' as const }]]);

/**
 * POST /requests: budgets per client IP (every call) and per subject, then the
 * request in the ledger and its workflow started (core/requests/submit).
 * JSON: 202 with `{ requestId, status, statusToken }` (without `locale`, the
 * emails' language follows Accept-Language, else Indonesian); an `Idempotency-Key`
 * replay gets the first answer again, the same key with another body 422.
 * The form (no JavaScript needed): its answers come back with an error summary
 * in the page's language, or the browser keeps the status token in a cookie
 * and is sent on to the code page (303), so no URL carries personal data.
 */
export async function submitRequest(
  event: APIGatewayProxyEvent,
  context?: Context,
): Promise<APIGatewayProxyResult> {
  if (!isFormPost(event)) {
    const parsed = parseOrThrow(SubmitRequestBody, event.body);
    // No `locale`: the page rule without ?lang= or a cookie (Accept-Language, else Indonesian).
    const locale = parsed.locale ?? chooseLanguage({ acceptLanguage: event.headers?.['accept-language'] });
    const body = { ...parsed, locale };
    return json(202, await submit(await submitPorts(context), body, event.headers?.['idempotency-key']));
  }
  const browser = new Browser(event);
  const form = formFields(event);
  const csrf = browser.csrfToken();
  if (!browser.formIsOurs(form)) {
    return browser.page(403, requestFormPage(browser.frame(), { csrf, form, problems: FORGED }), FORM_SCRIPT);
  }
  const parsed = formSubmission(form, browser.lang);
  if (!parsed.ok) {
    const page = requestFormPage(browser.frame(), { csrf, form, problems: parsed.problems });
    return browser.page(400, page, FORM_SCRIPT);
  }
  const submitted = await submit(await submitPorts(context), parsed.body);
  if (submitted.statusToken) {
    const newAddress = parsed.body.corrections?.email !== undefined;
    browser.keepStatusToken(submitted.requestId, submitted.statusToken, newAddress);
  }
  return browser.redirect(`requests/${encodeURIComponent(submitted.requestId)}/code`);
}

export const handler = httpRoute(submitRequest, {
  body: true,
  allowForm: true,
  clientBudget: (event) => limitClientIp(event, 'submit'),
});
