import { LANGUAGE_NAMES, otherLocale } from './i18n/catalogue';
import { MAIL_CATALOGUE, type MailKey, t } from './i18n/mail-messages';
import type { Locale } from './request';

export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * One email in both languages: the request's first, a rule, then the other
 * (marked with its `lang` in HTML), so a person who reads the other one is
 * never left out; the subject names both.
 */
export function bothLanguages(locale: Locale, build: (l: Locale) => MailContent): MailContent {
  const other = otherLocale(locale);
  const first = build(locale);
  const second = build(other);
  return {
    subject: `${first.subject} / ${second.subject}`,
    text: `${first.text}\n\n----- ${LANGUAGE_NAMES[other]} -----\n\n${second.text}`,
    html: `<div lang="${locale}">${first.html}</div><hr><div lang="${other}">${second.html}</div>`,
  };
}

/** The read-only status link: it opens the status page, nothing else. */
export function statusLink(publicUrl: string, requestId: string, linkToken: string): string {
  return `${publicUrl}/requests/${encodeURIComponent(requestId)}/status?token=${encodeURIComponent(linkToken)}`;
}

/** The emailed verification link: it opens the confirmation page, whose form POSTs the token. */
export function verificationLink(publicUrl: string, requestId: string, linkToken: string): string {
  return `${publicUrl}/requests/${encodeURIComponent(requestId)}/verify?token=${encodeURIComponent(linkToken)}`;
}

/** How a value is set off in an email's HTML: bold, or bold and large (a code to type). */
type Emphasis = 'strong' | 'code';

/**
 * A catalogue message as email HTML: its text escaped, each value escaped and,
 * when `emphasis` names it, set off (the text part of the email uses `t` as is).
 */
export function richText(
  lang: Locale,
  key: MailKey,
  values: Readonly<Record<string, string | number>> = {},
  emphasis: Readonly<Record<string, Emphasis>> = {},
): string {
  return esc(MAIL_CATALOGUE[lang][key]).replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(values, name)) return whole;
    const value = esc(String(values[name]));
    const how = emphasis[name];
    if (how === 'code') return `<strong style="font-size:1.4em">${value}</strong>`;
    return how === 'strong' ? `<strong>${value}</strong>` : value;
  });
}

/** The verification email (EN or ID): the 6-digit code and a link to the confirmation page. */
function verificationMailIn(
  l: Locale,
  args: { requestId: string; code: string; link: string; minutes: number; statusLink?: string },
): MailContent {
  const { requestId, code, link, minutes, statusLink } = args;
  const status = statusLink
    ? {
        text: `\n\n${t(l, 'mail.verify.statusText')}\n${statusLink}`,
        html: `<p><a href="${esc(statusLink)}">${esc(t(l, 'mail.verify.statusLink'))}</a> ${esc(t(l, 'mail.verify.statusNote'))}</p>`,
      }
    : { text: '', html: '' };
  return {
    subject: t(l, 'mail.verify.subject'),
    text: `${t(l, 'mail.verify.received', { requestId })}\n\n${t(l, 'mail.verify.code', { code })}\n\n${t(l, 'mail.verify.orLink')}\n${link}\n\n${t(l, 'mail.verify.validity', { minutes })}${status.text}`,
    html: `<p>${richText(l, 'mail.verify.received', { requestId }, { requestId: 'strong' })}</p><p>${richText(l, 'mail.verify.code', { code }, { code: 'code' })}</p><p><a href="${esc(link)}">${esc(t(l, 'mail.verify.link'))}</a></p><p>${richText(l, 'mail.verify.validity', { minutes })}</p>${status.html}`,
  };
}

