/**
 * `npm run support -- list|show|retry|complete|fail|extend|cancel|lift|due|audit ...`
 * Support actions against the system `npm start` is running: the SupportAction
 * handler itself (the one the DSR-* SSM documents invoke in AWS), in this process. With `--json` the last
 * stdout line is JSON. Unknown id, an action the status does not allow, or a
 * missing reason: one line on stderr, exit code 2, nothing changed.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoAuditTrail } from '../../functions/aws/audit-trail';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { readChain } from '../../functions/core/audit/trail';
import { ExtensionRefusedError } from '../../functions/core/clocks';
import { SupportRefusal } from '../../functions/core/support/refusal';
import { connectToRunningSystem, LOCAL_ENV, UsageError } from './running-system';
import { AUDIT_BUCKET_NAME, AUDIT_TABLE_NAME, FUNCTION_ENVIRONMENT_FILE } from './system';

/** `--due-within 24h` (or `24`): hours, a positive whole number. */
function hoursOf(text: string): number {
  const match = /^(\d{1,5})h?$/.exec(text);
  if (!match || Number(match[1]) === 0)
    throw new SupportRefusal('invalid_input', `--due-within takes hours, like 24h (got ${text})`);
  return Number(match[1]);
}

/** The SupportAction handler, in this process, with the environment `npm start` gave its functions. */
async function supportAction(dir: string): Promise<(event: unknown) => Promise<unknown>> {
  const file = path.join(dir, FUNCTION_ENVIRONMENT_FILE);
  const environment = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`no ${file}: start the local system first with npm start`);
  });
  Object.assign(process.env, JSON.parse(environment) as Record<string, string>);
  // Stdout is the command's answer (its last line JSON with --json); a refusal is reported on stderr below.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  return (await import('../../functions/support/support-action')).handler;
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      reason: { type: 'string' },
      actor: { type: 'string' },
      status: { type: 'string' },
      'due-within': { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [command, requestId] = positionals;
  const dir = process.env[LOCAL_ENV.dir] ?? '.local';
  const out = (line: unknown) =>
    process.stdout.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
  if (command === 'audit') {
    if (!requestId) throw new SupportRefusal('invalid_input', 'audit needs a REQUEST_ID');
    process.exitCode = await printAudit(dir, requestId, values.json === true, out);
    return;
  }
  if (!command || !ACTIONS.has(command))
    throw new SupportRefusal('invalid_input', `unknown command ${command ?? '(none)'}`);
  if (!requestId && !['list', 'due'].includes(command))
    throw new SupportRefusal('invalid_input', `${command} needs a REQUEST_ID`);
  const handler = await supportAction(dir);
  const result = await handler({
    action: command,
    ...(requestId ? { requestId } : {}),
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
    ...(values.status ? { status: values.status } : {}),
    ...(values['due-within'] ? { dueWithinHours: hoursOf(values['due-within']) } : {}),
    actor: values.actor ?? userInfo().username,
  });
  if (values.json) out(result);
  else for (const line of humanLines(command, result)) out(line);
}

const ACTIONS = new Set(['list', 'due', 'show', 'retry', 'complete', 'fail', 'extend', 'cancel', 'lift']);

interface Listed {
  readonly requestId: string;
  readonly type: string;
  readonly status: string;
  readonly dueAt: string;
  readonly standing?: { readonly text: string };
}

/** The answer for a person at a terminal: one line per request. */
function humanLines(command: string, result: unknown): string[] {
  const line = (r: Listed) => `${r.requestId} ${r.type} ${r.status} ${r.standing?.text ?? `due ${r.dueAt}`}`;
  if (command === 'list') return (result as Listed[]).map(line);
  if (command === 'due') {
    const due = result as { overdue: Listed[]; dueSoon: Listed[] };
    return [...due.overdue, ...due.dueSoon].map(line);
  }
  return [JSON.stringify(result)];
}

/** Prints the chain and its verdict; the exit code: 0 intact, 3 broken. */
async function printAudit(
  dir: string,
  requestId: string,
  json: boolean,
  out: (line: unknown) => void,
): Promise<number> {
  const system = await connectToRunningSystem(dir);
  try {
    const report = await readChain(
      {
        audit: new DynamoAuditTrail(system.clients.dynamodb, AUDIT_TABLE_NAME),
        objects: new S3ObjectStore(system.clients.s3, AUDIT_BUCKET_NAME),
      },
      requestId,
    );
    if (report.entries.length === 0)
      throw new SupportRefusal('unknown_request', `no audit chain for ${requestId}`);
    if (json) out(report);
    else {
      for (const e of report.entries) out(`${e.sequence} ${e.at} ${e.kind} ${e.hash.slice(0, 12)}`);
      out(report.verdict.intact ? 'chain intact' : `chain broken: ${JSON.stringify(report.verdict)}`);
    }
    return report.verdict.intact ? 0 : 3;
  } finally {
    system.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage =
    error instanceof SupportRefusal ||
    error instanceof UsageError ||
    error instanceof ExtensionRefusedError ||
    (typeof (error as { code?: unknown })?.code === 'string' &&
      (error as { code: string }).code.startsWith('ERR_PARSE_ARGS'));
  process.stderr.write(`support: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = usage ? 2 : 1;
});
