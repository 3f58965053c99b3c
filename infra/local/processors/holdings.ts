/**
 * What a simulated processor holds about our customers, and what it does with
 * it when a request arrives: the processor's side of a processor relationship.
 * Held per subject (customer id + email, the identifiers the processor knows us
 * by) and persisted as JSON, so `npm start` keeps it across restarts.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** The two demo processors: a logistics company and a payment gateway. */
export const ProcessorRole = z.enum(['logistics', 'payments']);
export type ProcessorRole = z.infer<typeof ProcessorRole>;

/** One subject's records at one processor. */
export const ProcessorHolding = z.strictObject({
  customerId: z.string().min(1),
  email: z.string().min(3),
  /** Shipments (logistics) or payments (payments); each carries a `marketing` flag. */
  records: z.array(z.record(z.string(), z.unknown())),
});
export type ProcessorHolding = z.infer<typeof ProcessorHolding>;

/**
 * Where the demo processors' records about our customers go: the local processor
 * simulators (in process, or over HTTP from `npm run seed`).
 */
export interface ProcessorSink {
  readonly processors: readonly { readonly id: string; readonly role: ProcessorRole }[];
  plant(processorId: string, holding: ProcessorHolding): void | Promise<void>;
}

const HoldingsFile = z.strictObject({ version: z.literal(1), holdings: z.array(ProcessorHolding) });

/** The legal duty the payment gateway cites when it keeps transaction records after a delete. */
export const PAYMENTS_RETENTION_REASON =
  'Bank Indonesia payment-system record keeping (PBI 22/23/2020): 10 years';

/** Why the logistics processor keeps a shipment after a delete: the parcel is still on its way. */
export const LOGISTICS_RETENTION_REASON =
  'Shipment still in transit: its record is needed to deliver the parcel and is deleted after delivery';

/** Identifiers a request names the subject by (the processor's own identifiers only). */
export type SubjectIdentifiers = Partial<Record<string, readonly string[]>>;

/** The outcome of acting on a request, before it is put into a response or callback. */
export interface ProcessorAction {
  readonly status: 'completed' | 'not_found' | 'retained';
  readonly detail: string;
  readonly retained?: { category?: string; reason: string; until?: string }[];
  readonly records?: Record<string, unknown>[];
}

/** A processor's holdings, in memory, written to `file` after each change (coalesced). */
export class HoldingsBook {
  private readonly bySubject = new Map<string, ProcessorHolding>();
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private failure: unknown;

  constructor(private readonly file: string) {}

  /** Reads the file if it exists; a missing file is an empty book. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const parsed = HoldingsFile.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`partner holdings file ${path.basename(this.file)} is not valid`);
    for (const h of parsed.data.holdings) this.bySubject.set(h.customerId, h);
  }

  /** Adds records for a subject (appended to what is already held for the same customer id). */
  plant(holding: ProcessorHolding): void {
    const h = ProcessorHolding.parse(holding);
    const existing = this.bySubject.get(h.customerId);
    this.bySubject.set(h.customerId, {
      customerId: h.customerId,
      email: h.email.toLowerCase(),
      records: [...(existing?.records ?? []), ...h.records],
    });
    this.schedule();
  }

  /** Everything held now (copies). */
  all(): ProcessorHolding[] {
    return [...this.bySubject.values()].map((h) => structuredClone(h));
  }

  /** The holdings matching any of the subject's customer ids or emails. */
  matching(subject: SubjectIdentifiers): ProcessorHolding[] {
    const ids = new Set(subject.customerId ?? []);
    const emails = new Set((subject.email ?? []).map((e) => e.toLowerCase()));
    return [...this.bySubject.values()].filter((h) => ids.has(h.customerId) || emails.has(h.email));
  }

  /** Acts on a request as the processor of `role` would; changes are persisted. */
  act(role: ProcessorRole, type: string, subject: SubjectIdentifiers, now = new Date()): ProcessorAction {
    const held = this.matching(subject);
    const records = held.flatMap((h) => h.records);
    const noun = role === 'logistics' ? 'shipment' : 'payment';
    if (records.length === 0) return { status: 'not_found', detail: `no ${noun} records for this customer` };
    switch (type) {
      case 'access':
        return {
          status: 'completed',
          detail: `${records.length} ${noun} records`,
          records: structuredClone(records),
        };
      case 'opt_out':
        for (const h of held) for (const r of h.records) r.marketing = false;
        this.schedule();
        return { status: 'completed', detail: `${records.length} ${noun} records: marketing use stopped` };
      case 'delete': {
        if (role === 'payments') {
          // Transaction records must be kept; marketing use of them stops.
          for (const h of held) for (const r of h.records) r.marketing = false;
          this.schedule();
          const until = new Date(now);
          until.setUTCFullYear(until.getUTCFullYear() + 10);
          return {
            status: 'retained',
            detail: `${records.length} payment records kept for the legal retention period; marketing use stopped`,
            retained: [
              {
                category: 'transaction',
                reason: PAYMENTS_RETENTION_REASON,
                until: until.toISOString().slice(0, 10),
              },
            ],
          };
        }
        // A carrier keeps a parcel's shipment record until it is delivered; the rest goes now.
        let kept = 0;
        for (const h of held) {
          const inTransit = h.records.filter((r) => r.status === 'in_transit');
          kept += inTransit.length;
          for (const r of inTransit) r.marketing = false;
          if (inTransit.length === 0) this.bySubject.delete(h.customerId);
          else this.bySubject.set(h.customerId, { ...h, records: inTransit });
        }
        this.schedule();
        const deleted = `${records.length - kept} ${noun} records deleted`;
        if (kept === 0) return { status: 'completed', detail: deleted };
        return {
          status: 'retained',
          detail: `${deleted}; ${kept} kept until delivered`,
          retained: [{ category: 'transaction', reason: LOGISTICS_RETENTION_REASON }],
        };
      }
      default:
        return { status: 'not_found', detail: `request type not handled` };
    }
  }

  /** Waits until every change so far is on disk. */
  async flush(): Promise<void> {
    this.schedule();
    await this.writing;
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
  }

  /** Chains one write after the current one; changes made meanwhile ride along with it. */
  private schedule(): void {
    this.dirty = true;
    this.writing = this.writing
      .then(async () => {
        if (!this.dirty) return;
        this.dirty = false;
        const body = JSON.stringify({ version: 1, holdings: [...this.bySubject.values()] });
        await mkdir(path.dirname(this.file), { recursive: true });
        // Written aside and renamed, so a crash never leaves half a file.
        const temp = `${this.file}.tmp`;
        await writeFile(temp, body, { mode: 0o600 });
        await rename(temp, this.file);
      })
      .catch((error: unknown) => {
        // Kept for flush() to report; the next change tries again.
        this.dirty = true;
        this.failure = error;
      });
  }
}
