/**
 * The access package's processing record (UU PDP Art. 32, "rekam jejak
 * pemrosesan"): who the controller is, what each store and processor does with
 * the person's data and why, what went abroad, and the person's own history.
 */
import type { HistoryLine } from '../audit/trail';
import {
  type DataCategory,
  type DataMap,
  type DataSource,
  isProcessor,
  type LegalBasis,
  type Purpose,
  type Retention,
} from '../data-map';
import type {
  ProcessorAck,
  ProcessorAttempt,
  ProcessorEscalation,
  ProcessorEvidence,
} from '../ledger-record';
import type { RequestType } from '../request';

/** What one store or processor of the data map does with the data, and how many of the person's records it held here. */
export interface ProcessingRecordStore {
  readonly storeId: string;
  readonly description: string;
  readonly categories: readonly DataCategory[];
  readonly purposes: readonly Purpose[];
  readonly legalBasis: LegalBasis;
  readonly retention: Retention;
  readonly source: DataSource;
  readonly recipients: readonly string[];
  /** The person's records from this store in this export (0 when it held none, or sent none). */
  readonly records: number;
}

/** This request's call to a processor, as the ledger recorded it (never its task token). */
export interface ProcessorCallRecord {
  readonly type: RequestType;
  readonly notifiedAt: string;
  readonly attempts: readonly ProcessorAttempt[];
  readonly ack?: ProcessorAck;
  readonly escalation?: ProcessorEscalation;
}

export interface ProcessingRecordProcessor {
  readonly id: string;
  readonly name: string;
  readonly country: string;
  readonly purposes: readonly Purpose[];
  readonly calls: readonly ProcessorCallRecord[];
}

/** A processor outside Indonesia (UU PDP Art. 56) and how the transfer is protected. */
export interface ProcessingRecordTransfer {
  readonly processor: string;
  readonly country: string;
  readonly safeguard: string;
}

/** processing-record.json. */
export interface ProcessingRecord {
  readonly controller: { readonly name: string; readonly contact: string };
  readonly stores: readonly ProcessingRecordStore[];
  readonly processors: readonly ProcessingRecordProcessor[];
  readonly transfers: readonly ProcessingRecordTransfer[];
  /** The person's request and what was done, from its audit chain (each line with its chain hash). */
  readonly history: readonly HistoryLine[];
}

const callRecord = (c: ProcessorEvidence): ProcessorCallRecord => ({
  type: c.type,
  notifiedAt: c.notifiedAt,
  attempts: c.attempts,
  ...(c.ack ? { ack: c.ack } : {}),
  ...(c.escalation ? { escalation: c.escalation } : {}),
});

/**
 * The processing record of one access package, in data-map order: every store
 * and processor (a processor's `records` are what it sent for this request),
 * the processors with this request's calls, transfers abroad, and the history.
 */
export function buildProcessingRecord(args: {
  readonly dataMap: Pick<DataMap, 'organisation' | 'contact' | 'stores'>;
  /** Records per store id in this export. */
  readonly records: ReadonlyMap<string, number>;
  readonly calls: readonly ProcessorEvidence[];
  readonly history: readonly HistoryLine[];
}): ProcessingRecord {
  const { dataMap } = args;
  const processors = dataMap.stores.filter(isProcessor);
  return {
    controller: { name: dataMap.organisation, contact: dataMap.contact },
    stores: dataMap.stores.map((s) => ({
      storeId: s.id,
      description: s.description,
      categories: s.categories,
      purposes: s.purposes,
      legalBasis: s.legalBasis,
      retention: s.retention,
      source: s.source,
      recipients: s.recipients,
      records: args.records.get(s.id) ?? 0,
    })),
    processors: processors.map((p) => ({
      id: p.id,
      name: p.name,
      country: p.country,
      purposes: p.purposes,
      calls: args.calls.filter((c) => c.processorId === p.id).map(callRecord),
    })),
    transfers: processors
      .filter((p) => p.country !== 'ID')
      // The schema requires a safeguard outside Indonesia; the fallback only guards a map built without it.
      .map((p) => ({ processor: p.id, country: p.country, safeguard: p.transferSafeguard ?? 'not stated' })),
    history: args.history,
  };
}
