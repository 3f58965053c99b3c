/**
 * What a requester posts to `POST /requests`: its body and the fields it validates
 * and normalises (also read by the opt-out and the processor protocol). Apart from
 * request.ts, so a function that only reads a request's type or id (every task, the
 * status route) neither bundles nor builds them (a schema with `.check()` runs at import).
 */
import { ConsentPurpose, type RectifiableAttribute } from './data-map';
import { hiddenCharacterProblem, Jurisdiction, Locale, normaliseEmail, RequestType } from './request';
import * as z from './zod';

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
