/**
 * `npm run support -- list|show|retry|complete|fail|extend|cancel|due|audit ...`
 * Support actions against the system `npm start` is running, through the same
 * core use cases the SupportAction function runs in AWS. With `--json` the last
 * stdout line is JSON. Unknown id, an action the status does not allow, or a
 * missing reason: one line on stderr, exit code 2, nothing changed.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoAuditTrail } from '../../functions/aws/audit-trail';
import { LedgerTable } from '../../functions/aws/ledger';
import { SesMailer } from '../../functions/aws/mailer';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { StepFunctionsWorkflow } from '../../functions/aws/workflow';
import { readChain } from '../../functions/core/audit/trail';
import { ExtensionRefusedError } from '../../functions/core/clocks';
import type { LedgerRecord } from '../../functions/core/ledger-record';
import { type DecisionAction, decide, requireRequest } from '../../functions/core/support/decide';
import { deadlineView, dueRequests } from '../../functions/core/support/due';
import { extendRequestDeadline } from '../../functions/core/support/extend';
import { SupportRefusal } from '../../functions/core/support/refusal';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators';
import { connectToRunningSystem, LOCAL_ENV } from './running-system';
import { AUDIT_BUCKET_NAME, AUDIT_TABLE_NAME, LEDGER_TABLE_NAME } from './system';
import { LOCAL_STATE_MACHINE_ARN } from './workflow-runner';

/** One request as support lists it: ids, status, clocks and stores; no contact data. */
function summary(r: LedgerRecord) {
  return {
    requestId: r.requestId,
    type: r.type,
    status: r.status,
    jurisdiction: r.jurisdiction,
    receivedAt: r.receivedAt,
    dueAt: r.dueAt,
    stores: Object.entries(r.stores ?? {}).map(([storeId, s]) => ({
      storeId,
      status: s.status,
      ...(s.reason ? { reason: s.reason } : {}),
    })),
  };
}

/** Logs only errors, on stderr: stdout is the command's answer. */
const quietLog = { info() {}, warn() {}, error: (m: string) => process.stderr.write(`${m}\n`) };

/** Beyond every due date: `list` without `--due-within` shows all open requests. */
const OPEN_UNTIL = '9999-12-31T23:59:59.999Z';

/** `--due-within 24h` (or `24`): hours, a positive whole number. */
function hoursOf(text: string): number {
  const match = /^(\d{1,5})h?$/.exec(text);
  if (!match || Number(match[1]) === 0)
    throw new SupportRefusal('invalid_input', `--due-within takes hours, like 24h (got ${text})`);
  return Number(match[1]);
}

const hoursFromNow = (text: string) => new Date(Date.now() + hoursOf(text) * 3600_000).toISOString();

const DECISIONS: Record<string, DecisionAction> = {
  retry: 'retry',
  complete: 'complete',
  fail: 'fail',
  cancel: 'cancel',
};

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
  const system = await connectToRunningSystem(dir);
  const ledger = new LedgerTable(system.clients.dynamodb, LEDGER_TABLE_NAME);
  const out = (line: unknown) =>
    process.stdout.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
  try {
    if (command === 'list') {
      // Open requests, earliest due first, from the same open-by-due index the deadline job reads.
      const open = await ledger.openByDue(
        values['due-within'] ? hoursFromNow(values['due-within']) : OPEN_UNTIL,
      );
      const all = open.filter((r) => !values.status || r.status === values.status).map(summary);
      if (!values.json) for (const r of all) out(`${r.requestId} ${r.type} ${r.status} due ${r.dueAt}`);
      else out(all);
      return;
    }
    if (command === 'due') {
      const hours = values['due-within'] ? hoursOf(values['due-within']) : undefined;
      const due = await dueRequests({ ledger }, new Date(), hours);
      if (values.json) out(due);
      else
        for (const r of [...due.overdue, ...due.dueSoon])
          out(`${r.requestId} ${r.type} ${r.status} ${r.standing.text}`);
      return;
    }
    if (!requestId) throw new SupportRefusal('invalid_input', `${command ?? '(none)'} needs a REQUEST_ID`);
    if (command === 'show') {
      const r = await requireRequest(ledger, requestId);
      const shown = { ...summary(r), ...deadlineView(r, new Date()), history: r.history };
      out(values.json ? shown : `${r.requestId} ${r.type} ${r.status} due ${r.dueAt}`);
      return;
    }
    if (command === 'audit') {
      const report = await readChain(
        {
          audit: new DynamoAuditTrail(system.clients.dynamodb, AUDIT_TABLE_NAME),
          objects: new S3ObjectStore(system.clients.s3, AUDIT_BUCKET_NAME),
        },
        requestId,
      );
      if (report.entries.length === 0)
        throw new SupportRefusal('unknown_request', `no audit chain for ${requestId}`);
      if (values.json) out(report);
      else {
        for (const e of report.entries) out(`${e.sequence} ${e.at} ${e.kind} ${e.hash.slice(0, 12)}`);
        out(report.verdict.intact ? 'chain intact' : `chain broken: ${JSON.stringify(report.verdict)}`);
      }
      if (!report.verdict.intact) process.exitCode = 3;
      return;
    }
    const action = DECISIONS[command ?? ''];
    if (!action && command !== 'extend')
      throw new SupportRefusal('invalid_input', `unknown command ${command}`);
    const endpoints = JSON.parse(await readFile(path.join(dir, 'endpoints.json'), 'utf8')) as {
      ses: string;
      sfn: string;
      api: string;
    };
    const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const mailer = new SesMailer(
      new SESv2Client({ ...common, endpoint: endpoints.ses }),
      'privacy@impor.in.example',
    );
    const actor = values.actor ?? userInfo().username;
    const audit = new DynamoAuditTrail(system.clients.dynamodb, AUDIT_TABLE_NAME);
    if (!action) {
      out(
        await extendRequestDeadline(
          { ledger, mailer, log: quietLog, audit },
          { requestId, reason: values.reason ?? '', actor },
          new Date(),
        ),
      );
      return;
    }
    const result = await decide(
      {
        ledger,
        workflow: new StepFunctionsWorkflow(
          new SFNClient({ ...common, endpoint: endpoints.sfn }),
          LOCAL_STATE_MACHINE_ARN,
        ),
        mailer,
        dataMap: system.dataMap,
        publicUrl: endpoints.api,
        log: quietLog,
        clock: () => new Date(),
        audit,
      },
      { requestId, action, reason: values.reason ?? '', actor },
    );
    out(result);
  } finally {
    system.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage =
    error instanceof SupportRefusal ||
    error instanceof ExtensionRefusedError ||
    (typeof (error as { code?: unknown })?.code === 'string' &&
      (error as { code: string }).code.startsWith('ERR_PARSE_ARGS'));
  process.stderr.write(`support: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = usage ? 2 : 1;
});
