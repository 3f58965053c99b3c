/**
 * The certificate of erasure: per store what was found, deleted, masked,
 * retained (with legal basis and retention end) and held (with the reason the
 * subject is told), and the result of the re-query; then per processor
 * (processor) when it was told and how it answered, or that it was escalated to
 * support. It names the subject only by the ledger's keyed hash.
 */
import { type DataMap, type DataStore, isDataStore } from '../data-map';
import { escapeHtml } from '../export/index-page';
import { certificateHtmlKey, certificateJsonKey, safeRequestId } from '../export/keys';
import { type ProcessorCallStatus, processorCallStatus, processorCallsOf } from '../export/processor-calls';
import type { LedgerRecord, ProcessorAck, ProcessorEscalation, RetentionEntry } from '../ledger-record';
import type { ObjectStore } from '../ports';
import { type ErasureCounts, ErasureIncompleteError } from './decisions';
import { type ErasureSummary, readSummary } from './manifest';

export interface CertificateStore {
  readonly storeId: string;
  readonly description: string;
  readonly found: number;
  readonly deleted: number;
  readonly masked: number;
  readonly retained: {
    readonly records: number;
    readonly entries: readonly { legalBasis: string; retainedUntil: string; records: number }[];
  };
  readonly held: {
    readonly records: number;
    readonly holds: readonly {
      reason: string;
      description: { readonly en: string; readonly id: string };
      records: number;
    }[];
  };
  /** Every lookup of the store ran again after erasure and found only what the decisions keep. */
  readonly verification: { readonly method: 're-query'; readonly passed: boolean };
}

/** One processor (processor) told about the erasure, from the request's evidence; references are the processor's own. */
export interface CertificateProcessor {
  readonly processorId: string;
  readonly name: string;
  readonly notifiedAt: string;
  /** The processor's deadline to acknowledge. */
  readonly deadline: string;
  /** Deliveries tried (retries included). */
  readonly attempts: number;
  readonly status: ProcessorCallStatus;
  readonly ack?: Pick<ProcessorAck, 'at' | 'via' | 'status' | 'reference' | 'detail' | 'retained' | 'late'>;
  readonly escalation?: Pick<ProcessorEscalation, 'at' | 'reason'>;
}

export interface Certificate {
  readonly version: 1;
  readonly type: 'certificate-of-erasure';
  readonly organisation: string;
  readonly requestId: string;
  /** keyedHash('subject', email lookup form): the only reference to the person. */
  readonly subjectHash: string;
  readonly receivedAt: string;
  readonly verifiedAt?: string;
  readonly erasureStartedAt?: string;
  /** Every store erased and verified; the certificate is issued at that moment. */
  readonly erasureCompletedAt: string;
  readonly issuedAt: string;
  readonly totals: ErasureCounts;
  readonly stores: readonly CertificateStore[];
  /** Every processor the request was sent to, acknowledged or escalated; empty when none. */
  readonly processors: readonly CertificateProcessor[];
  /**
   * Stores that failed for good and were not erased (the request completed
   * with exceptions, by support or at the deadline): never silent. Empty when none.
   */
  readonly notErased: readonly NotErasedStore[];
}

/** A store the erasure could not reach: its error class and the reason support reads; the decision's reason. */
export interface NotErasedStore {
  readonly storeId: string;
  readonly description: string;
  readonly error: string;
  readonly reason: string;
}

export interface CertificateStorage {
  /** The exports bucket: the stores' erasure summaries. */
  readonly exports: ObjectStore;
  /** The audit bucket: the certificate. */
  readonly audit: ObjectStore;
}

const lastAt = (record: LedgerRecord, status: LedgerRecord['status']) =>
  record.history.filter((h) => h.status === status).at(-1)?.at;

/** The data stores (never processors) the request planned, in data-map order. */
export function plannedDataStores(record: LedgerRecord, dataMap: DataMap): DataStore[] {
  const planned = new Set(Object.keys(record.stores ?? {}));
  return dataMap.stores.filter(isDataStore).filter((s) => planned.has(s.id));
}

