import { ConsentPurpose, ProcessorRequestType, type RectifiableAttribute } from './data-map';
import * as z from './zod';

/**
 * What a data subject can ask for: the policy's section 5 (access, update,
 * delete, marketing opt-out) and UU PDP's restriction (Art. 41) and consent
 * withdrawal (Art. 40). The same list a processor picks from in the data map.
 */
export const RequestType = ProcessorRequestType;
export type RequestType = z.infer<typeof RequestType>;

/** Types that change fields of the subject's records in place (the workflow's change branch). */
export const CHANGE_TYPES = ['rectify', 'restrict', 'lift_restriction', 'withdraw_consent'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];
export function isChangeType(type: RequestType): type is ChangeType {
  return (CHANGE_TYPES as readonly string[]).includes(type);
}

/** Legal regime the request is handled under; it sets the response deadline. */
export const Jurisdiction = z.enum(['ID', 'EU', 'US-CA']);
export type Jurisdiction = z.infer<typeof Jurisdiction>;

export const Locale = z.enum(['en', 'id']);
export type Locale = z.infer<typeof Locale>;

/**
 * NFKC, trimmed and lower-cased as a whole: ONE form for the address the code
 * is mailed to and the one every lookup uses (issue 18, finding 3). Keeping the
 * local part's case for mail would, on a host with case-sensitive local parts,
 * mail `Victim@…` the code that unlocks `victim@…`'s records.
 */
export function normaliseEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

/** The form every store lookup and keyed hash uses: the normalised address itself. */
export function subjectLookupForm(email: string): string {
  return normaliseEmail(email);
}

/** Characters that hide, reorder or break text in emails, pages and support's screens, by kind. */
const HIDDEN_CHARACTERS: readonly (readonly [RegExp, string])[] = [
  [/[\u0080-\u009f]/, 'a control character'],
  [/[\u2028\u2029]/, 'a line or paragraph separator'],
  [/[\u202a-\u202e\u2066-\u2069]/, 'a bidirectional override or isolate'],
];

/**
 * What is wrong with free text holding a C1 control, a line or paragraph
 * separator or a bidirectional override/isolate, naming the first such
 * character and its 1-based position as given; undefined when it has none.
 */
export function hiddenCharacterProblem(text: string): string | undefined {
  let first: { index: number; kind: string } | undefined;
  for (const [pattern, kind] of HIDDEN_CHARACTERS) {
    const index = text.search(pattern);
    if (index >= 0 && (first === undefined || index < first.index)) first = { index, kind };
  }
  if (!first) return undefined;
  const code = text.charCodeAt(first.index).toString(16).toUpperCase().padStart(4, '0');
  return `must not contain ${first.kind} (U+${code} at position ${first.index + 1})`;
}

// No CR/LF anywhere: these values may reach email headers. Hidden characters are checked before trimming.
const singleLine = (max: number) =>
  z.string().check(
    z.superRefine((text, ctx) => {
      const problem = hiddenCharacterProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, abort: true });
    }),
    z.trim(),
    z.minLength(1),
    z.maxLength(max),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
    z.refine((s) => !/[\u0000-\u001f\u007f]/.test(s), {
      message: 'must be a single line of printable text',
    }),
  );

/**
 * An email address, normalised (NFKC, trimmed, lower-cased) and then
 * validated, so the limits hold for what is stored and mailed: NFKC can
 * lengthen a string (a ligature becomes three letters), hence the second max.
 */
export const EmailAddress = z.pipe(
  z.pipe(z.string().check(z.maxLength(1024)), z.transform(normaliseEmail)),
  z
    .email({ message: 'must be a valid email address' })
    .check(z.maxLength(254, { message: 'must be at most 254 characters' })),
);

/**
 * A phone number in E.164 (`+628123456789`): spaces, dashes and brackets
 * dropped, and an Indonesian national `08…` or `628…` given its country code.
 */
export function normalisePhone(raw: string): string {
  const digits = raw.replace(/[ ()-]/g, '');
  if (digits.startsWith('+')) return digits;
  if (digits.startsWith('0')) return `+62${digits.slice(1)}`;
  if (digits.startsWith('62')) return `+${digits}`;
  return `+${digits}`;
}

