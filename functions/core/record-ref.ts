/** A leaf module, so that the ports and the erasure decisions can both name a record's place without importing each other. */

/**
 * Where a record lives: the item key for DynamoDB, the object (and line) for S3,
 * the processor's reference for records a processor returned for an access request.
 */
export type RecordRef =
  | { readonly kind: 'dynamodb'; readonly key: Readonly<Record<string, string | number>> }
  | { readonly kind: 'processor'; readonly processorId: string; readonly reference: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly key: string;
      /** 1-based line of a JSON Lines object (export only). */
      readonly line?: number;
      /** Set by `locate`: the object version (`null` on unversioned buckets, as S3 says). */
      readonly versionId?: string;
      /** Set by `locate`: an older version or a delete marker, recoverable but not current. */
      readonly noncurrent?: boolean;
      readonly deleteMarker?: boolean;
    };