/** The request's processor evidence as the certificate shows it: no task tokens, attempts as a count. */
export function certificateProcessors(record: LedgerRecord, dataMap: DataMap): CertificateProcessor[] {
  return processorCallsOf(record, dataMap).map((p): CertificateProcessor => {
    const { ack, escalation } = p;
    return {
      processorId: p.processorId,
      name: p.name,
      notifiedAt: p.notifiedAt,
      deadline: p.deadline,
      attempts: p.attempts.length,
      status: processorCallStatus(p),
      ...(ack
        ? {
            ack: {
              at: ack.at,
              via: ack.via,
              status: ack.status,
              reference: ack.reference,
              ...(ack.detail !== undefined ? { detail: ack.detail } : {}),
              ...(ack.retained && ack.retained.length > 0 ? { retained: ack.retained } : {}),
              ...(ack.late ? { late: ack.late } : {}),
            },
          }
        : {}),
      ...(escalation ? { escalation: { at: escalation.at, reason: escalation.reason } } : {}),
    };
  });
}

/**
 * Builds the certificate from the ledger entry, each planned data store's
 * erasure summary and the processor evidence. Refuses (ErasureIncomplete) while
 * any data store is not erased and verified: a certificate must never claim
 * more than was proven. Processors do not block it: one that did not answer in
 * time is listed as escalated to support.
 */
export function buildCertificate(args: {
  readonly record: LedgerRecord;
  readonly dataMap: DataMap;
  readonly summaries: ReadonlyMap<string, ErasureSummary>;
  readonly issuedAt: Date;
}): Certificate {
  const { record, dataMap, summaries } = args;
  const totals = { found: 0, deleted: 0, masked: 0, retained: 0, held: 0 };
  // Completed with exceptions: these stores are listed as not erased instead of blocking the certificate.
  const excepted = new Map((record.exceptions?.stores ?? []).map((s) => [s.storeId, s]));
  const notErased = dataMap.stores
    .filter((store) => excepted.has(store.id))
    .map((store): NotErasedStore => {
      const failed = excepted.get(store.id) as NonNullable<ReturnType<typeof excepted.get>>;
      return {
        storeId: store.id,
        description: store.description,
        error: failed.error,
        reason: failed.reason,
      };
    });
  const erased = plannedDataStores(record, dataMap).filter((store) => !excepted.has(store.id));
  const stores = erased.map((store): CertificateStore => {
    const summary = summaries.get(store.id);
    const progress = record.stores?.[store.id];
    if (!summary || progress?.status !== 'completed' || progress.verified !== true) {
      throw new ErasureIncompleteError(`store ${store.id} is not erased and verified yet`);
    }
    const { counts } = summary;
    for (const k of Object.keys(totals) as (keyof ErasureCounts)[]) totals[k] += counts[k];
    const described = new Map(store.erasure.holds.map((h) => [h.reason, h.description]));
    return {
      storeId: store.id,
      description: store.description,
      found: counts.found,
      deleted: counts.deleted,
      masked: counts.masked,
      retained: { records: counts.retained, entries: summary.retention },
      held: {
        records: counts.held,
        holds: summary.holds.map((h) => ({
          reason: h.reason,
          description: described.get(h.reason) ?? { en: h.reason, id: h.reason },
          records: h.records,
        })),
      },
      verification: { method: 're-query', passed: true },
    };
  });
  const issuedAt = args.issuedAt.toISOString();
  const verifiedAt = lastAt(record, 'verified');
  const erasureStartedAt = lastAt(record, 'in_progress');
  return {
    version: 1,
    type: 'certificate-of-erasure',
    organisation: dataMap.organisation,
    requestId: record.requestId,
    subjectHash: record.subjectHash,
    receivedAt: record.receivedAt,
    ...(verifiedAt ? { verifiedAt } : {}),
    ...(erasureStartedAt ? { erasureStartedAt } : {}),
    erasureCompletedAt: issuedAt,
    issuedAt,
    totals,
    stores,
    processors: certificateProcessors(record, dataMap),
    notErased,
  };
}

