/** The body of `POST /requests/{requestId}/verify`, in a module of its own for the same reason as request-bodies.ts. */
import * as z from './zod';

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
