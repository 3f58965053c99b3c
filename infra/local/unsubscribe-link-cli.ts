/**
 * `npm run unsubscribe-link -- --email EMAIL`: prints the one-click unsubscribe
 * link and RFC 8058 headers a marketing email to EMAIL would carry, signed with
 * the running local system's secret (what a marketing sender does in AWS).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  createUnsubscribeToken,
  unsubscribeHeaders,
  unsubscribeTokenExpiry,
  unsubscribeUrl,
} from '../../functions/core/opt-out/unsubscribe-token';
import { EmailAddress } from '../../functions/core/request-bodies';
import { connectToRunningSystem, reportFailure, UsageError } from './running-system';

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { email: { type: 'string' }, 'valid-days': { type: 'string' } },
  });
  const email = EmailAddress.safeParse(values.email);
  if (!email.success) throw new UsageError('usage: npm run unsubscribe-link -- --email you@example.com');
  const days = z.coerce
    .number()
    .int()
    .positive()
    .max(365)
    .parse(values['valid-days'] ?? '60');
  const system = await connectToRunningSystem();
  const api = system.api;
  if (!api) throw new UsageError('endpoints.json names no API URL; restart the local system with npm start');
  const token = createUnsubscribeToken(
    await system.hashingKey().finally(() => system.close()),
    email.data,
    unsubscribeTokenExpiry(new Date(), days * 24 * 3600),
  );
  console.log(unsubscribeUrl(api, token));
  console.log(JSON.stringify(unsubscribeHeaders(api, token), null, 2));
}

main(process.argv.slice(2)).catch((error: unknown) =>
  reportFailure(
    'unsubscribe-link',
    error,
    'could not make a link; is the local system from npm start still running?',
  ),
);
