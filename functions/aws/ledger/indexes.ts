/** The ledger's index by keyed subject hash (see `infra/definitions/tables.ts`). */
export const BY_SUBJECT_INDEX = 'bySubject';

/** The ledger's sparse index of finished deletes that still retain records, by retention end. */
export const BY_RETENTION_DUE_INDEX = 'byRetentionDue';

/** The ledger's sparse index of open requests by due time (`deadlineWatch` = `open`, sorted by `dueAt`). */
export const BY_OPEN_DUE_INDEX = 'byOpenDue';
