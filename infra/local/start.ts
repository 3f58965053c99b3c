/**
 * `npm start`: the whole system on this machine, no Docker, no AWS.
 * PORT (3000), SES_PORT (8005), PROCESSOR_PORT (3100: the demo processors), DSR_LOCAL_DIR (.local),
 * DSR_DEMO_CUSTOMERS (500), DSR_DELETE_GRACE_SECONDS (30 locally: how long a delete can be cancelled),
 * DSR_PROCESSOR_ACK_SECONDS (120 locally, 72 h in the data map: how long processors have to acknowledge).
 */
import { z } from 'zod';
import { LOCAL_PROCESSOR_PORT, LOCAL_SUPPORT_EMAIL, startLocalSystem } from './system';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SES_PORT: z.coerce.number().int().min(0).max(65535).default(8005),
  PROCESSOR_PORT: z.coerce.number().int().min(0).max(65535).default(LOCAL_PROCESSOR_PORT),
  DSR_LOCAL_DIR: z.string().min(1).default('.local'),
  DSR_DEMO_CUSTOMERS: z.coerce.number().int().min(0).default(500),
  // Short enough to watch an escalation happen; the data map's 72 h applies in AWS.
  DSR_PROCESSOR_ACK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(120),
});

async function main(): Promise<void> {
  const env = Env.parse(process.env);
  const started = Date.now();
  const log = (line: string) => console.log(`[dsr] ${line}`);
  const system = await startLocalSystem({
    dataDir: env.DSR_LOCAL_DIR,
    port: env.PORT,
    sesPort: env.SES_PORT,
    processorPort: env.PROCESSOR_PORT,
    demoCustomers: env.DSR_DEMO_CUSTOMERS,
    processorAckSeconds: env.DSR_PROCESSOR_ACK_SECONDS,
    log,
  });
  const { urls, paths } = system;
  console.log(
    [
      '',
      `DSR workflow running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s${system.seeded ? `, seeded ${env.DSR_DEMO_CUSTOMERS} demo customers` : ''})`,
      '',
      `  Request form        ${urls.form}`,
      `  Mailbox (codes)     ${urls.mailbox}   (JSON: ${urls.mailboxJson})`,
      `  Health              ${urls.health}`,
      `  Executions          ${urls.executions}   (one: ${urls.executions}/<requestId>)`,
      `  Certificates        ${urls.certificates}/<requestId>   (JSON: .../<requestId>.json)`,
      `                      on disk: ${paths.certificates}/<requestId>/ (s3rver files, suffix ._S3rver_object)`,
      '',
      `  Delete requests wait ${system.deleteGraceSeconds} s before erasure (DSR_DELETE_GRACE_SECONDS); the email`,
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
      `  Partners have ${env.DSR_PROCESSOR_ACK_SECONDS} s to acknowledge (DSR_PROCESSOR_ACK_SECONDS); one that does not is escalated to ${LOCAL_SUPPORT_EMAIL} (see the mailbox).`,
      '',
      '  Plant data for your email, then request it through the form:',
      '    npm run seed -- --subject you@example.com',
      '',
      `  Emulators: DynamoDB ${urls.dynamodb}  S3 ${urls.s3}  SES ${urls.ses}  Step Functions ${urls.sfn}`,
      `  Data: ${env.DSR_LOCAL_DIR}/ (delete it to start afresh). Ctrl+C to stop.`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
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
