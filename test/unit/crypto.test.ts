import { keyFromText } from '../../functions/aws/secrets';
import { constantTimeEqual, keyedHash, randomCode, randomToken } from '../../functions/core/crypto';

const key = Buffer.alloc(32, 7);

describe('tokens and keyed hashes', () => {
  it('gives the same hash for the same value and purpose, so lookups work', () => {
    expect(keyedHash(key, 'subject', 'someone@example.com')).toBe(
      keyedHash(key, 'subject', 'someone@example.com'),
    );
  });

  it('never lets a hash made for one purpose match another purpose', () => {
    expect(keyedHash(key, 'verification-code', '123456')).not.toBe(
      keyedHash(key, 'verification-link', '123456'),
    );
  });

  it('depends on the secret key, so a leaked ledger reveals nothing', () => {
    expect(keyedHash(key, 'subject', 'a@example.com')).not.toBe(
      keyedHash(Buffer.alloc(32, 8), 'subject', 'a@example.com'),
    );
  });

  it('issues 6-digit codes and 43-character url-safe tokens that differ each time', () => {
    const codes = new Set(Array.from({ length: 50 }, randomCode));
    for (const code of codes) expect(code).toMatch(/^[0-9]{6}$/);
    expect(codes.size).toBeGreaterThan(40);
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(token);
  });

  it('compares equal strings as equal and anything else, even of another length, as different', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('reads a hex secret as bytes and refuses a secret shorter than 32 bytes', () => {
    expect(keyFromText(`${'ab'.repeat(32)}\n`)).toEqual(Buffer.alloc(32, 0xab));
    expect(() => keyFromText('too short')).toThrow(/at least 32 bytes/);
  });
});
