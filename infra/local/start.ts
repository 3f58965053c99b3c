/**
 * `npm start`: the whole system on this machine, no Docker, no AWS.
 * PORT (3000), SES_PORT (8005), PROCESSOR_PORT (3100: the demo processors), and the local settings of
 * `LOCAL_ENV` (running-system.ts): the data directory (.local), demo customers (500), processors' time to
 * acknowledge (120 s locally, 72 h in the data map); the functions' delete grace period is 30 s locally.
 */
import { z } from 'zod';
import { ENV } from '../../functions/aws/config';
import { startDeadlineTimer } from './deadline-timer';
import { LOCAL_ENV } from './running-system';
import { LOCAL_PROCESSOR_PORT, LOCAL_SUPPORT_EMAIL, startLocalSystem } from './system';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SES_PORT: z.coerce.number().int().min(0).max(65535).default(8005),
  PROCESSOR_PORT: z.coerce.number().int().min(0).max(65535).default(LOCAL_PROCESSOR_PORT),
  [LOCAL_ENV.dir]: z.string().min(1).default('.local'),
  [LOCAL_ENV.demoCustomers]: z.coerce.number().int().min(0).default(500),
  // Short enough to watch an escalation happen; the data map's 72 h applies in AWS.
  [LOCAL_ENV.processorAckSeconds]: z.coerce.number().int().min(1).max(86_400).default(120),
});

async function main(): Promise<void> {
  const env = Env.parse(process.env);
  const started = Date.now();
  const log = (line: string) => console.log(`[dsr] ${line}`);
  const system = await startLocalSystem({
    dataDir: env[LOCAL_ENV.dir],
    port: env.PORT,
    sesPort: env.SES_PORT,
    processorPort: env.PROCESSOR_PORT,
    demoCustomers: env[LOCAL_ENV.demoCustomers],
    processorAckSeconds: env[LOCAL_ENV.processorAckSeconds],
    log,
  });
  const { urls, paths } = system;
  // The deadline job (every 15 minutes in AWS), on a timer here.
  const stopDeadlineTimer = await startDeadlineTimer(log);
  console.log(
    [
      '',
      `DSR workflow running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s${system.seeded ? `, seeded ${env[LOCAL_ENV.demoCustomers]} demo customers` : ''})`,
      '',
      `  Request form        ${urls.form}`,
      `  Mailbox (codes)     ${urls.mailbox}   (JSON: ${urls.mailboxJson})`,
      `  Health              ${urls.health}`,
      `  Support console     ${urls.api}/local/   (npm run support -- list|show|retry|complete|fail|extend|cancel|due|audit)`,
      `  Execution           ${urls.executions}/<requestId>   (the list: ListExecutions on ${urls.sfn})`,
      `  Certificates        ${urls.certificates}/<requestId>   (JSON: .../<requestId>.json)`,
      `                      on disk: ${paths.certificates}/<requestId>/ (s3rver files, suffix ._S3rver_object)`,
      '',
      `  Delete requests wait ${system.deleteGraceSeconds} s before erasure (${ENV.deleteGraceSeconds}); the email`,
      '  sent after confirming carries a cancel link that works until then.',
      '',
      `  Partners            ${urls.processors}/partners   (${system.processors.ids().join(', ')})`,
      ...system.processors
        .ids()
        .map(
          (id) =>
            `    ${id.padEnd(17)} received: ${urls.processors}/partners/${id}/received   holds: .../${id}/holdings`,
        ),
      `    make one fail, slow or late: curl -X POST ${urls.processors}/partners/payments/behaviour \\`,
      `      -H 'content-type: application/json' -d '{"failTimes":2}'   (or {"ack":"never"}, {"delayMs":3000})`,
      `  Partners have ${env[LOCAL_ENV.processorAckSeconds]} s to acknowledge (${LOCAL_ENV.processorAckSeconds}); one that does not is escalated to ${LOCAL_SUPPORT_EMAIL} (see the mailbox).`,
      '',
      '  Plant data for your email, then request it through the form:',
      '    npm run seed -- --subject you@example.com',
      '',
      `  Emulators: DynamoDB ${urls.dynamodb}  S3 ${urls.s3}  SES ${urls.ses}  Step Functions ${urls.sfn}`,
      `  Data: ${env[LOCAL_ENV.dir]}/ (delete it to start afresh). Ctrl+C to stop.`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    stopDeadlineTimer();
    system.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('[dsr] failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
