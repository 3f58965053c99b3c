/**
 * What happens once a processor acknowledged a request, whether it said so in
 * its webhook answer or later through the callback: the evidence, an access
 * request's records in the export, and the waiting workflow task resumed.
 */

import { auditProcessor } from '../audit/events';
import { type StoreExportResult, writeStoreExport } from '../export/store-export';
import type { ProcessorAck } from '../ledger-record';
import type { AuditTrail, Clock, ExportedRecord, Ledger, ObjectStore, WorkflowControl } from '../ports';
import type { RequestType } from '../request';
import { isGoneTask } from '../workflow-task';
import type { ProcessorCallback, ProcessorResponse } from './protocol';

/** The ledger operations processor notices use. */
export type ProcessorLedger = Pick<
  Ledger,
  | 'require'
  | 'get'
  | 'setStoreProgress'
  | 'beginProcessorNotice'
  | 'recordProcessorAttempt'
  | 'markProcessorAwaiting'
  | 'recordProcessorAck'
>;

/** What acknowledging a processor needs, shared by the webhook answer and the callback. */
export interface AckPorts {
  readonly ledger: ProcessorLedger;
  /** A processor's records (access) become the export file `stores/<processorId>.json`. */
  readonly exports: ObjectStore;
  /** Resumes (or fails) the waiting NotifyProcessor task; a task that is gone is no error here. */
  readonly workflow: Pick<WorkflowControl, 'succeed' | 'fail'>;
  readonly clock: Clock;
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
}

/** The workflow output of an acknowledged processor: an export file (access) or the ack's gist. */
export type ProcessorTaskOutput =
  | StoreExportResult
  | {
      readonly storeId: string;
      readonly processor: { readonly status: ProcessorAck['status']; readonly reference: string };
    };

/** Records written to the export per page, so a large answer never becomes one huge write. */
const EXPORT_PAGE = 500;

/** The ledger's acknowledgement from a webhook answer or a callback body (records as a count only). */
export function toProcessorAck(
  body: ProcessorResponse | ProcessorCallback,
  via: ProcessorAck['via'],
  at: Date,
): ProcessorAck {
  if (body.status === 'accepted') throw new Error('an accepted answer is not an acknowledgement');
  return {
    at: at.toISOString(),
    via,
    status: body.status,
    reference: body.reference,
    ...(body.detail !== undefined ? { detail: body.detail } : {}),
    ...(body.retained !== undefined ? { retained: body.retained } : {}),
    ...(body.records !== undefined ? { records: body.records.length } : {}),
  };
}

async function* pagesOf(
  records: readonly Record<string, unknown>[],
  processorId: string,
  reference: string,
): AsyncIterable<readonly ExportedRecord[]> {
  for (let start = 0; start < records.length; start += EXPORT_PAGE) {
    yield records
      .slice(start, start + EXPORT_PAGE)
      .map((data) => ({ ref: { kind: 'processor', processorId, reference }, data }));
  }
}

/**
 * After an acknowledgement was recorded: an access request's processor records
 * go to the export (also none, so the package lists the processor), the store's
 * progress is recorded, and the waiting task is resumed. A `failed` status
 * fails the task as `ProcessorRejected`, so support is told. A gone task is fine.
 */
export async function settleAcknowledgement(
  ports: AckPorts,
  args: {
    readonly requestId: string;
    readonly type: RequestType;
    readonly processorId: string;
    readonly ack: ProcessorAck;
    readonly records: readonly Record<string, unknown>[] | undefined;
    readonly taskToken: string | undefined;
  },
): Promise<ProcessorTaskOutput> {
  const { requestId, processorId, ack } = args;
  let output: ProcessorTaskOutput = {
    storeId: processorId,
    processor: { status: ack.status, reference: ack.reference },
  };
  let records = ack.records;
  if (args.type === 'access' && ack.status !== 'failed') {
    const file = await writeStoreExport(ports, {
      requestId,
      storeId: processorId,
      records: pagesOf(args.records ?? [], processorId, ack.reference),
    });
    output = file;
    records = file.records;
  }
  if (ack.status !== 'failed') {
    await ports.ledger.setStoreProgress(
      requestId,
      processorId,
      { status: 'completed', ...(records !== undefined ? { records } : {}) },
      ports.clock(),
    );
  }
  await auditProcessor(ports.auditTrail, requestId, processorId, 'processor_acknowledged', {
    status: ack.status,
    via: ack.via,
    ...(records !== undefined ? { records } : {}),
  });
  if (args.taskToken) {
    try {
      if (ack.status === 'failed') {
        await ports.workflow.fail(
          args.taskToken,
          'ProcessorRejected',
          `partner ${processorId} reported that it could not carry out the request`,
        );
      } else {
        await ports.workflow.succeed(args.taskToken, output);
      }
    } catch (error) {
      if (!isGoneTask(error)) throw error;
    }
  }
  return output;
}
