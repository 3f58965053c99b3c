/**
 * The code page's two form posts (enter the code, send a new one), as a
 * browser without JavaScript makes them: the anti-forgery check, the client's
 * verify budget, and every refusal shown on the code page itself, linked to
 * the code field, in the page's language.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { limitClientIp } from '../aws/rate-limit';
import { type CodePageArgs, codePage } from '../core/pages/code';
import { invalidLinkPage } from '../core/pages/links';
import type { FieldProblem, FieldProblems } from '../core/pages/parts';
import { refusalText } from '../core/pages/refusals';
import { RequestId } from '../core/request';
import { VerifyRequestBody } from '../core/verify-body';
import { Browser, formFields, refusalOf } from './browser';
import { asHttpError, type HttpError } from './errors';

/** Problems with the form's own fields, found before anything was tried (400). */
export class CodeFormProblems extends Error {
  override readonly name = 'CodeFormProblems';
  constructor(readonly problems: FieldProblems) {
    super('the code form has problems');
  }
}

export interface CodeForm {
  readonly browser: Browser;
  readonly requestId: string;
  readonly form: URLSearchParams;
  /** The code page with `extra` (e.g. "a new code is on its way"). */
  readonly show: (statusCode: number, extra?: Partial<CodePageArgs>) => APIGatewayProxyResult;
}

/** Runs `act` for a code-page post from our own page, answering every refusal as the code page. */
export async function answerCodeForm(
  event: APIGatewayProxyEvent,
  act: (form: CodeForm) => Promise<APIGatewayProxyResult>,
): Promise<APIGatewayProxyResult> {
  const browser = new Browser(event);
  const id = RequestId.safeParse(event.pathParameters?.requestId);
  if (!id.success) return browser.page(404, invalidLinkPage(browser.frame()));
  const requestId = id.data;
  const csrf = browser.csrfToken();
  const frame = browser.frame('code');
  const show = (statusCode: number, extra: Partial<CodePageArgs> = {}) =>
    browser.page(
      statusCode,
      codePage(frame, { requestId, csrf, newAddress: browser.expectsNewAddressCode(requestId), ...extra }),
    );
  const problem = (p: FieldProblem) => new Map([['code', p]]);
  const form = formFields(event);
  if (!browser.formIsOurs(form))
    return show(403, { problems: problem({ id: 'code', message: 'error.csrf' }) });
  try {
    await limitClientIp(event, 'verify');
    return await act({ browser, requestId, form, show });
  } catch (caught) {
    if (caught instanceof CodeFormProblems) return show(400, { problems: caught.problems });
    const error = asHttpError(caught) as HttpError;
    if (typeof error.statusCode !== 'number' || error.statusCode >= 500) throw error;
    const refusal = refusalOf(error);
    const text = refusalText(browser.lang, refusal);
    // A correction of the address the cookie did not mark still gets the second field when the server asks for it.
    const newAddress = refusal.error === 'new_address_code_required' ? { newAddress: true } : {};
    const problems = problem({ id: 'code', message: 'error.code', text });
    const page = show(error.statusCode, { problems, ...newAddress });
    const retry = refusal.retryAfterSeconds;
    return retry ? { ...page, headers: { ...page.headers, 'retry-after': String(retry) } } : page;
  }
}

/** The code page's fields as a verify body: empty answers left out; each problem linked to its field. */
export function codeBody(form: URLSearchParams) {
  const code = form.get('code')?.trim() ?? '';
  const newAddressCode = form.get('newAddressCode')?.trim();
  const parsed = VerifyRequestBody.safeParse({ code, ...(newAddressCode ? { newAddressCode } : {}) });
  if (parsed.success) return parsed.data;
  const problems = new Map(
    parsed.error.issues
      .flatMap((issue) => (issue.code === 'invalid_union' ? (issue.errors[0] ?? []) : [issue]))
      .map((issue) => {
        const field = issue.path[0] === 'newAddressCode' ? 'newAddressCode' : 'code';
        return [
          field,
          {
            id: field,
            message: field === 'code' ? ('error.code' as const) : ('error.newAddressCode' as const),
          },
        ];
      }),
  );
  throw new CodeFormProblems(problems);
}
