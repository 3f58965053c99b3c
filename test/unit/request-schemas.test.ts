import fc from 'fast-check';
import { normaliseEmail, RequestId, subjectLookupForm } from '../../functions/core/request';
import { EmailAddress, SubmitRequestBody } from '../../functions/core/request-bodies';
import { VerifyRequestBody } from '../../functions/core/verify-body';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

describe('email normalisation', () => {
  it.each([
    ['  Person@Example.COM  ', 'person@example.com'],
    ['ｐｅｒｓｏｎ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'person@example.com'],
    ['Ayu.Lestari@MAIL.Example.co.ID', 'ayu.lestari@mail.example.co.id'],
    ['\tperson@example.com\n', 'person@example.com'],
  ])('turns %p into %p', (raw, expected) => {
    expect(EmailAddress.parse(raw)).toBe(expected);
    expect(normaliseEmail(raw)).toBe(expected);
  });

  it('mails the same lower-cased address it looks up (issue 18, finding 3)', () => {
    expect(EmailAddress.parse('Victim@Example.COM')).toBe('victim@example.com');
    expect(subjectLookupForm('Victim@Example.COM')).toBe(EmailAddress.parse('Victim@Example.COM'));
    expect(subjectLookupForm('  Ayu@Example.COM ')).toBe('ayu@example.com');
    expect(subjectLookupForm('ａｙｕ@example.com')).toBe(subjectLookupForm('AYU@EXAMPLE.COM'));
  });

  it.each([
    'person@example.com\r\nBcc: victim@example.com',
    'person@example.com\nBcc: victim@example.com',
    'person\r@example.com',
    'person@exa\u0000mple.com',
    'person@example.com\u2028x',
    'Person <person@example.com>',
    'a@b',
    'not-an-email',
    '',
    `${'a'.repeat(250)}@example.com`,
  ])('rejects %p', (raw) => {
    expect(EmailAddress.safeParse(raw).success).toBe(false);
  });

  it('never lets a control character, a line break or an over-long address through', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.emailAddress(),
          fc.emailAddress().map((e) => ` ${e.toUpperCase()}\t`),
          fc
            .tuple(
              fc.emailAddress(),
              fc.constantFrom('\r', '\n', '\r\n', '\u0000', '\u0085', '\u2028'),
              fc.nat(40),
            )
            .map(([e, bad, at]) => e.slice(0, at) + bad + e.slice(at)),
          fc.string({ unit: 'grapheme', maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 300 }),
          // NFKC can lengthen a string: the ligature ﬃ is one character and three after normalisation.
          fc.integer({ min: 60, max: 240 }).map((n) => `${'\ufb03'.repeat(n)}@example.com`),
        ),
        (raw) => {
          const parsed = EmailAddress.safeParse(raw);
          if (!parsed.success) return;
          const email = parsed.data;
          expect(CONTROL.test(email)).toBe(false);
          expect(/\s/.test(email)).toBe(false);
          expect(email.length).toBeLessThanOrEqual(254);
          expect(email.normalize('NFKC')).toBe(email);
          const domain = email.slice(email.lastIndexOf('@') + 1);
          expect(domain).toBe(domain.toLowerCase());
          // Normalising twice changes nothing.
          expect(EmailAddress.parse(email)).toBe(email);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('the submit body', () => {
  const valid = { type: 'access', email: 'person@example.com' };

  it('fills in jurisdiction ID and leaves the language to the caller (Accept-Language, else Indonesian)', () => {
    expect(SubmitRequestBody.parse(valid)).toEqual({ ...valid, jurisdiction: 'ID' });
    expect(SubmitRequestBody.parse({ ...valid, locale: 'en' })).toEqual({
      ...valid,
      jurisdiction: 'ID',
      locale: 'en',
    });
  });

  it('rejects unknown keys, naming them', () => {
    const result = SubmitRequestBody.safeParse({ ...valid, isAdmin: true });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('isAdmin');
  });

  it.each([
    ['a line break in the name', { fullName: 'Ayu\r\nBcc: x@example.com' }],
    ['a control character in the name', { fullName: 'Ayu\u0007' }],
    ['an empty name', { fullName: '   ' }],
    ['a name of 201 characters', { fullName: 'a'.repeat(201) }],
    ['letters in the phone number', { phone: '+62 812 CALL ME' }],
    ['a line break in the phone number', { phone: '+62812\n0000' }],
    ['an unknown type', { type: 'sell' }],
    ['an unknown jurisdiction', { jurisdiction: 'XX' }],
    ['an unknown locale', { locale: 'fr' }],
  ])('rejects %s', (_what, change) => {
    expect(SubmitRequestBody.safeParse({ ...valid, ...change }).success).toBe(false);
  });

  it('never accepts a name or phone with a line break, whatever else is sent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (name, phone) => {
        const parsed = SubmitRequestBody.safeParse({ ...valid, fullName: name, phone });
        if (!parsed.success) return;
        expect(CONTROL.test(parsed.data.fullName ?? '')).toBe(false);
        expect(CONTROL.test(parsed.data.phone ?? '')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the verify body and request ids', () => {
  it('accepts exactly a 6-digit code or a link token, nothing else', () => {
    expect(VerifyRequestBody.safeParse({ code: '012345' }).success).toBe(true);
    expect(VerifyRequestBody.safeParse({ token: 'x'.repeat(43) }).success).toBe(true);
    for (const bad of [{ code: '12345' }, { code: 123456 }, { code: '123456', token: 'x'.repeat(43) }, {}]) {
      expect(VerifyRequestBody.safeParse(bad).success).toBe(false);
    }
  });

  it('accepts only ids of the system-generated shape', () => {
    expect(RequestId.safeParse('20261127-access-abcdefghij').success).toBe(true);
    expect(RequestId.safeParse('20261127-opt-out-a2b3c4d5e6').success).toBe(true);
    for (const bad of [
      '../20261127-access-abcdefghij',
      '20261127-access-abcdefghi1',
      '20261127-ACCESS-abcdefghij',
    ]) {
      expect(RequestId.safeParse(bad).success).toBe(false);
    }
  });
});
