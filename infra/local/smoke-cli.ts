/**
 * `npm run smoke -- --stack DsrWorkflowStack --email you@your-domain.example [--outputs cdk-outputs.json]`
 * The smoke test after `cdk deploy` (infra/local/smoke.ts): asks for the emailed code and the
 * download link at the prompt. `--target local` runs it against `npm start`, reading both from
 * the local mailbox. Prints what it checked, then the JSON summary as its last stdout line.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { EmailAddress } from '../../functions/core/request-bodies';
import { DEFAULT_OUTPUTS_FILE, DEFAULT_STACK_NAME, readStackOutputs } from './deployed-stack';
import { connectToRunningSystem, reportFailure, UsageError } from './running-system';
import { emulatorMailbox, removeExportPackage, runSmoke, SmokeFailure, type SmokeMailbox } from './smoke';

/** A person reads the emails: the code and the link are typed or pasted, never printed back. */
function promptMailbox(): SmokeMailbox {
  const ask = async (question: string) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return (await rl.question(question)).trim();
    } finally {
      rl.close();
    }
  };
  return {
    code: (email, requestId) => ask(`Code from the email to ${email} about ${requestId}: `),
    exportLink: (email) => ask(`Download link from the "ready" email to ${email}: `),
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      stack: { type: 'string' },
      outputs: { type: 'string' },
      email: { type: 'string' },
      target: { type: 'string' },
    },
    strict: true,
  });
  const email = EmailAddress.safeParse(values.email);
  if (!email.success) {
    throw new UsageError(
      'usage: npm run smoke -- --stack DsrWorkflowStack --email A_TEST_ADDRESS [--outputs cdk-outputs.json] [--target aws|local]',
    );
  }
  const target = values.target ?? 'aws';
  let api: string;
  let mailbox: SmokeMailbox;
  let removeExport: ((requestId: string) => Promise<number>) | undefined;
  if (target === 'local') {
    const system = await connectToRunningSystem();
    system.close();
    if (!system.api || !system.ses) throw new UsageError('restart npm start: its endpoints.json is too old');
    api = system.api;
    mailbox = emulatorMailbox(system.ses);
  } else if (target === 'aws') {
    const outputs = await readStackOutputs(
      values.outputs ?? DEFAULT_OUTPUTS_FILE,
      values.stack ?? DEFAULT_STACK_NAME,
    );
    api = outputs.ApiUrl;
    mailbox = promptMailbox();
    const bucket = typeof outputs.ExportBucketName === 'string' ? outputs.ExportBucketName : undefined;
    if (bucket) {
      const s3 = new S3Client({ region: outputs.Region });
      removeExport = (requestId) => removeExportPackage(s3, bucket, requestId);
    }
  } else {
    throw new UsageError('--target must be aws or local');
  }
  const log = (line: string) => process.stdout.write(`smoke: ${line}\n`);
  const summary = await runSmoke({
    api,
    email: email.data,
    mailbox,
    log,
    ...(removeExport ? { removeExport } : {}),
  });
  const stores = Object.entries(summary.stores).map(([id, n]) => `${id} ${n}`);
  log(`stores: ${stores.join(', ')}`);
  log(
    `export: ${summary.export.files} files, ${summary.export.bytes} bytes, manifest ${summary.export.manifestMatches ? 'matches' : 'DOES NOT match'} the status page`,
  );
  log(
    removeExport
      ? 'left behind: the ledger entry, minimised (keyed hash, ids, counts, no contact), and its audit chain, by design'
      : 'left behind: the ledger entry, minimised, and its audit chain, by design; the export package expires with the exports bucket rule (8 days)',
  );
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (!summary.export.manifestMatches) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // A failed step says which and what the API answered (the API never answers with contact data).
  if (error instanceof SmokeFailure) {
    process.stderr.write(`smoke: FAILED at ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  reportFailure('smoke', error, 'the smoke test failed; see the step above');
});
