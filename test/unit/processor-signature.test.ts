import * as crypto from 'node:crypto';
import {
  SIGNATURE_HEADER,
  signProcessorBody,
  TIMESTAMP_HEADER,
  verifyProcessorSignature,
} from '../../functions/core/processors/signature';

jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

const SECRET = Buffer.alloc(32, 7);
const OTHER_SECRET = Buffer.alloc(32, 8);
const BODY = JSON.stringify({ version: 1, requestId: '20261127-delete-abcdefghij', type: 'delete' });
const NOW_MS = 1_795_000_000_000;
const TS = Math.floor(NOW_MS / 1000);

function headersFor(secret: Buffer, timestamp: number, body: string) {
  return { timestamp: String(timestamp), signature: signProcessorBody(secret, timestamp, body) };
}

describe('partner signatures', () => {
  it('names the headers partners read', () => {
    expect([SIGNATURE_HEADER, TIMESTAMP_HEADER]).toEqual(['x-dsr-signature', 'x-dsr-timestamp']);
  });

  it('signs as v1= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    // Prepare
    const expected = crypto.createHmac('sha256', SECRET).update(`${TS}.${BODY}`).digest('hex');

    // Act / Assess
    expect(signProcessorBody(SECRET, TS, BODY)).toBe(`v1=${expected}`);
  });

  it('accepts a body signed with the same secret and a fresh timestamp', () => {
    expect(verifyProcessorSignature(SECRET, headersFor(SECRET, TS, BODY), BODY, NOW_MS)).toBe(true);
  });

  it('accepts a timestamp just inside the 300 second tolerance, either way', () => {
    expect(verifyProcessorSignature(SECRET, headersFor(SECRET, TS - 300, BODY), BODY, NOW_MS)).toBe(true);
    expect(verifyProcessorSignature(SECRET, headersFor(SECRET, TS + 300, BODY), BODY, NOW_MS)).toBe(true);
  });

  it('refuses a body signed with another secret', () => {
    expect(verifyProcessorSignature(SECRET, headersFor(OTHER_SECRET, TS, BODY), BODY, NOW_MS)).toBe(false);
  });

  it('refuses a body changed after signing, even by one character', () => {
    const headers = headersFor(SECRET, TS, BODY);
    expect(verifyProcessorSignature(SECRET, headers, `${BODY} `, NOW_MS)).toBe(false);
    expect(verifyProcessorSignature(SECRET, headers, BODY.replace('delete', 'access'), NOW_MS)).toBe(false);
  });

  it('refuses a signature whose timestamp header was changed', () => {
    const { signature } = headersFor(SECRET, TS, BODY);
    expect(verifyProcessorSignature(SECRET, { timestamp: String(TS + 1), signature }, BODY, NOW_MS)).toBe(
      false,
    );
  });

  it('refuses a correctly signed but stale request (more than 300 seconds old or ahead)', () => {
    expect(verifyProcessorSignature(SECRET, headersFor(SECRET, TS - 301, BODY), BODY, NOW_MS)).toBe(false);
    expect(verifyProcessorSignature(SECRET, headersFor(SECRET, TS + 301, BODY), BODY, NOW_MS)).toBe(false);
  });

  it('refuses a request without the signature or the timestamp header', () => {
    const { timestamp, signature } = headersFor(SECRET, TS, BODY);
    expect(verifyProcessorSignature(SECRET, { timestamp, signature: undefined }, BODY, NOW_MS)).toBe(false);
    expect(verifyProcessorSignature(SECRET, { timestamp: undefined, signature }, BODY, NOW_MS)).toBe(false);
  });

  it.each([
    ['no v1= prefix', (s: string) => s.slice(3)],
    ['another scheme', (s: string) => s.replace('v1=', 'v2=')],
    ['a truncated MAC', (s: string) => s.slice(0, -2)],
    ['a MAC that is not hex', (s: string) => `${s.slice(0, -1)}z`],
    ['two signatures', (s: string) => `${s},${s}`],
    ['an empty value', () => ''],
  ])('refuses a malformed signature: %s', (_label, mangle) => {
    const { timestamp, signature } = headersFor(SECRET, TS, BODY);
    expect(verifyProcessorSignature(SECRET, { timestamp, signature: mangle(signature) }, BODY, NOW_MS)).toBe(
      false,
    );
  });

  it.each(['', 'abc', '1.5', '-1', `${TS}x`])('refuses a malformed timestamp %p', (timestamp) => {
    const { signature } = headersFor(SECRET, TS, BODY);
    expect(verifyProcessorSignature(SECRET, { timestamp, signature }, BODY, NOW_MS)).toBe(false);
  });

  it('compares MACs in constant time on equal-length buffers', () => {
    // Prepare
    const spy = crypto.timingSafeEqual as jest.MockedFunction<typeof crypto.timingSafeEqual>;
    spy.mockClear();

    // Act
    verifyProcessorSignature(SECRET, headersFor(OTHER_SECRET, TS, BODY), BODY, NOW_MS);

    // Assess
    expect(spy).toHaveBeenCalledTimes(1);
    const [a, b] = spy.mock.calls[0] ?? [];
    expect((a as Buffer).length).toBe(32);
    expect((b as Buffer).length).toBe(32);
  });
});
