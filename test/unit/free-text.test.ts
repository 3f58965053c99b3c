/**
 * Free text from the form (issue 18, finding 12): a name reaches emails,
 * pages and support's screens, so characters that hide, reorder or break
 * text are refused, each with a message that says which one and where.
 */
import fc from 'fast-check';
import { SubmitRequestBody } from '../../functions/core/request-bodies';

const valid = { type: 'access', email: 'person@example.com' };
const messageFor = (fullName: string) => {
  const parsed = SubmitRequestBody.safeParse({ ...valid, fullName });
  return parsed.success ? undefined : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('free text in a request', () => {
  it.each([
    ['a C1 control character (NEL)', 'Ayu\u0085Lestari', 'U+0085', 'a control character'],
    ['a C1 control character (CSI)', 'Ayu\u009b31m', 'U+009B', 'a control character'],
    ['a line separator', 'Ayu\u2028Lestari', 'U+2028', 'a line or paragraph separator'],
    ['a paragraph separator', 'Ayu\u2029Lestari', 'U+2029', 'a line or paragraph separator'],
    ['a right-to-left override', 'Ayu \u202egpj.exe', 'U+202E', 'a bidirectional override or isolate'],
    ['a left-to-right embedding', '\u202aAyu', 'U+202A', 'a bidirectional override or isolate'],
    ['a first-strong isolate', 'Ayu\u2068x\u2069', 'U+2068', 'a bidirectional override or isolate'],
  ])('refuses a name with %s, naming the character', (_what, fullName, code, kind) => {
    expect(messageFor(fullName)).toEqual([
      `fullName: must not contain ${kind} (${code} at position ${fullName.search(/[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u) + 1})`,
    ]);
  });

  it('still accepts names in any script, with accents and marks', () => {
    for (const name of [
      'Ayu Lestari',
      'Siti Nurhaliza binti Tarudin',
      'José Müller-Łukasz',
      'محمد علي',
      '田中 太郎',
      "O'Brien",
    ]) {
      expect(messageFor(name)).toBeUndefined();
    }
  });

  it('never accepts a name holding a control, separator or bidirectional character, whatever else it holds', () => {
    const bad = fc.constantFrom(
      '\u0080',
      '\u0085',
      '\u009f',
      '\u2028',
      '\u2029',
      '\u202a',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2069',
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), bad, fc.string({ maxLength: 30 }), (before, char, after) => {
        expect(SubmitRequestBody.safeParse({ ...valid, fullName: `x${before}${char}${after}` }).success).toBe(
          false,
        );
      }),
      { numRuns: 500 },
    );
  });
});
