/**
 * A verification email that bounces ends the request `expired` at once, with the reason in the
 * ledger, through the same workflow path as the 72-hour timeout; the dead address gets no further
 * email and the logs never name it. SES is emulated without bounces, so the test hands the
 * MailFeedback function the event SES would publish, as the stack's EventBridge rule does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalSystem } from '../../infra/local/system';
import { LocalApi, poll } from '../support/local-api';

jest.setTimeout(120_000);

// Read when the handlers load: the bounce's log lines must be written for the test to read them.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';

const email = 'Nobody.Home.Bounce@example.com';
let system: LocalSystem;
let local: LocalApi;
let dataDir: string;

beforeAll(async () => {
  const { startLocalSystem } = await import('../../infra/local/system');
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-bounce-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 3 });
  local = new LocalApi(system);
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** What SES publishes to EventBridge for a hard bounce of a message carrying our tags. */
function bounceEvent(requestId: string) {
  return {
    version: '0',
    id: 'c2f7f7e0-0000-4000-8000-000000000001',
    'detail-type': 'Email Bounced',
    source: 'aws.ses',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'ap-southeast-3',
    resources: [],
    detail: {
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [
          { emailAddress: email, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550' },
        ],
        timestamp: new Date().toISOString(),
        feedbackId: '0100018b-feedback',
      },
      mail: {
        timestamp: new Date().toISOString(),
        source: 'privacy@impor.in.example',
        messageId: '0100018b-message',
        destination: [email],
        tags: {
          'ses:configuration-set': ['DsrWorkflowStack-mail'],
          requestId: [requestId],
          purpose: ['verification'],
        },
      },
    },
  };
}

describe('a verification email that bounces', () => {
  it('ends the request expired with the bounce as the reason, emails the address nothing more and logs no address', async () => {
    // Prepare: a request waiting for its code, whose email has gone out.
    const { requestId, statusToken } = await local.submit('access', email);
    await local.verificationEmail(email, requestId);
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });

    // Act
    let result: unknown;
    try {
      result = await system.deliverMailEvent(bounceEvent(requestId));
      await local.until(requestId, statusToken, 'expired', 30_000);
    } finally {
      spy.mockRestore();
    }

    // Assess: the workflow's expiry path recorded why, the request is minimised, and nothing more was sent.
    expect(result).toEqual({ result: 'expiring' });
    const entry = await poll(
      async () => {
        const e = await local.ledgerEntry(requestId);
        return e.status === 'expired' && !e.contact ? e : undefined;
      },
      10_000,
      'the minimised expired entry',
    );
    expect(entry.history).toContainEqual(
      expect.objectContaining({ status: 'expired', note: 'verification email bounced (Permanent/General)' }),
    );
    expect(await local.emailsFor(email, requestId)).toHaveLength(1);
    const logs = written.join('');
    expect(logs).toContain(requestId);
    expect(logs.toLowerCase()).not.toContain(email.toLowerCase());

    // The same event again (EventBridge delivers at least once) changes nothing.
    await expect(system.deliverMailEvent(bounceEvent(requestId))).resolves.toEqual({ result: 'recorded' });
  });
});
