/**
 * What every store of a data map must say for the processing record (purposes,
 * legal basis, retention, source, recipients), for tests that build a store
 * inline and care about something else: spread it, then the store's own fields.
 */
export const PROCESSING_FIELDS = {
  purposes: ['service'],
  legalBasis: 'contract',
  retention: { period: 'as_long_as_necessary', basedOn: 'Privacy policy section 7 (test fixture)' },
  source: 'given_by_person',
  recipients: [],
} as const;
