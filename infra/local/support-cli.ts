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
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LedgerTable } from '../../functions/aws/ledger';
import { SesMailer } from '../../functions/aws/mailer';
import { StepFunctionsWorkflow } from '../../functions/aws/workflow';
import type { LedgerRecord } from '../../functions/core/ledger-record';
import { type DecisionAction, decide, requireRequest } from '../../functions/core/support/decide';
import { SupportRefusal } from '../../functions/core/support/refusal';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './emulators';
import { connectToRunningSystem, LOCAL_ENV } from './running-system';
import { LEDGER_TABLE_NAME } from './system';
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
  if (command === 'extend' || command === 'due' || command === 'audit')
    throw new SupportRefusal('not_available', `${command} is not available yet`);
  const dir = process.env[LOCAL_ENV.dir] ?? '.local';
  const system = await connectToRunningSystem(dir);
  const ledger = new LedgerTable(system.clients.dynamodb, LEDGER_TABLE_NAME);
  const out = (line: unknown) =>
    process.stdout.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
  try {
    if (command === 'list') {
      const page = await system.clients.dynamodb.send(new ScanCommand({ TableName: LEDGER_TABLE_NAME }));
      const all = ((page.Items ?? []) as LedgerRecord[])
        .filter((r) => !values.status || r.status === values.status)
        .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
        .map(summary);
      if (!values.json) for (const r of all) out(`${r.requestId} ${r.type} ${r.status} due ${r.dueAt}`);
      else out(all);
      return;
    }
    if (!requestId) throw new SupportRefusal('invalid_input', `${command ?? '(none)'} needs a REQUEST_ID`);
    if (command === 'show') {
      const r = await requireRequest(ledger, requestId);
      const shown = { ...summary(r), clocks: { dueAt: r.dueAt }, history: r.history };
      out(values.json ? shown : `${r.requestId} ${r.type} ${r.status} due ${r.dueAt}`);
      return;
    }
    const action = DECISIONS[command ?? ''];
    if (!action) throw new SupportRefusal('invalid_input', `unknown command ${command}`);
    const endpoints = JSON.parse(await readFile(path.join(dir, 'endpoints.json'), 'utf8')) as {
      ses: string;
      sfn: string;
      api: string;
    };
    const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const result = await decide(
      {
        ledger,
        workflow: new StepFunctionsWorkflow(
          new SFNClient({ ...common, endpoint: endpoints.sfn }),
          LOCAL_STATE_MACHINE_ARN,
        ),
        mailer: new SesMailer(
          new SESv2Client({ ...common, endpoint: endpoints.ses }),
          'privacy@impor.in.example',
        ),
        dataMap: system.dataMap,
        publicUrl: endpoints.api,
        log: { info() {}, warn() {}, error: (m) => process.stderr.write(`${m}\n`) },
        clock: () => new Date(),
      },
      { requestId, action, reason: values.reason ?? '', actor: values.actor ?? userInfo().username },
    );
    out(result);
  } finally {
    system.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage =
    error instanceof SupportRefusal ||
    (typeof (error as { code?: unknown })?.code === 'string' &&
      (error as { code: string }).code.startsWith('ERR_PARSE_ARGS'));
  process.stderr.write(`support: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = usage ? 2 : 1;
});
