/**
 * `npm run seed -- --subject EMAIL [--records N] [--documents N] [--order-statuses delivered,in_transit]
 *   [--name "Full Name"] [--phone +62…] [--target local|aws] [--stack NAME] [--outputs cdk-outputs.json]`
 * Plants a footprint for EMAIL in every demo store of the running local system
 * (and gives the demo processors their shipment and payment records for the
 * orders), or with `--target aws` in the demo stores of a deployed stack (read
 * from its `cdk deploy --outputs-file`), and prints, as its last stdout line,
 * the JSON record counts per store.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { DataMap } from '../../functions/core/data-map';
import { EmailAddress } from '../../functions/core/request-bodies';
import { type DemoClients, ORDER_STATUSES, plantSubject } from './demo-data';
import { connectToDeployedStack, DEFAULT_OUTPUTS_FILE, DEFAULT_STACK_NAME } from './deployed-stack';
import { httpProcessorSink } from './processors/http-sink';
import { connectToRunningSystem, reportFailure, UsageError } from './running-system';

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      subject: { type: 'string' },
      records: { type: 'string' },
      documents: { type: 'string' },
      'order-statuses': { type: 'string' },
      name: { type: 'string' },
      phone: { type: 'string' },
      target: { type: 'string' },
      stack: { type: 'string' },
      outputs: { type: 'string' },
    },
    strict: true,
  });
  if (!values.subject)
    throw new UsageError(
      'usage: npm run seed -- --subject EMAIL [--records N] [--documents N] [--order-statuses delivered,paid] [--name "Full Name"]',
    );
  const email = EmailAddress.safeParse(values.subject);
  if (!email.success) throw new UsageError('--subject must be a valid email address');
  const records = values.records === undefined ? 5 : Number(values.records);
  if (!Number.isInteger(records) || records < 0 || records > 10_000) {
    throw new UsageError('--records must be an integer from 0 to 10000');
  }
  const documents = values.documents === undefined ? records : Number(values.documents);
  if (!Number.isInteger(documents) || documents < 0 || documents > records) {
    throw new UsageError('--documents must be an integer from 0 to --records');
  }
  const statuses = z
    .array(z.enum(ORDER_STATUSES))
    .safeParse(values['order-statuses']?.split(',').map((s) => s.trim()) ?? []);
  if (!statuses.success) {
    throw new UsageError(`--order-statuses must be a comma-separated list of ${ORDER_STATUSES.join(', ')}`);
  }

  const target = values.target ?? 'local';
  if (target !== 'local' && target !== 'aws') throw new UsageError('--target must be local or aws');
  const system = await connect(target, values);
  try {
    // Locally the demo processors run inside npm start and get their records over HTTP; a deployed stack has none.
    const processors = system.processors ? await httpProcessorSink(system.processors) : undefined;
    const counts = await plantSubject(system.clients, system.dataMap, {
      ...(processors ? { processors } : {}),
      email: email.data,
      records,
      documents,
      orderStatuses: statuses.data,
      ...(values.name ? { fullName: values.name } : {}),
      ...(values.phone ? { phone: values.phone } : {}),
    });
    process.stdout.write(`${JSON.stringify(counts)}\n`);
  } finally {
    system.close();
  }
}

/** The stores to plant in: the running local system, or a deployed stack's demo stores. */
async function connect(
  target: 'local' | 'aws',
  values: { stack?: string | undefined; outputs?: string | undefined },
): Promise<{ clients: DemoClients; dataMap: DataMap; processors?: string; close(): void }> {
  if (target === 'local') return connectToRunningSystem();
  return connectToDeployedStack({
    outputsFile: values.outputs ?? DEFAULT_OUTPUTS_FILE,
    stackName: values.stack ?? DEFAULT_STACK_NAME,
  });
}

main(process.argv.slice(2)).catch((error: unknown) =>
  reportFailure(
    'seed',
    error,
    'seeding failed; is npm start still running (or, with --target aws, are AWS credentials for the stack set)?',
  ),
);
