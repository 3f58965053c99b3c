import { keyedHash } from '../../functions/core/crypto';
import {
  createUnsubscribeToken,
  DEFAULT_UNSUBSCRIBE_TOKEN_TTL_SECONDS,
  readUnsubscribeToken,
  UnsubscribeTokenError,
  unsubscribeHeaders,
  unsubscribeTokenExpiry,
  usedTokenKey,
} from '../../functions/core/opt-out/unsubscribe-token';

const key = Buffer.from('cd'.repeat(32), 'hex');
const otherKey = Buffer.from('ef'.repeat(32), 'hex');
const now = new Date('2026-03-01T00:00:00.000Z');
const later = new Date('2026-04-01T00:00:00.000Z');

/** The reason a token is refused, or 'accepted'. */
function reasonFor(token: string, at = now, withKey = key): string {
  try {
    readUnsubscribeToken(withKey, token, at);
    return 'accepted';
  } catch (error) {
    if (error instanceof UnsubscribeTokenError) return error.reason;
    throw error;
  }
}

describe('one-click unsubscribe tokens', () => {
  it('give back the address they were made for, normalised, until they expire', () => {
    const token = createUnsubscribeToken(key, ' Reader@Example.COM ', later);

    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(readUnsubscribeToken(key, token, now)).toBe('reader@example.com');
  });

  it('are refused as expired from their expiry on, but only once the signature checks out', () => {
    const token = createUnsubscribeToken(key, 'reader@example.com', later);

    expect(reasonFor(token, later)).toBe('expired');
    expect(reasonFor(token, new Date(later.getTime() - 1000))).toBe('accepted');
    const forged = `${token.split('.')[0]}.${'A'.repeat(43)}`;
    expect(reasonFor(forged, later)).toBe('tampered');
  });

  it('are refused as tampered when the address, the expiry or the signature is changed', () => {
    const token = createUnsubscribeToken(key, 'reader@example.com', later);
    const [, signature] = token.split('.');
    const otherAddress = createUnsubscribeToken(key, 'someone-else@example.com', later).split('.')[0];
    const longerLife = Buffer.from(
      JSON.stringify({ e: 'reader@example.com', x: Math.floor(later.getTime() / 1000) + 86_400 }),
    ).toString('base64url');
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');

    expect(reasonFor(`${otherAddress}.${signature}`)).toBe('tampered');
    expect(reasonFor(`${longerLife}.${signature}`)).toBe('tampered');
    expect(reasonFor(flipped)).toBe('tampered');
  });

  it('made with another key are refused as tampered', () => {
    const token = createUnsubscribeToken(otherKey, 'reader@example.com', later);
    expect(reasonFor(token)).toBe('tampered');
  });

  it('are refused as malformed when they are not tokens at all', () => {
    for (const junk of ['', 'abc', 'no-dot-here', 'a.b', `${'x'.repeat(20)}.${'y'.repeat(42)}`, 'a b.c']) {
      expect({ junk, reason: reasonFor(junk) }).toEqual({ junk, reason: 'malformed' });
    }
  });

  it('are refused when a correctly signed payload was not sealed by this system', () => {
    // Signs a hand-made plaintext payload with the key: the signature alone is not enough.
    const signed = (raw: string) => {
      const body = Buffer.from(raw).toString('base64url');
      return `${body}.${Buffer.from(keyedHash(key, 'unsubscribe', body), 'hex').toString('base64url')}`;
    };
    const expiry = Math.floor(later.getTime() / 1000);

    expect(reasonFor(signed(JSON.stringify({ e: 'reader@example.com', x: expiry })))).not.toBe('accepted');
    expect(reasonFor(signed('not json'))).not.toBe('accepted');
  });

  it('never show the address, not even decoded, since links end up in logs and proxies', () => {
    const token = createUnsubscribeToken(key, 'reader@example.com', later);
    const [payload = ''] = token.split('.');
    expect(token).not.toContain('reader');
    expect(Buffer.from(payload, 'base64url').toString('latin1')).not.toContain('reader@example.com');
  });

  it('never contain the signing key and never repeat between addresses', () => {
    const a = createUnsubscribeToken(key, 'a@example.com', later);
    const b = createUnsubscribeToken(key, 'b@example.com', later);
    expect(a).not.toBe(b);
    expect(a).not.toContain(key.toString('hex'));
    expect(a).not.toContain(key.toString('base64url'));
  });

  it('are marked used under a key that reveals neither the token nor the address', () => {
    const token = createUnsubscribeToken(key, 'reader@example.com', later);
    const marker = usedTokenKey(key, token);

    expect(marker).toMatch(/^token#[0-9a-f]{64}$/);
    expect(marker).not.toContain(token.split('.')[1]);
    expect(usedTokenKey(key, token)).toBe(marker);
    expect(usedTokenKey(otherKey, token)).not.toBe(marker);
  });

  it('ride in RFC 8058 headers as a one-click POST link', () => {
    const token = createUnsubscribeToken(key, 'reader@example.com', later);

    expect(unsubscribeHeaders('https://dsr.example.com/', token)).toEqual({
      'List-Unsubscribe': `<https://dsr.example.com/unsubscribe?token=${token}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('last 60 days unless configured otherwise', () => {
    expect(DEFAULT_UNSUBSCRIBE_TOKEN_TTL_SECONDS).toBe(60 * 24 * 3600);
    expect(unsubscribeTokenExpiry(now).toISOString()).toBe('2026-04-30T00:00:00.000Z');
    expect(unsubscribeTokenExpiry(now, 3600).toISOString()).toBe('2026-03-01T01:00:00.000Z');
  });
});
