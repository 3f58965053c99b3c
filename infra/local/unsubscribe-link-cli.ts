/**
 * `npm run unsubscribe-link -- --email EMAIL`: prints the one-click unsubscribe
 * link and RFC 8058 headers a marketing email to EMAIL would carry, signed with
 * the running local system's secret (what a marketing sender does in AWS).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { keyFromText } from '../../functions/aws/secrets';
import { EmailAddress } from '../../functions/core/request';
import {
  createUnsubscribeToken,
  unsubscribeHeaders,
  unsubscribeTokenExpiry,
  unsubscribeUrl,
} from '../../functions/core/unsubscribe-token';

const Endpoints = z.object({ api: z.url() }).loose();

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { email: { type: 'string' }, 'valid-days': { type: 'string' } },
  });
  const email = EmailAddress.safeParse(values.email);
  if (!email.success) throw new Error('usage: npm run unsubscribe-link -- --email you@example.com');
  const days = z.coerce
    .number()
    .int()
    .positive()
    .max(365)
    .parse(values['valid-days'] ?? '60');
  const dir = path.resolve(process.env.DSR_LOCAL_DIR ?? '.local');
  let endpoints: z.infer<typeof Endpoints>;
  let secret: string;
  try {
    endpoints = Endpoints.parse(JSON.parse(await readFile(path.join(dir, 'endpoints.json'), 'utf8')));
    secret = await readFile(path.join(dir, 'secret.key'), 'utf8');
  } catch {
    throw new Error(`no running local system under ${dir}: start it first with npm start`);
  }
  const token = createUnsubscribeToken(
    keyFromText(secret),
    email.data,
    unsubscribeTokenExpiry(new Date(), days * 24 * 3600),
  );
  console.log(unsubscribeUrl(endpoints.api, token));
  console.log(JSON.stringify(unsubscribeHeaders(endpoints.api, token), null, 2));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
