/**
 * Counts the AWS SDK calls this process makes while switched on, by service
 * and operation, and DynamoDB's read and write request units as the emulator
 * reports them. It wraps `send` on the SDK's shared client base class, so the
 * functions' own clients (built in their composition root) are counted
 * without a change to them; DynamoDB calls get `ReturnConsumedCapacity: TOTAL`
 * added while metering, which changes only what the answer carries.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type MeteredService = 'dynamodb' | 's3' | 'ses' | 'sfn' | 'secrets' | 'ssm' | 'other';

/** One operation's count. */
export interface OperationCount {
  calls: number;
  /** Calls that failed (conditional check, not found, …); a failed DynamoDB write still costs a unit. */
  failed: number;
  /** DynamoDB only: request units the emulator reported, reads or writes by operation. */
  units: number;
  /** DynamoDB only: calls that reported no units (failed ones): counted as 1 unit each. */
  unreported: number;
  /** SES SendEmail only: recipients. */
  recipients: number;
}

export type Meter = Record<MeteredService, Record<string, OperationCount>>;

/** What one metering counted: every call, and the same calls by the table or bucket they named. */
export interface Metered {
  readonly all: Meter;
  /** Keyed `dynamodb:<table>` or `s3:<bucket>`; calls that name neither are only in `all`. */
  readonly byResource: Record<string, Meter>;
}

const SERVICES: Readonly<Record<string, MeteredService>> = {
  DynamoDBClient: 'dynamodb',
  DynamoDBDocumentClient: 'dynamodb',
  S3Client: 's3',
  SESv2Client: 'ses',
  SFNClient: 'sfn',
  SecretsManagerClient: 'secrets',
  SSMClient: 'ssm',
};

/** DynamoDB operations that bill request units, and which kind. */
export const DYNAMODB_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
export const DYNAMODB_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

const DOCUMENT_OPERATIONS: Readonly<Record<string, string>> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

interface SdkCommand {
  readonly input: Record<string, unknown>;
}
type Send = (this: object, command: SdkCommand, ...rest: unknown[]) => unknown;

const emptyMeter = (): Meter => ({ dynamodb: {}, s3: {}, ses: {}, sfn: {}, secrets: {}, ssm: {}, other: {} });

let current: Metered | undefined;
let installed = false;

/** Capacity units in a DynamoDB answer (one object, or one per table for batches). */
function unitsIn(output: unknown): number | undefined {
  const consumed = (output as { ConsumedCapacity?: unknown } | undefined)?.ConsumedCapacity;
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  if (list.length === 0) return undefined;
  return list.reduce((sum: number, c: { CapacityUnits?: number }) => sum + (c.CapacityUnits ?? 0), 0);
}

/** The one table or bucket a call names (a batch over several tables names none). */
function resourceOf(service: MeteredService, input: Record<string, unknown>): string | undefined {
  if (service === 's3' && typeof input.Bucket === 'string') return `s3:${input.Bucket}`;
  if (service !== 'dynamodb') return undefined;
  if (typeof input.TableName === 'string') return `dynamodb:${input.TableName}`;
  const tables = Object.keys((input.RequestItems ?? {}) as object);
  return tables.length === 1 ? `dynamodb:${tables[0]}` : undefined;
}

const emptyCount = (): OperationCount => ({ calls: 0, failed: 0, units: 0, unreported: 0, recipients: 0 });

function recipientsOf(input: Record<string, unknown>): number {
  const d = input.Destination as Record<string, unknown[] | undefined> | undefined;
  return (d?.ToAddresses?.length ?? 0) + (d?.CcAddresses?.length ?? 0) + (d?.BccAddresses?.length ?? 0);
}

/** Wraps the SDK clients' shared `send` once per process; it counts only between {@link startMetering} and its stop. */
function install(): void {
  if (installed) return;
  installed = true;
  const base = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: Send };
  const original = base.send;
  base.send = function (this: object, command: SdkCommand, ...rest: unknown[]) {
    const metered = current;
    if (!metered) return original.call(this, command, ...rest);
    const service = SERVICES[this.constructor.name] ?? 'other';
    const name = command.constructor.name.replace(/Command$/, '');
    // The document client's commands are named Get, Put, …: count them as the operations they send.
    const operation = service === 'dynamodb' ? (DOCUMENT_OPERATIONS[name] ?? name) : name;
    const resource = resourceOf(service, command.input);
    const meters = [metered.all];
    if (resource) {
      metered.byResource[resource] ??= emptyMeter();
      meters.push(metered.byResource[resource]);
    }
    const counts = meters.map((m) => {
      m[service][operation] ??= emptyCount();
      return m[service][operation];
    });
    const billed = DYNAMODB_READS.has(operation) || DYNAMODB_WRITES.has(operation);
    if (service === 'dynamodb' && billed && command.input.ReturnConsumedCapacity === undefined) {
      command.input.ReturnConsumedCapacity = 'TOTAL';
    }
    const recipients = service === 'ses' && operation === 'SendEmail' ? recipientsOf(command.input) : 0;
    for (const count of counts) {
      count.calls += 1;
      count.recipients += recipients;
    }
    const result = original.call(this, command, ...rest);
    if (result instanceof Promise) {
      result.then(
        (output: unknown) => {
          if (service !== 'dynamodb' || !billed) return;
          const units = unitsIn(output);
          for (const count of counts) {
            if (units === undefined) count.unreported += 1;
            else count.units += units;
          }
        },
        () => {
          for (const count of counts) {
            count.failed += 1;
            if (service === 'dynamodb' && billed) count.unreported += 1;
          }
        },
      );
    }
    return result;
  };
}

/** Starts counting into a fresh meter; the returned function stops and hands it over. */
export function startMetering(): () => Metered {
  install();
  const metered: Metered = { all: emptyMeter(), byResource: {} };
  current = metered;
  return () => {
    if (current === metered) current = undefined;
    return metered;
  };
}

function add(into: OperationCount, c: OperationCount): void {
  into.calls += c.calls;
  into.failed += c.failed;
  into.units += c.units;
  into.unreported += c.unreported;
  into.recipients += c.recipients;
}

/** The sum of several meters (e.g. every store's table and bucket). */
export function merged(meters: readonly Meter[]): Meter {
  const sum = emptyMeter();
  for (const meter of meters) {
    for (const [service, counts] of Object.entries(meter) as [
      MeteredService,
      Record<string, OperationCount>,
    ][]) {
      for (const [operation, c] of Object.entries(counts)) {
        sum[service][operation] ??= emptyCount();
        add(sum[service][operation], c);
      }
    }
  }
  return sum;
}

/** Sums one service's counts over its operations (optionally only those `keep` accepts). */
export function total(
  counts: Record<string, OperationCount>,
  keep: (operation: string) => boolean = () => true,
): OperationCount {
  const sum = emptyCount();
  for (const [operation, c] of Object.entries(counts)) {
    if (keep(operation)) add(sum, c);
  }
  return sum;
}
