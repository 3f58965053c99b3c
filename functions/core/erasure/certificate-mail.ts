/**
 * The email that tells the subject what erasure did: one mail in English and
 * Indonesian (the request's language first), a section per outcome, with the
 * legal basis and retention end of what is kept and the reason for what is held,
 * then which processors confirmed and which our support team is following up.
 * Only this subject's own records are described; nothing about anyone else.
 * Processors appear by name only: never their references or identifiers.
 */
import { DataCategory } from '../data-map';
import type { MailContent } from '../emails';
import { CATEGORY_LABELS } from '../export/categories';
import { t } from '../i18n/mail-messages';
import type { Locale } from '../request';
import type { Certificate, CertificateProcessor } from './certificate';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Section {
  readonly title: string;
  readonly intro: string;
  readonly items: readonly string[];
}

/** A section's heading and introduction in the catalogue (`mail.certificate.<name>` and `….intro`). */
type SectionName =
  | 'deleted'
  | 'masked'
  | 'retained'
  | 'held'
  | 'notErased'
  | 'processorsConfirmed'
  | 'processorsFollowedUp'
  | 'processorsPending';

const heading = (l: Locale, name: SectionName): readonly [string, string] => [
  t(l, `mail.certificate.${name}`),
  t(l, `mail.certificate.${name}.intro`),
];

const recordsText = (l: Locale, count: number) =>
  t(l, count === 1 ? 'mail.records.one' : 'mail.records.other', { count });

const section = ([title, intro]: readonly [string, string], items: string[]): Section[] =>
  items.length > 0 ? [{ title, intro, items }] : [];

/** A processor that answered `failed` has not done what was asked: support follows it up too. */
const confirmed = (p: CertificateProcessor) =>
  p.status === 'acknowledged' && p.ack !== undefined && p.ack.status !== 'failed';
const followedUp = (p: CertificateProcessor) =>
  p.status === 'escalated' || (p.status === 'acknowledged' && p.ack?.status === 'failed');

/** A processor's category in plain words when it is one of ours, else as the processor wrote it. */
function categoryText(locale: Locale, category: string): string {
  const known = DataCategory.safeParse(category);
  return known.success ? CATEGORY_LABELS[known.data][locale] : category;
}

/** What a processor confirmed, and what it keeps by law and why; its name only, never its reference. */
function processorItem(locale: Locale, processor: CertificateProcessor): string {
  const status = processor.ack?.status;
  const done = status && status !== 'failed' ? t(locale, `mail.certificate.processor.${status}`) : '';
  const until = t(locale, 'mail.certificate.until');
  const kept = (processor.ack?.retained ?? []).map(
    (r) =>
      `${t(locale, 'mail.certificate.processorKeeps')} ${r.category ? `${categoryText(locale, r.category)}: ` : ''}${r.reason}${r.until ? ` (${until} ${r.until})` : ''}`,
  );
  return [`${processor.name}: ${done}`, ...kept].join('; ');
}

function processorSections(locale: Locale, certificate: Certificate): Section[] {
  const processors = certificate.processors;
  return [
    ...section(
      heading(locale, 'processorsConfirmed'),
      processors.filter(confirmed).map((p) => processorItem(locale, p)),
    ),
    ...section(
      heading(locale, 'processorsFollowedUp'),
      processors.filter(followedUp).map((p) => p.name),
    ),
    ...section(
      heading(locale, 'processorsPending'),
      processors.filter((p) => p.status === 'pending').map((p) => p.name),
    ),
  ];
}

function storeSections(locale: Locale, certificate: Certificate): Section[] {
  const stores = certificate.stores;
  const records = (n: number) => recordsText(locale, n);
  const until = t(locale, 'mail.certificate.until');
  return [
    ...section(
      heading(locale, 'deleted'),
      stores.filter((s) => s.deleted > 0).map((s) => `${s.description} (${records(s.deleted)})`),
    ),
    ...section(
      heading(locale, 'masked'),
      stores.filter((s) => s.masked > 0).map((s) => `${s.description} (${records(s.masked)})`),
    ),
    ...section(
      heading(locale, 'retained'),
      stores.flatMap((s) =>
        s.retained.entries.map(
          (r) => `${s.description} (${records(r.records)}): ${r.legalBasis}; ${until} ${r.retainedUntil}`,
        ),
      ),
    ),
    ...section(
      heading(locale, 'held'),
      stores.flatMap((s) =>
        s.held.holds.map((h) => `${s.description} (${records(h.records)}): ${h.description[locale]}`),
      ),
    ),
    ...section(
      heading(locale, 'notErased'),
      (certificate.notErased ?? []).map((s) => s.description),
    ),
  ];
}

function textPart(locale: Locale, certificate: Certificate): string {
  const text = (s: Section) => `${s.title}\n${s.intro}\n${s.items.map((i) => `- ${i}`).join('\n')}`;
  const stores = storeSections(locale, certificate).map(text);
  const processors = processorSections(locale, certificate).map(text);
  return [
    t(locale, 'mail.certificate.opening', { requestId: certificate.requestId }),
    ...(stores.length > 0 ? stores : [t(locale, 'mail.certificate.nothing')]),
    ...processors,
  ].join('\n\n');
}

function htmlPart(locale: Locale, certificate: Certificate): string {
  const opening = t(locale, 'mail.certificate.opening', { requestId: certificate.requestId });
  const html = (s: Section) =>
    `<h3>${esc(s.title)}</h3><p>${esc(s.intro)}</p><ul>${s.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
  const stores = storeSections(locale, certificate).map(html);
  const processors = processorSections(locale, certificate).map(html);
  return `<div lang="${locale}"><p>${esc(opening)}</p>${stores.length > 0 ? stores.join('') : `<p>${esc(t(locale, 'mail.certificate.nothing'))}</p>`}${processors.join('')}</div>`;
}

/** The erasure summary email, EN and ID in one mail, the request's language first. */
export function erasureSummaryMail(locale: Locale, certificate: Certificate): MailContent {
  const order: Locale[] = locale === 'id' ? ['id', 'en'] : ['en', 'id'];
  // Same wording whether or not the person was known: the mail goes only to the verified address.
  const key = certificate.totals.found === 0 ? 'mail.certificate.subject.none' : 'mail.certificate.subject';
  return {
    subject: `${t(order[0] as Locale, key)} / ${t(order[1] as Locale, key)}`,
    text: order.map((l) => textPart(l, certificate)).join('\n\n-----\n\n'),
    html: order.map((l) => htmlPart(l, certificate)).join('<hr>'),
  };
}