/** A phone number as people type it, normalised to E.164 (8 to 15 digits after the `+`). */
export const PhoneNumber = z.pipe(
  z.pipe(
    z.string().check(
      z.trim(),
      z.maxLength(30, { message: 'must be at most 30 characters' }),
      z.regex(/^\+?[0-9 ()-]{6,25}$/, {
        message: 'must be a phone number of digits, spaces, dashes or brackets',
      }),
    ),
    z.transform(normalisePhone),
  ),
  z.string().check(
    z.regex(/^\+[1-9][0-9]{7,14}$/, {
      message:
        'must be a phone number with 8 to 15 digits including the country code, e.g. +62 812 3456 7890',
    }),
  ),
);

/** The corrected values of a `rectify` request, each validated and normalised; at least one. */
export const Corrections = z
  .strictObject({
    /** A new address is confirmed with a code of its own before anything changes. */
    email: z.optional(EmailAddress),
    fullName: z.optional(singleLine(200)),
    phone: z.optional(PhoneNumber),
    address: z.optional(singleLine(500)),
    companyName: z.optional(singleLine(200)),
  } satisfies Record<RectifiableAttribute, z.ZodMiniType>)
  .check(
    z.refine((c) => Object.values(c).some((v) => v !== undefined), {
      message: 'must name at least one field to correct (email, fullName, phone, address or companyName)',
    }),
  );
export type Corrections = z.infer<typeof Corrections>;

/** Body of `POST /requests`. Unknown keys are rejected so typos are not silently ignored. */
export const SubmitRequestBody = z
  .strictObject({
    type: RequestType,
    email: EmailAddress,
    fullName: z.optional(singleLine(200)),
    phone: z.optional(
      z
        .string()
        .check(
          z.trim(),
          z.regex(/^\+?[0-9 ()-]{6,20}$/, { message: 'must be a phone number of 6 to 20 digits' }),
        ),
    ),
    jurisdiction: z._default(Jurisdiction, 'ID'),
    /** The emails' first language. Absent: as for a page, Accept-Language, else Indonesian (http/submit-request.ts). */
    locale: z.optional(Locale),
    /** `rectify` only: the corrected values. */
    corrections: z.optional(Corrections),
    /** `withdraw_consent` only: the purposes whose consent is withdrawn. */
    purposes: z.optional(
      z.pipe(
        z
          .array(
            z.enum(ConsentPurpose.options, { error: `must be one of: ${ConsentPurpose.options.join(', ')}` }),
            {
              error: 'must be a list of purposes',
            },
          )
          .check(
            z.minLength(1, { message: 'must name at least one purpose' }),
            z.maxLength(ConsentPurpose.options.length),
          ),
        z.transform((p) => [...new Set(p)]),
      ),
    ),
  })
  .check(
    z.superRefine((body, ctx) => {
      const needs = (field: 'corrections' | 'purposes', type: RequestType) => {
        if (body.type === type && body[field] === undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: `is required for a ${type} request` });
        if (body.type !== type && body[field] !== undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: `only applies to a ${type} request` });
      };
      needs('corrections', 'rectify');
      if (body.corrections?.email !== undefined && body.corrections.email === body.email)
        ctx.addIssue({
          code: 'custom',
          path: ['corrections', 'email'],
          message: 'is the address the request is made from; give the new address',
        });
      needs('purposes', 'withdraw_consent');
    }),
  );
export type SubmitRequestBody = z.infer<typeof SubmitRequestBody>;

const NewAddressCode = z.optional(
  z.string().check(z.regex(/^[0-9]{6}$/, { message: 'must be the 6-digit code emailed to the new address' })),
);

/**
 * Body of `POST /requests/{requestId}/verify`: either the emailed code or the
 * emailed link's token; a correction of the email address also needs
 * `newAddressCode`, the code mailed to the new address.
 */
export const VerifyRequestBody = z.union([
  z.strictObject({
    code: z.string().check(z.regex(/^[0-9]{6}$/, { message: 'must be the 6-digit code from the email' })),
    newAddressCode: NewAddressCode,
  }),
  z.strictObject({
    token: z.string().check(z.minLength(20), z.maxLength(200)),
    newAddressCode: NewAddressCode,
  }),
]);
export type VerifyRequestBody = z.infer<typeof VerifyRequestBody>;

/** Request ids are generated by the system: date, type and 10 random base32 characters. */
const ID_TYPES = RequestType.options.map((t) => t.replace('_', '-')).join('|');
export const RequestId = z.string().check(
  z.regex(new RegExp(`^[0-9]{8}-(${ID_TYPES})-[a-z2-7]{10}$`), {
    message: 'is not a request id issued by this system',
  }),
);
