/**
 * The status page a person can come back to (`GET /requests/{id}/status`):
 * what was asked, each step and each place's progress in plain words, the due
 * date and hour in their time zone, and the outcome. Read-only: no button on
 * it verifies or cancels; only the browser that entered the code gets the
 * download link. Its script only refreshes the progress.
 */
import type { DataCategory, DataMap } from '../data-map';
import { CATEGORY_LABELS } from '../export/categories';
import { escapeHtml, type PageFrame, page } from '../html';
import { type MessageKey, t } from '../i18n/catalogue';
import { TERMINAL_STATUSES } from '../lifecycle';
import type { Jurisdiction, Locale } from '../request';
import type { statusView } from '../requests/status';

export type StatusView = ReturnType<typeof statusView>;

/** A place in the data map, as the status page names it. */
export interface StatusPlace {
  readonly id: string;
  readonly categories: readonly DataCategory[];
  /** A processor's name (a partner); stores have none. */
  readonly name?: string;
}

/** Every place of the data map, as the status page names it. */
export function statusPlaces(dataMap: DataMap): StatusPlace[] {
  return dataMap.stores.map((s) => ({
    id: s.id,
    categories: s.categories,
    ...('name' in s ? { name: s.name } : {}),
  }));
}

/** Refreshes `#progress` from the same URL until the request ends; `#now` is the live region. */
export const STATUS_SCRIPT = `
const note = document.getElementById('live-note');
let delay = 2000;
async function tick() {
  try {
    const res = await fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
    if (res.ok) {
      const next = new DOMParser().parseFromString(await res.text(), 'text/html');
      const progress = next.getElementById('progress');
      const now = next.getElementById('now');
      if (progress) document.getElementById('progress').replaceWith(progress);
      if (now && now.textContent !== document.getElementById('now').textContent) {
        document.getElementById('now').textContent = now.textContent;
      }
      if (progress && progress.dataset.final === 'true') { note.classList.add('hidden'); return; }
    }
  } catch (e) {}
  delay = Math.min(Math.round(delay * 1.25), 30000);
  setTimeout(tick, delay);
}
if (document.getElementById('progress').dataset.final !== 'true') {
  note.classList.remove('hidden');
  setTimeout(tick, delay);
}
`;

/** The person's time zone by the law they asked under, and how it is written. */
const ZONES: Readonly<Record<Jurisdiction, { zone: string; label?: string }>> = {
  ID: { zone: 'Asia/Jakarta', label: 'WIB' },
  EU: { zone: 'Europe/Brussels' },
  'US-CA': { zone: 'America/Los_Angeles' },
};

/** A moment as a date and hour in the person's zone, e.g. "Senin, 5 Januari 2026 pukul 14.30 WIB". */
export function localTime(lang: Locale, jurisdiction: Jurisdiction, iso: string): string {
  const { zone, label } = ZONES[jurisdiction];
  const format = new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: zone,
  }).format(new Date(iso));
  const name =
    label ??
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short' })
      .formatToParts(new Date(iso))
      .find((p) => p.type === 'timeZoneName')?.value;
  return name ? `${format} ${name}` : format;
}

type StepState = 'done' | 'current' | 'todo' | 'ended';

/** The step a status is at: its index in the request's path. */
function stepOf(status: string, isDelete: boolean): number {
  const working = isDelete ? 3 : 2;
  switch (status) {
    case 'pending_verification':
      return 1;
    case 'verified':
      return isDelete ? 2 : working;
    case 'scheduled':
      return 2;
    default:
      return working;
  }
}

/** The steps of the request's path and where it stands on each. */
function steps(view: StatusView): { label: MessageKey; state: StepState }[] {
  const isDelete = view.type === 'delete';
  const labels: MessageKey[] = [
    'status.step.received',
    'status.step.confirmed',
    ...(isDelete ? (['status.step.scheduled'] as const) : []),
    'status.step.working',
    'status.step.done',
  ];
  if (view.status === 'completed') return labels.map((label) => ({ label, state: 'done' }));
  const ended = TERMINAL_STATUSES.has(view.status);
  // An ended request stopped at the step of the last status it had before.
  const before = [...view.history].reverse().find((h) => !TERMINAL_STATUSES.has(h.status));
  const at = stepOf(ended ? (before?.status ?? 'pending_verification') : view.status, isDelete);
  return labels.map((label, i) => ({
    label,
    state: i < at ? 'done' : i > at ? 'todo' : ended ? 'ended' : 'current',
  }));
}

/** The place's name: a partner by name, a store by what it holds. */
function placeName(lang: Locale, storeId: string, places: ReadonlyMap<string, StatusPlace>): string {
  const place = places.get(storeId);
  if (!place) return storeId;
  if (place.name) return t(lang, 'status.store.processor', { name: place.name });
  return place.categories.map((c) => CATEGORY_LABELS[c][lang]).join(', ') || storeId;
}

/** What the page may offer beyond progress. */
export interface StatusPageOptions {
  /**
   * This browser entered the request's code (a verified-browser cookie): the
   * outcome links to its download. The emailed status link never sets this.
   */
  readonly links?: boolean;
}