/** The code that confirms a new email address, sent to that address (EN or ID). */
function newAddressMailIn(l: Locale, args: { requestId: string; code: string }): MailContent {
  const { requestId, code } = args;
  return {
    subject: t(l, 'mail.newAddress.subject'),
    text: `${t(l, 'mail.newAddress.lead', { requestId })}\n\n${t(l, 'mail.newAddress.code', { code })}\n\n${t(l, 'mail.newAddress.note')}`,
    html: `<p>${richText(l, 'mail.newAddress.lead', { requestId }, { requestId: 'strong' })}</p><p>${richText(l, 'mail.newAddress.code', { code }, { code: 'code' })}</p><p>${richText(l, 'mail.newAddress.note')}</p>`,
  };
}

/**
 * The "your data is ready" email (EN or ID): a link to the API, never a
 * pre-signed URL. When the search found nothing (`records` is 0) it says so
 * plainly; the archive then only lists the places that were searched.
 */
function exportReadyMailIn(
  l: Locale,
  args: { requestId: string; link: string; days: number; records?: number },
): MailContent {
  const { requestId, link, days } = args;
  const none = args.records === 0;
  const lead = t(l, none ? 'mail.export.lead.none' : 'mail.export.lead', { requestId });
  const action = t(l, none ? 'mail.export.action.none' : 'mail.export.action');
  return {
    subject: t(l, none ? 'mail.export.subject.none' : 'mail.export.subject'),
    text: `${lead}\n\n${t(l, 'mail.export.validText', { action, days })}\n${link}`,
    html: `<p>${esc(lead)}</p><p><a href="${esc(link)}">${esc(action)}</a> ${richText(l, 'mail.export.valid', { days })}</p>`,
  };
}

/** A grace period in words: whole days, hours, minutes or seconds, whichever fits. */
function durationText(l: Locale, seconds: number): string {
  const units = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ] as const;
  const [size, unit] = units.find(([size]) => seconds >= size && seconds % size === 0) ?? [1, 'second'];
  const count = Math.round(seconds / size);
  return t(l, `mail.duration.${unit}.${count === 1 ? 'one' : 'other'}`, { count });
}

