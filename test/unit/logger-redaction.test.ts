import { createLogger, isSensitiveKey, redactText, redactValue } from '../../functions/aws/logger';

const EMAIL = 'ayu.lestari.logs@example.com';
const PHONE = '+62 812-3456-7890';
const CODE = '482913';
const TOKEN = 'Zk9_q3LmP0vRt7YwXa2bCdEfGhIjKlMnOpQrStUvWx8';
const HEX = 'a3f9c2e4b5d6e7f8091a2b3c4d5e6f708192a3b4';
const PRESIGNED =
  'https://dsr-exports.s3.ap-southeast-3.amazonaws.com/exports/20261127-access-abcdefghij/export.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261127&X-Amz-Signature=0f1e2d3c4b5a';
const REQUEST_ID = '20261127-access-abcdefghij';

/** Every line the logger writes while `run` runs, parsed. */
function captureLines(run: () => void): { raw: string; lines: Record<string, unknown>[] } {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
  }
  const raw = chunks.join('');
  return {
    raw,
    lines: raw
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const SECRETS = [
  EMAIL,
  'ayu.lestari.logs',
  '812-3456-7890',
  CODE,
  TOKEN,
  HEX,
  'X-Amz-Signature',
  'AKIAEXAMPLE',
];

function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('the logger', () => {
  it('keeps personal data out of the message, extra keys, nested values and arrays', () => {
    const logger = createLogger({ serviceName: 'test', logLevel: 'DEBUG' });
    const { raw, lines } = captureLines(() => {
      logger.info(`verification for ${EMAIL} with code ${CODE} at ${PHONE}`, {
        requestId: REQUEST_ID,
        storeId: 'marketing-preferences',
        details: { note: `sent to ${EMAIL}`, list: [PHONE, TOKEN, { deeper: `hash ${HEX}` }] },
        url: PRESIGNED,
        message2: `download at ${PRESIGNED}`,
      });
    });
    expectNoSecrets(raw);
    expect(lines).toHaveLength(1);
    const line = lines[0] as Record<string, unknown>;
    expect(line.requestId).toBe(REQUEST_ID);
    expect(line.storeId).toBe('marketing-preferences');
    expect(line.message).toContain('[email]');
    expect(line.message).toContain('[code]');
    expect(line.message).toContain('[phone]');
    expect(JSON.stringify(line.details)).toContain('[token]');
  });

  it('replaces whatever is under personal keys, whatever it looks like', () => {
    const logger = createLogger({ serviceName: 'test', logLevel: 'DEBUG' });
    const { raw, lines } = captureLines(() => {
      logger.warn('submitted', {
        requestId: REQUEST_ID,
        email: 'not-even-an-email',
        fullName: 'Ayu Lestari',
        name: 'Budi',
        phone: 12345,
        code: 'abc',
        statusToken: 'short',
        headers: { Authorization: 'Bearer opaque', 'x-request-id': 'r-1' },
        contact: { email: EMAIL, phone: PHONE },
      });
    });
    expectNoSecrets(raw);
    for (const value of ['not-even-an-email', 'Ayu Lestari', 'Budi', '12345', 'Bearer opaque', 'short']) {
      expect(raw).not.toContain(value);
    }
    const line = lines[0] as Record<string, unknown>;
    expect(line).toMatchObject({
      requestId: REQUEST_ID,
      email: '[redacted]',
      fullName: '[redacted]',
      name: '[redacted]',
      phone: '[redacted]',
      code: '[redacted]',
      statusToken: '[redacted]',
      contact: '[redacted]',
      headers: { Authorization: '[redacted]', 'x-request-id': 'r-1' },
    });
  });

  it('scrubs error messages, stacks and causes but keeps the error class name', () => {
    const logger = createLogger({ serviceName: 'test', logLevel: 'DEBUG' });
    const cause = new Error(`lookup of ${EMAIL} failed`);
    const error = new Error(`could not mail ${EMAIL} code ${CODE}`, { cause });
    error.name = 'MailRejected';
    const { raw, lines } = captureLines(() => {
      logger.error('send failed', { requestId: REQUEST_ID, error });
      logger.error('send failed again', error);
    });
    expectNoSecrets(raw);
    expect(lines).toHaveLength(2);
    const logged = (lines[0] as { error: Record<string, unknown> }).error;
    expect(logged.name).toBe('MailRejected');
    expect(logged.message).toBe('could not mail [email] code [code]');
    expect(String(logged.stack)).toContain('[email]');
    expect((logged.cause as Record<string, unknown>).name).toBe('Error');
    expect((logged.cause as Record<string, unknown>).message).toBe('lookup of [email] failed');
  });

  it('keeps request ids, timestamps, store ids, counts and error names readable', () => {
    const text = `request ${REQUEST_ID} (20261127-delete-mnopqrstuv, 20261127-opt-out-abcdefghij) store marketing-preferences records 12 at 2026-11-27T04:02:05.123Z failed with ConditionalCheckFailedException`;
    expect(redactText(text)).toBe(text);
  });
});

describe('redactText', () => {
  it.each([
    ['an email', `mail ${EMAIL} now`, 'mail [email] now'],
    ['an email with a plus and subdomain', 'to a.b+tag@mail.example.co.id.', 'to [email].'],
    ['an international phone number', `call ${PHONE}`, 'call [phone]'],
    ['a local phone number', 'call 081234567890', 'call [phone]'],
    ['a 6-digit code', `code ${CODE}.`, 'code [code].'],
    ['a base64url token', `token=${TOKEN}`, 'token=[token]'],
    ['a hex hash', `hash ${HEX}`, 'hash [token]'],
    [
      "a pre-signed URL's query string",
      `go to ${PRESIGNED} now`,
      `go to https://dsr-exports.s3.ap-southeast-3.amazonaws.com/exports/${REQUEST_ID}/export.zip?[redacted] now`,
    ],
  ])('replaces %s', (_what, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe('redactValue', () => {
  it('copies without changing the input and survives cycles', () => {
    const input: Record<string, unknown> = { email: EMAIL, note: `for ${EMAIL}` };
    input.self = input;
    const out = redactValue(input) as Record<string, unknown>;
    expect(input.email).toBe(EMAIL);
    expect(out).toEqual({ email: '[redacted]', note: 'for [email]', self: '[circular]' });
  });

  it('treats any key ending in token, email or phone as personal', () => {
    for (const key of [
      'taskToken',
      'link_token',
      'contactEmail',
      'mobilePhone',
      'Authorization',
      'full_name',
    ]) {
      expect(isSensitiveKey(key)).toBe(true);
    }
    for (const key of ['requestId', 'storeId', 'records', 'errorName', 'statusCode', 'status']) {
      expect(isSensitiveKey(key)).toBe(false);
    }
  });
});