/** The outcome in plain words, once the request ended or needs a person; its link for the verified browser. */
function outcome(lang: Locale, view: StatusView, options: StatusPageOptions): string {
  if (view.status === 'completed' && view.type === 'access' && options.links) {
    // Relative to …/requests/{id}/status: the download route checks this browser's cookies again.
    return `<h2>${escapeHtml(t(lang, 'status.outcome'))}</h2><div class="panel done" id="outcome"><p>${escapeHtml(t(lang, 'status.outcome.access.here'))}</p>
<p><a id="download" href="export">${escapeHtml(t(lang, 'status.outcome.download'))}</a></p></div>`;
  }
  if (view.status === 'completed' && view.type === 'delete' && options.links && view.certificateIssuedAt) {
    return `<h2>${escapeHtml(t(lang, 'status.outcome'))}</h2><div class="panel done" id="outcome"><p>${escapeHtml(t(lang, 'status.outcome.delete.here'))}</p>
<p><a id="certificate" href="certificate">${escapeHtml(t(lang, 'status.outcome.certificate'))}</a></p></div>`;
  }
  const key: MessageKey | undefined = (() => {
    switch (view.status) {
      case 'completed':
        return view.type === 'access'
          ? 'status.outcome.access'
          : view.type === 'delete'
            ? 'status.outcome.delete'
            : 'status.outcome.other';
      case 'failed':
        return 'status.outcome.failed';
      case 'expired':
        return 'status.outcome.expired';
      case 'rejected':
        return 'status.outcome.rejected';
      case 'cancelled':
        return 'status.outcome.cancelled';
      case 'needs_attention':
        return 'status.outcome.attention';
      default:
        return undefined;
    }
  })();
  if (!key) return '';
  const kind = view.status === 'completed' || view.status === 'cancelled' ? 'done' : 'problem';
  return `<h2>${escapeHtml(t(lang, 'status.outcome'))}</h2><div class="panel ${kind}" id="outcome"><p>${escapeHtml(t(lang, key))}</p></div>`;
}

/** The status page of one request. */
export function statusPage(
  frame: PageFrame,
  view: StatusView,
  places: readonly StatusPlace[],
  options: StatusPageOptions = {},
): string {
  const { lang } = frame;
  const jurisdiction = view.jurisdiction as Jurisdiction;
  const final = TERMINAL_STATUSES.has(view.status);
  const byId = new Map(places.map((p) => [p.id, p]));
  const stepItems = steps(view)
    .map(
      (s) =>
        `<li class="${s.state}"${s.state === 'current' ? ' aria-current="step"' : ''}>${escapeHtml(t(lang, s.label))}<span class="state">${escapeHtml(s.state === 'ended' ? t(lang, `state.${view.status}` as MessageKey) : t(lang, `status.step.state.${s.state}` as MessageKey))}</span></li>`,
    )
    .join('');
  const rows = view.stores
    .map(
      (s) =>
        `<tr><td>${escapeHtml(placeName(lang, s.storeId, byId))}</td><td>${escapeHtml(t(lang, `store.${s.status}` as MessageKey))}</td><td class="num">${s.records ?? ''}</td></tr>`,
    )
    .join('');
  const table = rows
    ? `<div class="table-wrap"><table><thead><tr><th scope="col">${escapeHtml(t(lang, 'status.store'))}</th><th scope="col">${escapeHtml(t(lang, 'status.store.progress'))}</th><th scope="col" class="num">${escapeHtml(t(lang, 'status.store.records'))}</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : `<p>${escapeHtml(t(lang, 'status.store.none'))}</p>`;
  const due = final
    ? ''
    : `<p>${escapeHtml(t(lang, 'status.due', { due: localTime(lang, jurisdiction, view.dueAt) }))}</p>`;
  const erasure =
    'erasureStartsAt' in view && view.erasureStartsAt
      ? `<div class="panel"><p>${escapeHtml(t(lang, 'status.erasureStartsAt', { at: localTime(lang, jurisdiction, view.erasureStartsAt) }))}</p></div>`
      : '';
  const body = `<h1>${escapeHtml(t(lang, 'status.title'))}</h1>
<p class="lead">${escapeHtml(t(lang, 'status.lead', { requestId: view.requestId, type: t(lang, `type.${view.type}` as MessageKey) }))}</p>
<p id="now" role="status"><strong>${escapeHtml(t(lang, 'status.now', { status: t(lang, `state.${view.status}` as MessageKey) }))}</strong></p>
<p class="hint hidden" id="live-note">${escapeHtml(t(lang, 'status.live'))}</p>
<div id="progress" data-final="${final}">
<p>${escapeHtml(t(lang, 'status.received', { at: localTime(lang, jurisdiction, view.receivedAt) }))}</p>${due}${erasure}
${outcome(lang, view, options)}
<h2>${escapeHtml(t(lang, 'status.steps'))}</h2><ol class="steps">${stepItems}</ol>
<h2>${escapeHtml(t(lang, 'status.stores'))}</h2>${table}
${final ? '' : `<p><a href="">${escapeHtml(t(lang, 'status.refresh'))}</a></p>`}
</div>
<p class="hint">${escapeHtml(t(lang, 'status.bookmark'))}</p>
${final ? `<p><a href="${escapeHtml(frame.root)}">${escapeHtml(t(lang, 'status.new'))}</a></p>` : ''}`;
  return page(frame, t(lang, 'status.title'), body, STATUS_SCRIPT);
}

/** The page for a status link that opens no request (404). */
export function statusNotFoundPage(frame: PageFrame): string {
  const { lang } = frame;
  const body = `<h1>${escapeHtml(t(lang, 'status.notFound.title'))}</h1><div class="panel problem"><p>${escapeHtml(t(lang, 'status.notFound'))}</p></div>
<p><a href="${escapeHtml(frame.root)}">${escapeHtml(t(lang, 'back.form'))}</a></p>`;
  return page(frame, t(lang, 'status.notFound.title'), body);
}
