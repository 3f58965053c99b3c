/**
 * `npm run seed -- --subject EMAIL [--records N] [--documents N] [--order-statuses delivered,in_transit]
 *   [--name "Full Name"] [--phone +62…]`
 * Plants a footprint for EMAIL in every demo store of the running local system
 * (and gives the demo processors their shipment and payment records for the
 * orders) and prints, as its last stdout line, the JSON record counts per store.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { EmailAddress } from '../../functions/core/request';
import { ORDER_STATUSES, plantSubject } from './demo-data';
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

  const system = await connectToRunningSystem();
  try {
    // The demo processors run inside npm start: they get their records over HTTP.
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

main(process.argv.slice(2)).catch((error: unknown) =>
  reportFailure('seed', error, 'seeding failed; is the local system from npm start still running?'),
);
