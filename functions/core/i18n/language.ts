/** Which language a page is shown in: `?lang=`, else the remembered choice, else the browser's, else Indonesian. */
import { Locale } from '../request';

/** The cookie remembering a choice made with the language switch. */
export const LANGUAGE_COOKIE = 'dsr_lang';

export interface LanguageHints {
  /** `?lang=` of the URL. */
  readonly query?: string | null;
  /** The `dsr_lang` cookie. */
  readonly cookie?: string | null;
  /** The `Accept-Language` header. */
  readonly acceptLanguage?: string | null;
}

/** The first of Indonesian or English in an `Accept-Language` header, by quality then order. */
function fromAcceptLanguage(header: string): Locale | undefined {
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { primary: range.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { primary } of ranked) {
    // `in` is the withdrawn ISO 639 code for Indonesian that old Android browsers still send.
    if (primary === 'id' || primary === 'in') return 'id';
    if (primary === 'en') return 'en';
  }
  return undefined;
}

/** The page's language from the request's hints (Indonesian when none applies). */
export function chooseLanguage(hints: LanguageHints): Locale {
  const query = Locale.safeParse(hints.query);
  if (query.success) return query.data;
  const cookie = Locale.safeParse(hints.cookie);
  if (cookie.success) return cookie.data;
  return (hints.acceptLanguage && fromAcceptLanguage(hints.acceptLanguage)) || 'id';
}