/**
 * What the ledger keeps for retained records after the request is minimised:
 * pseudonymous identities only (e.g. customerId, never email or phone) and the
 * retention entries. Undefined when nothing is retained.
 */
export function retentionOf(
  record: LedgerRecord,
  certificate: Certificate,
): LedgerRecord['retention'] | undefined {
  const entries: RetentionEntry[] = certificate.stores.flatMap((s) =>
    s.retained.entries.map((e) => ({ storeId: s.storeId, ...e })),
  );
  // Held records stay too, so later requests must still find them.
  const held = certificate.stores.some((s) => s.held.records > 0);
  if (entries.length === 0 && !held) return undefined;
  const { email: _email, phone: _phone, ...pseudonymous } = record.identities ?? {};
  // ISO dates sort as text; the latest end is when the last retained record may go.
  const until = entries
    .map((e) => e.retainedUntil)
    .sort()
    .at(-1);
  return { identities: pseudonymous, entries, ...(until ? { until } : {}) };
}

const e = escapeHtml;
const date = (iso: string | undefined) => (iso ? e(iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')) : '—');

function storeRows(store: CertificateStore): string {
  const retained = store.retained.entries
    .map(
      (r) =>
        `<li>${r.records} — ${e(r.legalBasis)}; until / <span lang="id">sampai</span> ${e(r.retainedUntil)}</li>`,
    )
    .join('');
  const held = store.held.holds
    .map(
      (h) =>
        `<li>${h.records} — <code>${e(h.reason)}</code>: ${e(h.description.en)} / <span lang="id">${e(h.description.id)}</span></li>`,
    )
    .join('');
  return `
    <section>
      <h2>${e(store.description)} <small>(<code>${e(store.storeId)}</code>)</small></h2>
      <table>
        <tr><th>Found / <span lang="id">Ditemukan</span></th><td>${store.found}</td></tr>
        <tr><th>Deleted / <span lang="id">Dihapus</span></th><td>${store.deleted}</td></tr>
        <tr><th>Pseudonymised (masked) / <span lang="id">Dipseudonimkan (disamarkan)</span></th><td>${store.masked}</td></tr>
        <tr><th>Retained / <span lang="id">Disimpan</span></th><td>${store.retained.records}${retained ? `<ul>${retained}</ul>` : ''}</td></tr>
        <tr><th>Held / <span lang="id">Ditahan</span></th><td>${store.held.records}${held ? `<ul>${held}</ul>` : ''}</td></tr>
        <tr><th>Re-query / <span lang="id">Pemeriksaan ulang</span></th><td>${store.verification.passed ? 'passed / <span lang="id">lulus</span>' : 'FAILED / <span lang="id">GAGAL</span>'}</td></tr>
      </table>
    </section>`;
}

const ACK_TEXT: Record<ProcessorAck['status'], [string, string]> = {
  completed: ['completed: erased what it held', 'selesai: menghapus data yang disimpannya'],
  not_found: ['held no data about the subject', 'tidak menyimpan data subjek'],
  retained: ['completed, keeping records the law requires', 'selesai, menyimpan data yang diwajibkan hukum'],
  failed: ['could not carry out the request', 'tidak dapat menjalankan permintaan'],
};

const ESCALATION_TEXT: Record<ProcessorEscalation['reason'], [string, string]> = {
  deadline_passed: ['no answer by its deadline', 'tidak menjawab sebelum tenggat'],
  processor_unavailable: ['could not be reached', 'tidak dapat dihubungi'],
  processor_rejected: ['refused the request', 'menolak permintaan'],
  invalid_response: ['answered with an invalid response', 'menjawab dengan respons yang tidak sah'],
};

const both = ([en, id]: readonly [string, string]) => `${e(en)} / <span lang="id">${e(id)}</span>`;

function processorRows(processor: CertificateProcessor): string {
  const { ack, escalation } = processor;
  const retained = (ack?.retained ?? [])
    .map(
      (r) =>
        `<li>${r.category ? `${e(r.category)}: ` : ''}${e(r.reason)}${r.until ? `; until / <span lang="id">sampai</span> ${e(r.until)}` : ''}</li>`,
    )
    .join('');
  const answer = ack
    ? `${both(ACK_TEXT[ack.status])}<br>${date(ack.at)}, via ${ack.via === 'callback' ? 'callback' : 'response / <span lang="id">respons</span>'}${ack.late ? ' (after the escalation / <span lang="id">setelah eskalasi</span>)' : ''}${ack.detail ? `<br>${e(ack.detail)}` : ''}${retained ? `<ul>${retained}</ul>` : ''}`
    : processor.status === 'escalated'
      ? 'Not acknowledged; our support team is following up / <span lang="id">Belum dikonfirmasi; tim dukungan kami menindaklanjuti</span>'
      : 'Awaiting acknowledgement / <span lang="id">Menunggu konfirmasi</span>';
  const escalated = escalation
    ? `<tr><th>Escalated / <span lang="id">Dieskalasi</span></th><td>${date(escalation.at)}: ${both(ESCALATION_TEXT[escalation.reason])}</td></tr>`
    : '';
  return `
    <section class="partner" id="partner-${e(processor.processorId)}">
      <h3>${e(processor.name)} <small>(<code>${e(processor.processorId)}</code>)</small></h3>
      <table>
        <tr><th>Told / <span lang="id">Diberi tahu</span></th><td>${date(processor.notifiedAt)}</td></tr>
        <tr><th>Deadline / <span lang="id">Tenggat</span></th><td>${date(processor.deadline)}</td></tr>
        <tr><th>Deliveries / <span lang="id">Pengiriman</span></th><td>${processor.attempts}</td></tr>
        <tr><th>Answer / <span lang="id">Jawaban</span></th><td>${answer}</td></tr>
        ${ack ? `<tr><th>Partner reference / <span lang="id">Referensi mitra</span></th><td><code>${e(ack.reference)}</code></td></tr>` : ''}
        ${escalated}
      </table>
    </section>`;
}

function processorsSection(processors: readonly CertificateProcessor[]): string {
  if (processors.length === 0) return '';
  return `
  <section id="partners">
    <h2>Partners told / <span lang="id">Mitra yang diberi tahu</span></h2>
    <p>Every partner that processes this data for us was told to erase it, and its answer is kept as evidence.</p>
    <p lang="id">Setiap mitra yang memproses data ini untuk kami diminta menghapusnya, dan jawabannya disimpan sebagai bukti.</p>
    ${processors.map(processorRows).join('\n')}
  </section>`;
}

/** Stores the erasure could not reach: listed, never left out. */
function notErasedSection(stores: readonly NotErasedStore[]): string {
  if (stores.length === 0) return '';
  const rows = stores
    .map(
      (s) =>
        `<tr><th>${e(s.description)} (<code>${e(s.storeId)}</code>)</th><td>${e(s.error)}: ${e(s.reason)}</td></tr>`,
    )
    .join('\n');
  return `<section>
    <h2>Not erased / <span lang="id">Tidak dihapus</span></h2>
    <p>These stores could not be erased; the request was completed without them and you were told why.</p>
    <p lang="id">Penyimpanan berikut tidak dapat dihapus; permintaan diselesaikan tanpanya dan Anda telah diberi tahu alasannya.</p>
    <table>${rows}</table>
  </section>`;
}

/** The certificate as a readable, self-contained bilingual (EN/ID) HTML page. */
export function renderCertificateHtml(certificate: Certificate): string {
  const c = certificate;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Certificate of erasure / Sertifikat penghapusan — ${e(c.requestId)}</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #ddd; }
    th { width: 16rem; }
    code { word-break: break-all; }
    [lang="id"] { color: #555; }
  </style>
</head>
<body>
  <h1>Certificate of erasure <span lang="id">/ Sertifikat penghapusan data</span></h1>
  <p>${e(c.organisation)} erased the personal data of the data subject below as the data map requires, kept only what the law requires or a hold blocks, and proved the result by running every lookup again.</p>
  <p lang="id">${e(c.organisation)} telah menghapus data pribadi subjek data di bawah ini sesuai peta data, hanya menyimpan yang diwajibkan hukum atau yang ditahan, dan membuktikan hasilnya dengan menjalankan ulang setiap pencarian.</p>
  <table>
    <tr><th>Request / <span lang="id">Permintaan</span></th><td><code>${e(c.requestId)}</code></td></tr>
    <tr><th>Subject (keyed hash) / <span lang="id">Subjek (hash berkunci)</span></th><td><code>${e(c.subjectHash)}</code></td></tr>
    <tr><th>Received / <span lang="id">Diterima</span></th><td>${date(c.receivedAt)}</td></tr>
    <tr><th>Identity verified / <span lang="id">Identitas diverifikasi</span></th><td>${date(c.verifiedAt)}</td></tr>
    <tr><th>Erasure started / <span lang="id">Penghapusan dimulai</span></th><td>${date(c.erasureStartedAt)}</td></tr>
    <tr><th>Erasure completed / <span lang="id">Penghapusan selesai</span></th><td>${date(c.erasureCompletedAt)}</td></tr>
    <tr><th>Records found / <span lang="id">Catatan ditemukan</span></th><td>${c.totals.found}: ${c.totals.deleted} deleted / <span lang="id">dihapus</span>, ${c.totals.masked} pseudonymised / <span lang="id">dipseudonimkan</span>, ${c.totals.retained} retained / <span lang="id">disimpan</span>, ${c.totals.held} held / <span lang="id">ditahan</span></td></tr>
  </table>
  ${c.stores.map(storeRows).join('\n')}
  ${processorsSection(c.processors)}
  ${notErasedSection(c.notErased ?? [])}
  <p><small>Issued / <span lang="id">Diterbitkan</span> ${date(c.issuedAt)}</small></p>
</body>
</html>
`;
}

/**
 * Reads every planned store's summary, builds the certificate and writes it as
 * `certificates/<requestId>/certificate.json` and `.html` to the audit bucket
 * (Object Lock in AWS; overwriting on a retry adds a version, never removes one).
 */
export async function issueCertificate(
  deps: CertificateStorage,
  args: { readonly record: LedgerRecord; readonly dataMap: DataMap; readonly issuedAt: Date },
): Promise<{ certificate: Certificate; jsonKey: string; htmlKey: string }> {
  const requestId = safeRequestId(args.record.requestId);
  const summaries = new Map<string, ErasureSummary>();
  // Processors have no erasure summary: their evidence is in the ledger entry.
  for (const store of plannedDataStores(args.record, args.dataMap)) {
    const summary = await readSummary(deps.exports, requestId, store.id);
    if (summary) summaries.set(store.id, summary);
  }
  const certificate = buildCertificate({ ...args, summaries });
  const jsonKey = certificateJsonKey(requestId);
  const htmlKey = certificateHtmlKey(requestId);
  // A checksum is what S3 Object Lock requires of every write.
  const put = (key: string, body: string, contentType: string) =>
    deps.audit.put(key, body, { contentType, checksum: true });
  await put(jsonKey, `${JSON.stringify(certificate, null, 2)}\n`, 'application/json; charset=utf-8');
  await put(htmlKey, renderCertificateHtml(certificate), 'text/html; charset=utf-8');
  return { certificate, jsonKey, htmlKey };
}