/** When erasure starts, in Jakarta time (where Impor.in is) and UTC, for the reader's language. */
function startText(locale: Locale, at: Date): string {
  const local = new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Asia/Jakarta',
  }).format(at);
  return `${local} WIB (${at.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
}

/**
 * The "your deletion is scheduled" email (EN or ID): when erasure starts and
 * the link that cancels it until then. The link carries the cancel token, so it
 * appears only in the body, never in the subject line.
 */
function erasureScheduledMailIn(
  l: Locale,
  args: { requestId: string; link: string; startsAt: Date; graceSeconds: number },
): MailContent {
  const { requestId, link, startsAt, graceSeconds } = args;
  const starts = { wait: durationText(l, graceSeconds), when: startText(l, startsAt) };
  return {
    subject: t(l, 'mail.scheduled.subject'),
    text: `${t(l, 'mail.scheduled.confirmed', { requestId })}\n\n${t(l, 'mail.scheduled.starts', starts)} ${t(l, 'mail.scheduled.cancelText')}\n${link}\n\n${t(l, 'mail.scheduled.kept')}`,
    html: `<p>${richText(l, 'mail.scheduled.confirmed', { requestId }, { requestId: 'strong' })}</p><p>${richText(l, 'mail.scheduled.starts', starts, { when: 'strong' })}</p><p><a href="${esc(link)}">${esc(t(l, 'mail.scheduled.cancelLink'))}</a> ${esc(t(l, 'mail.scheduled.cancelNote'))}</p><p>${esc(t(l, 'mail.scheduled.kept'))}</p>`,
  };
}

/** A processor told about an opt-out, as the subject is told: its name and whether it confirmed. */
export interface OptOutProcessor {
  readonly name: string;
  /** `followed_up`: it did not confirm in time (or could not comply) and support is following up. */
  readonly outcome: 'confirmed' | 'followed_up' | 'pending';
}

const OPT_OUT_OUTCOME: Readonly<Record<OptOutProcessor['outcome'], MailKey>> = {
  confirmed: 'mail.processor.confirmed',
  followed_up: 'mail.optOut.followedUp',
  pending: 'mail.processor.pending',
};

/** The processors paragraph of the opt-out mail (text and HTML); empty when no processor was told. */
function processorLines(l: Locale, processors: readonly OptOutProcessor[]): { text: string; html: string } {
  if (processors.length === 0) return { text: '', html: '' };
  const intro = t(l, 'mail.optOut.processors');
  const outcome = (p: OptOutProcessor) => t(l, OPT_OUT_OUTCOME[p.outcome]);
  return {
    text: `\n\n${intro}\n${processors.map((p) => `- ${p.name}: ${outcome(p)}`).join('\n')}`,
    html: `<p>${esc(intro)}</p><ul>${processors.map((p) => `<li>${esc(p.name)}: ${esc(outcome(p))}</li>`).join('')}</ul>`,
  };
}

/**
 * The "you will get no more marketing" email (EN or ID): which places were
 * updated, which processors were told (confirmed, or followed up by support),
 * and that the address stays on the suppression list. Store descriptions and
 * processor names come from the data map; no record contents or processor
 * references appear.
 */
function optOutConfirmedMailIn(
  l: Locale,
  args: {
    requestId: string;
    stores: readonly { description: string; records: number }[];
    processors?: readonly OptOutProcessor[];
  },
): MailContent {
  const { requestId, stores } = args;
  const told = processorLines(l, args.processors ?? []);
  const item = (s: { description: string; records: number }) =>
    t(l, 'mail.storeRecords', { description: s.description, count: s.records });
  const places =
    stores.length === 0
      ? { text: t(l, 'mail.optOut.none'), html: `<p>${esc(t(l, 'mail.optOut.none'))}</p>` }
      : {
          text: `${t(l, 'mail.optOut.off')}\n${stores.map((s) => `- ${item(s)}`).join('\n')}`,
          html: `<p>${esc(t(l, 'mail.optOut.off'))}</p><ul>${stores.map((s) => `<li>${esc(item(s))}</li>`).join('')}</ul>`,
        };
  return {
    subject: t(l, 'mail.optOut.subject'),
    text: `${t(l, 'mail.optOut.done', { requestId })}\n\n${places.text}${told.text}\n\n${t(l, 'mail.optOut.suppressed')}`,
    html: `<p>${richText(l, 'mail.optOut.done', { requestId }, { requestId: 'strong' })}</p>${places.html}${told.html}<p>${esc(t(l, 'mail.optOut.suppressed'))}</p>`,
  };
}

/** The verification email: the 6-digit code, the confirmation link and the read-only status link. */
export function verificationMail(
  locale: Locale,
  args: { requestId: string; code: string; link: string; minutes: number; statusLink?: string },
): MailContent {
  return bothLanguages(locale, (l) => verificationMailIn(l, args));
}

/** The code that confirms a new email address, sent to that address. */
export function newAddressMail(locale: Locale, args: { requestId: string; code: string }): MailContent {
  return bothLanguages(locale, (l) => newAddressMailIn(l, args));
}

/** The "your data is ready" email (see exportReadyMailIn). */
export function exportReadyMail(
  locale: Locale,
  args: { requestId: string; link: string; days: number; records?: number },
): MailContent {
  return bothLanguages(locale, (l) => exportReadyMailIn(l, args));
}

/** The "your deletion is scheduled" email (see erasureScheduledMailIn). */
export function erasureScheduledMail(
  locale: Locale,
  args: { requestId: string; link: string; startsAt: Date; graceSeconds: number },
): MailContent {
  return bothLanguages(locale, (l) => erasureScheduledMailIn(l, args));
}

/** The "you will get no more marketing" email (see optOutConfirmedMailIn). */
export function optOutConfirmedMail(
  locale: Locale,
  args: Parameters<typeof optOutConfirmedMailIn>[1],
): MailContent {
  return bothLanguages(locale, (l) => optOutConfirmedMailIn(l, args));
}
